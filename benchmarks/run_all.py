"""Run every benchmark (benchmarks/bench_*.py) and append the results to benchmarks/RESULTS.md.

    python benchmarks/run_all.py [--sizes 1000,10000,100000] [--work DIR] [--only build,synth]

Each benchmark runs as its own process, ``python benchmarks/bench_NAME.py --sizes ... --work
DIR``, and prints Markdown on stdout (its sections, headed ``###``); progress goes to stderr. The
run is appended as one ``## Run`` block (date, command, machine, versions), each benchmark's
output added as soon as it finishes, so an interrupted run keeps what it measured.
Benchmarks that do not take those options (they measure a store or a setting given by hand:
``bench_index_formats.py STORE ...``, ``bench_push.py --store DIR``) are not run here; the run's
header names them.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _harness import DEFAULT_SIZES, HERE, log, machine, versions


def sized(script: Path) -> bool:
    """Say whether a benchmark takes ``--sizes`` and ``--work``: it parses them with the harness.

    The others measure a store or a setting given by hand (their docstrings say how to run them).
    """
    tree = ast.parse(script.read_text("utf-8"))
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "_harness"
        and any(alias.name == "parse_args" for alias in node.names)
        for node in ast.walk(tree)
    )


def discover(only: list[str] | None = None) -> list[Path]:
    """Return the benchmark scripts, in name order (``bench_build`` first leaves stores behind)."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in only}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    return scripts


def header(argv: list[str], sizes: str, work: Path, unsized: Sequence[Path] = ()) -> str:
    """Return the Markdown head of a run: date, command, machine, versions, benchmarks not run."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    lines = [
        "",
        f"## Run {now.replace('+00:00', 'Z')}",
        "",
        f"- command: `python {' '.join(shlex.quote(a) for a in argv)}`",
        f"- sizes: {sizes} trials; work folder: `{work}`",
    ]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    lines.append("- versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    if unsized:
        names = ", ".join(s.name for s in unsized)
        lines.append(f"- not run (each measures what is given by hand, see its docstring): {names}")
    return "\n".join(lines) + "\n"


def append(results: Path, text: str) -> None:
    """Append text to the results file, flushed to disk."""
    with results.open("a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def run_one(script: Path, sizes: str, work: Path, timeout: float | None) -> tuple[str, bool]:
    """Run one benchmark; return its Markdown (with a status line) and whether it succeeded."""
    cmd = [sys.executable, str(script), "--sizes", sizes, "--work", str(work)]
    log(f"running {script.name}")
    start = time.perf_counter()
    try:
        # stderr passes through: the benchmark's progress shows as it runs.
        done = subprocess.run(  # noqa: S603 - our own scripts
            cmd, stdout=subprocess.PIPE, text=True, timeout=timeout, check=False, cwd=HERE.parent
        )
        output, code = done.stdout, done.returncode
    except subprocess.TimeoutExpired as exc:
        raw = exc.stdout or b""
        output = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        code = -1
    minutes = (time.perf_counter() - start) / 60
    status = "ok" if code == 0 else ("timed out" if code == -1 else f"exit status {code}")
    text = output.rstrip() or f"### {script.stem}\n\n(no output)"
    return f"\n{text}\n\n_{script.name}: {status}, {minutes:.1f} min._\n", code == 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(os.environ.get("KG_BENCH_WORK", Path(tempfile.gettempdir()) / "kg-bench")),
    )
    parser.add_argument("--only", help="comma-separated benchmark names (build,synth,...)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--timeout", type=float, help="seconds per benchmark")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    scripts: list[Path] = []
    unsized: list[Path] = []
    for script in discover(args.only.split(",") if args.only else None):
        (scripts if sized(script) else unsized).append(script)
    for script in unsized:
        log(f"not running {script.name}: it takes no --sizes (see its docstring)")
    if not scripts:
        log("no benchmark found that takes --sizes")
        return 2
    append(args.results, header(sys.argv, args.sizes, args.work, unsized))
    failures = 0
    for script in scripts:
        text, ok = run_one(script, args.sizes, args.work, args.timeout)
        append(args.results, text)
        failures += not ok
    log(f"done: {len(scripts) - failures} of {len(scripts)} benchmarks ok -> {args.results}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
