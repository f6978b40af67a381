"""Run ``kg`` as a user does: a subprocess with real files, and ``kg serve`` on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.request import urlopen

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
SEED_NCT = "NCT03737461"


def kg(
    *args: str | Path,
    store: Path | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    umask: int | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kg ARGS``; ``store`` is $KG_STORE (never the user's own store)."""
    env = dict(os.environ, KG_STORE=str(store or Path(cwd or ".").resolve() / "no-store"))
    env.pop("KG_ENDPOINT_TOKEN", None)

    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        preexec_fn=set_umask if umask is not None else None,
        check=False,
    )


@dataclass
class Served:
    """A running ``kg serve`` and what it has written to stderr so far."""

    url: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def get(self, path: str) -> tuple[int, str]:
        """GET a path; return the status and the body (errors too)."""
        from urllib.error import HTTPError

        try:
            with urlopen(self.url + path.lstrip("/"), timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")


@contextmanager
def serving(store: Path, *options: str) -> Iterator[Served]:
    """Start ``kg serve`` on 127.0.0.1, any free port; stop it at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--store", str(store), "-P", "0", *options],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    served = Served("", process)
    ready = threading.Event()

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            served.lines.append(line.rstrip("\n"))
            if " at http://" in line and not ready.is_set():
                served.url = line.split(" at ", 1)[1].split(" ", 1)[0]
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert ready.wait(120), "kg serve did not start"
        assert served.url, "\n".join(served.lines)
        yield served
    finally:
        process.terminate()
        process.wait(30)
