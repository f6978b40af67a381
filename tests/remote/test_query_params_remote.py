"""``kg query --endpoint``: the parameter checks and the no-trial note, against a real Oxigraph."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

from servers import OxigraphServer

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"


def _kg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True, text=True, check=False, timeout=300,
    )


def test_an_endpoint_gets_the_same_checks_and_note(
    make_server: type[OxigraphServer], tmp_path: Path
) -> None:
    seed = tmp_path / "seed.nq"
    assert _kg("build", SEED, "-o", seed).returncode == 0
    server = make_server().start()
    request = urllib.request.Request(
        server.store_url, data=seed.read_bytes(), method="POST",
        headers={"Content-Type": "application/n-quads"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status in (200, 201, 204)
    url = server.query_url
    local = _kg("query", "trial-sites", "-p", "nct=NCT03737461", "-f", "csv", "--data", seed)
    remote = _kg("query", "trial-sites", "-p", "nct= nct03737461", "-f", "csv", "--endpoint", url)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert len(remote.stdout.splitlines()) > 1
    missing = _kg("query", "trial-sites", "-p", "nct=NCT99999999", "--endpoint", url)
    assert missing.returncode == 0
    assert f"kg: no trial NCT99999999 in {url}" in missing.stderr
    unknown = _kg("query", "trial-sites", "-p", "site=1", "--endpoint", url)
    assert unknown.returncode == 2
    assert "its parameters: nct" in unknown.stderr
