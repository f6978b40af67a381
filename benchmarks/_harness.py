"""Shared benchmark helpers: measured child processes, cached registries and stores, tables.

Every benchmark script imports this module (they run as ``python benchmarks/bench_x.py``, so
``benchmarks/`` is on ``sys.path``). See README.md for the conventions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"
PATCHED_KG = HERE / "_kg_patched.py"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
SEED = 0

__all__ = [
    "DEFAULT_SIZES",
    "Run",
    "fit_power",
    "log",
    "machine",
    "md_table",
    "measure",
    "parse_args",
    "registry",
    "registry_name",
    "store",
    "store_path",
]


def log(message: str) -> None:
    """Write a progress line to stderr (stdout carries the Markdown results)."""
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def parse_args(
    description: str,
    argv: Sequence[str] | None = None,
    extra: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """Parse the options every benchmark takes: ``--sizes 1000,10000`` and ``--work DIR``.

    ``extra`` adds a benchmark's own options.
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if extra is not None:
        extra(parser)
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=[",".join(map(str, DEFAULT_SIZES))],
        help="registry sizes in trials, comma- or space-separated (default: 1000,10000,100000)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(os.environ.get("KG_BENCH_WORK", Path(tempfile.gettempdir()) / "kg-bench")),
        help="scratch folder shared by the benchmarks: registries and stores are cached there",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s) for token in args.sizes for s in token.split(",") if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    return args


@dataclass
class Run:
    """One measured child process."""

    cmd: list[str]
    returncode: int = 0
    wall: float = 0.0
    user: float = 0.0  # CPU seconds of the process and the children it waited for
    system: float = 0.0
    max_rss: int = 0  # bytes: peak resident set of the largest single process (getrusage)
    peak_tree_pss: int = 0  # bytes: peak proportional set size of the whole process tree (5 s)
    peak_tree_rss: int = (
        0  # bytes: peak of the summed resident sets of the tree (shared counted twice)
    )
    stdout: str = ""
    stderr: str = ""
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end
    cpu_pressure: tuple[float, float] = (-1.0, -1.0)  # PSI "some" avg60 at start and end, %
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        """User plus system CPU seconds."""
        return self.user + self.system

    def json(self) -> dict[str, Any]:
        """Return the last stdout line parsed as JSON (what a child step reports)."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        value = json.loads(lines[-1]) if lines else {}
        return value if isinstance(value, dict) else {}


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue
        out.extend(int(c) for c in text.split())
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(_children(p))
    return seen


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss(pid: int) -> int:
    """Return the resident set of a process in bytes (0 once it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid: int) -> int:
    """Return the proportional set size of a process in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return 0


def _cpu_pressure() -> float:
    """Return the share of the last minute some task waited for a CPU (Linux PSI), or -1."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return float(first.split()[2].split("=")[1])
    except (OSError, ValueError, IndexError):
        return -1.0


def measure(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.5,
) -> Run:
    """Run a command in a fresh process; return wall and CPU time, peak memory, its output."""
    run = Run(list(cmd))
    full_env = {**os.environ, **(env or {})}
    out_path = Path(tempfile.gettempdir()) / f"kg-bench-{os.getpid()}-{time.time_ns()}"
    run.load = (os.getloadavg()[0], 0.0)
    run.cpu_pressure = (_cpu_pressure(), -1.0)
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=full_env, cwd=cwd)  # noqa: S603
        done = threading.Event()

        def sample() -> None:
            # RSS from statm is cheap; PSS (smaps_rollup walks the page tables, costly on a
            # process of several GB) is read every tenth sample only.
            tick = 0
            while not done.is_set():
                pids = _tree(proc.pid)
                run.peak_tree_rss = max(run.peak_tree_rss, sum(_rss(pid) for pid in pids))
                if tick % 10 == 0:
                    run.peak_tree_pss = max(run.peak_tree_pss, sum(_pss(pid) for pid in pids))
                tick += 1
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        run.wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        run.returncode = proc.returncode
        # ru_maxrss of the child; its own waited-for children (pool workers) are not included.
        run.user, run.system, run.max_rss = usage.ru_utime, usage.ru_stime, usage.ru_maxrss * 1024
        out.seek(0)
        err.seek(0)
        run.stdout = out.read().decode("utf-8", "replace")
        run.stderr = err.read().decode("utf-8", "replace")
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    run.load = (run.load[0], os.getloadavg()[0])
    run.cpu_pressure = (run.cpu_pressure[0], _cpu_pressure())
    return run


