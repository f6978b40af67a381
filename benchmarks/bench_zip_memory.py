"""Peak RSS of `kg build` on a zip of the shared records, 1x and 10x: it must not grow with input.

The 10x zip repeats every shared record ten times under new NCT ids (JSON `nctId`, XML `<nct_id>`),
in the bulk download's layout (one file per study, folders by NCT prefix). Each build runs in a
fresh `python -m kg` process; the figure is the peak resident set of the largest process of the
build (the writer or a worker), from getrusage(RUSAGE_CHILDREN) after it exits.

Usage: python benchmarks/bench_zip_memory.py [--copies 1 10] [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "ctgov"


def make_zip(path: Path, copies: int) -> int:
    records = sorted(SHARED.glob("NCT*.json")) + sorted(SHARED.glob("NCT*.xml"))
    n = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for copy in range(copies):
            for src in records:
                text = src.read_text("utf-8")
                old = src.stem
                new = (
                    old
                    if copy == 0
                    else f"NCT{(copy * 10_000_000 + int(old[3:])) % 100_000_000:08d}"
                )
                if copy:
                    text = re.sub(old, new, text)
                zf.writestr(f"{new[:7]}xxxx/{new}{src.suffix}", text)
                n += 1
    return n


def run(zip_path: Path, store: Path) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "kg", "-q", "build", str(zip_path), "--store", str(store)],
        check=True,
        cwd=REPO,
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for copies in args.copies:
            zip_path = Path(tmp) / f"shared-{copies}x.zip"
            n = make_zip(zip_path, copies)
            # Each size in its own interpreter so ru_maxrss is that build's own peak.
            out = subprocess.run(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    __file__,
                    "--_one",
                    str(zip_path),
                    str(Path(tmp) / f"store{copies}"),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            elapsed, peak_kb = map(float, out.stdout.split())
            rows.append((copies, n, elapsed, peak_kb / 1024))
    lines = [
        f"### Zip build memory, shared records 1x vs 10x ({datetime.date.today()})",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}. "
        "Command: `python benchmarks/bench_zip_memory.py --copies 1 10`",
        "",
        "| input | records | seconds | records/s | peak RSS (MiB, largest process) |",
        "|---|---|---|---|---|",
    ]
    for copies, n, elapsed, mib in rows:
        lines.append(f"| {copies}x zip | {n} | {elapsed:.1f} | {n / elapsed:.0f} | {mib:.0f} |")
    if len(rows) > 1:
        lines.append("")
        lines.append(
            f"Peak RSS ratio {rows[-1][0]}x / {rows[0][0]}x: {rows[-1][3] / rows[0][3]:.2f}"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--_one":
        elapsed, peak = run(Path(sys.argv[2]), Path(sys.argv[3]))
        print(elapsed, peak)
    else:
        main()
