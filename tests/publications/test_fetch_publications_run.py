"""``kg fetch-publications`` as a user runs it: quick to start, progress shown, quick to fail.

Run as a subprocess over real stores: the 708-trial shared store with the service unreachable
(nothing listens on the port: the run stops after its first trial's retries, one line, exit 2),
and the gap store against the recorded server, with stderr on a terminal (a progress bar) and
on a pipe (no bar).
"""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pubserver import Recorded

from kg.publication_store import FEW_TRIALS, references_from_store
from kg.sinks import open_store

LIMIT = 60.0
"""Seconds within which an unreachable service must stop the run."""


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(eutils: str, crossref: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NCBI_"))}
    env.update(
        KG_EUTILS_URL=eutils,
        KG_CROSSREF_URL=crossref,
        KG_CACHE=str(tmp_path / "cache"),
        KG_STORE=str(tmp_path / "no-default-store"),
        NCBI_API_KEY="test-key",
        COLUMNS="120",
    )
    return env


def test_an_unreachable_service_stops_the_run_within_a_minute(
    shared_store_path: Path, tmp_path: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    out = tmp_path / "pubs.nq"
    started = time.monotonic()
    args = ["fetch-publications", "--store", str(shared_store_path), "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "kg", *args],
        env=_env(f"{base}/eutils", f"{base}/crossref", tmp_path),
        capture_output=True,
        text=True,
        timeout=3 * LIMIT,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert elapsed < LIMIT, f"took {elapsed:.0f} s"
    errors = [line for line in done.stderr.splitlines() if line.startswith("kg: error:")]
    assert len(errors) == 1, done.stderr
    (line,) = errors
    assert f"127.0.0.1:{port}" in line
    assert "cannot connect" in line and "cannot be reached" in line
    assert "0 trials linked before, nothing written" in line
    assert "retry" not in done.stderr  # no note per retry of a service that never answered
    assert not out.exists()
    assert done.stderr.splitlines()[0] == "kg: linking 708 trials to their publications"


def test_the_references_of_every_trial_come_in_one_read(shared_store_path: Path) -> None:
    store = open_store(shared_store_path)
    everything = references_from_store(store)
    assert len(everything) == 708
    with_refs = [t for t in everything if t.references][: FEW_TRIALS * 2]
    assert len(with_refs) == FEW_TRIALS * 2
    # The same references, read trial by trial (the way a few NCT numbers are read).
    one_by_one = [
        t
        for k in range(0, len(with_refs), FEW_TRIALS)
        for t in references_from_store(store, [r.nct_id for r in with_refs[k : k + FEW_TRIALS]])
    ]
    assert one_by_one == with_refs


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command with stderr on a pseudo-terminal; return its exit code and what it showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=30), shown.decode("utf-8", errors="replace")


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_progress_shows_on_a_terminal_only(
    recorded: Recorded, gap_store_path: Path, tmp_path: Path, terminal: bool
) -> None:
    args = [sys.executable, "-m", "kg", "fetch-publications", "--store", str(gap_store_path)]
    env = _env(recorded.eutils_url, recorded.crossref_url, tmp_path)
    if terminal:
        code, shown = _run_on_a_terminal(args, env)
    else:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        code, shown = done.returncode, done.stderr
    assert code == 0, shown
    assert "kg: 6 trials" in shown
    assert ("━" in shown and "link" in shown) is terminal
