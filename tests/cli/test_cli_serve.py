"""``kg serve`` as a user runs it: a busy port is one line and exit 2; every request is logged."""

from __future__ import annotations

import re
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from cli_support import SEED_NCT, kg, serving

# host ident user [time] "request" status bytes, then the duration (kg.publish.access_log).
_CLF = re.compile(
    r'^(?P<host>\S+) - - \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+) HTTP/[\d.]+" '
    r"(?P<status>\d{3}) (?P<size>\d+|-) (?P<ms>\d+\.\d)ms$"
)


def test_a_busy_port_is_one_line_naming_the_address_and_exit_2(small_store_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = kg("serve", "--store", small_store_path, "--port", str(port), timeout=120)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kg: error: ")
    assert f"http://127.0.0.1:{port}/" in lines[0]
    assert "already in use" in lines[0]
    assert "Traceback" not in done.stderr


def _wait_for(lines: list[str], count: int) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        logged = [line for line in lines if _CLF.match(line)]
        if len(logged) >= count:
            return logged
        time.sleep(0.05)
    raise AssertionError("\n".join(lines))


def test_each_request_is_logged_in_the_common_log_format(small_store_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    with serving(small_store_path) as served:
        assert served.get(f"/trial/{SEED_NCT}.ttl")[0] == 200
        assert served.get("/no/such/thing")[0] == 404
        assert served.get("/void.ttl?x=1")[0] == 200
        logged = _wait_for(served.lines, 3)
    got = [_CLF.match(line) for line in logged]
    assert [(m["method"], m["target"], m["status"]) for m in got if m] == [
        ("GET", f"/trial/{SEED_NCT}.ttl", "200"),
        ("GET", "/no/such/thing", "404"),
        ("GET", "/void.ttl?x=1", "200"),
    ]
    for m in got:
        assert m is not None
        assert m["host"] == "127.0.0.1"
        when = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z")
        assert before <= when <= datetime.now(UTC)
        assert float(m["ms"]) >= 0
    first = got[0]
    assert first is not None and first["size"] != "-" and int(first["size"]) > 0


def test_quiet_serves_without_a_log_before_or_after_the_command(small_store_path: Path) -> None:
    for options in (("--quiet",), ("-q",)):
        with serving(small_store_path, *options) as served:
            assert served.get(f"/trial/{SEED_NCT}.ttl")[0] == 200
            assert served.get("/void.ttl")[0] == 200
            time.sleep(0.5)
            lines = list(served.lines)
        assert not [line for line in lines if _CLF.match(line)], lines


def test_the_port_is_dash_capital_p_and_dash_p_is_not_a_port(small_store_path: Path) -> None:
    done = kg("serve", "--store", small_store_path, "-p", "0", timeout=60)
    assert done.returncode == 2
    assert "-p" in done.stderr
    help_text = kg("serve", "--help").stdout
    assert "-P, --port PORT" in help_text