def _params_digest() -> str:
    from kg.synth import DEFAULT_PARAMS

    return hashlib.sha256(DEFAULT_PARAMS.read_bytes()).hexdigest()[:8]


def registry_name(n: int, seed: int = SEED) -> str:
    """Return the name of the ``n``-trial registry: size, seed and parameters digest."""
    return f"{n}-s{seed}-{_params_digest()}"


def registry(n: int, work: Path, *, seed: int = SEED) -> Path:
    """Return the synthetic registry of ``n`` trials (bulk zip), generating it once."""
    path = work / f"synth-{registry_name(n, seed)}.zip"
    if not path.exists():
        from kg.synth import load_params, write_zip

        log(f"generating {n:,} synthetic trials -> {path}")
        start = time.perf_counter()
        write_zip(path, load_params(), n, seed=seed, jobs=os.cpu_count() or 1)
        log(f"generated {n:,} trials in {time.perf_counter() - start:,.0f} s")
    return path


def store_path(n: int, work: Path, *, seed: int = SEED) -> Path:
    """Return where the store of the ``n``-trial registry is kept (it may not exist yet)."""
    return work / f"store-{registry_name(n, seed)}"


def store(n: int, work: Path, *, seed: int = SEED) -> Path:
    """Return an on-disk kg store of the ``n``-trial registry, building it once.

    bench_build.py leaves the store it measured here, so later benchmarks reuse it.
    """
    path = store_path(n, work, seed=seed)
    if not (path.is_dir() and any(path.iterdir())):
        zip_path = registry(n, work, seed=seed)
        shutil.rmtree(path, ignore_errors=True)
        log(f"building the {n:,}-trial store -> {path}")
        cmd = [sys.executable, str(PATCHED_KG), str(zip_path), "--store", str(path), "--zip-fix"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return path


def _output(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)  # noqa: S603
    return done.stdout.strip()


def versions() -> dict[str, str]:
    """Return the versions of Python and the libraries the benchmarks exercise."""
    out = {"python": platform.python_version()}
    for dist in ("kg", "rdflib", "pyoxigraph", "pyshacl", "networkx", "orjson", "scipy", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    git = ["git", "-C", str(REPO)]
    try:
        commit = _output([*git, "rev-parse", "--short", "HEAD"])
        dirty = _output([*git, "status", "--porcelain", "--untracked-files=no"])
        out["kg commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


def machine() -> dict[str, str]:
    """Return what the machine is: CPU, cores, memory, OS, load."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{mem_kb / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "?"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cpu": f"{cpu} x {os.cpu_count()}",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "load average (1, 5, 15 min)": load,
        "CPU pressure (share of the last minute a task waited for a CPU)": (
            f"{_cpu_pressure():.0f}%"
        ),
    }


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a Markdown table; numbers right-aligned."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    def numeric(value: object) -> bool:
        text = cell(value).replace(",", "").replace(" GiB", "").rstrip("xs%")
        return text.replace(".", "", 1).isdigit()

    align = [
        "---:" if rows and any(numeric(row[i]) for row in rows) else "---"
        for i in range(len(headers))
    ]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def fit_power(sizes: Sequence[float], values: Sequence[float]) -> tuple[float, float]:
    """Fit ``value = a * size ** b`` by least squares on logs; return (a, b).

    >>> a, b = fit_power([1, 10, 100], [2, 20, 200])
    >>> round(a, 6), round(b, 6)
    (2.0, 1.0)
    """
    xs = [math.log(s) for s in sizes]
    ys = [math.log(v) for v in values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 1.0
    return math.exp(my - b * mx), b


def gib(n: float) -> str:
    """Format bytes as GiB."""
    return f"{n / 2**30:.2f} GiB"
