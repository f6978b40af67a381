"""benchmarks/run_all.py runs each benchmark with ``--sizes`` and ``--work``: only those that take
them (the harness's options); the others measure what is given by hand and are named, not run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import run_all  # noqa: E402 - the benchmarks folder is no package


def test_run_all_runs_the_benchmarks_that_take_its_options_and_names_the_others(
    tmp_path: Path,
) -> None:
    found = run_all.discover()
    sized = [s.name for s in found if run_all.sized(s)]
    assert "bench_build.py" in sized and "bench_queries.py" in sized
    assert "bench_index_formats.py" not in sized and "bench_push.py" not in sized
    text = run_all.header(["run_all.py"], "1000", tmp_path, [BENCHMARKS / "bench_push.py"])
    assert "not run (each measures what is given by hand, see its docstring): bench_push.py" in text


@pytest.mark.parametrize(
    "script", [s for s in run_all.discover() if run_all.sized(s)], ids=lambda s: s.stem
)
def test_each_benchmark_run_all_runs_accepts_sizes_and_work(script: Path) -> None:
    done = subprocess.run(  # our own script, --help only
        [sys.executable, str(script), "--help"],
        capture_output=True, text=True, timeout=120, check=False, cwd=BENCHMARKS.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "--sizes" in done.stdout and "--work" in done.stdout
