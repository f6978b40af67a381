"""kg.http, kg.fetch and ``kg fetch`` against a scripted local API server on 127.0.0.1 only.

The server answers from the recorded responses in tests/fixtures/ctgov_api/ (fictitious studies in
the API v2 shapes). Time is injected, so backoff and rate limits are measured without waiting.
"""

from __future__ import annotations

import functools
import gzip
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import orjson
import pyoxigraph as ox
import pytest

import kg.cli.fetch
from kg.cli import main
from kg.errors import EndpointError
from kg.fetch import CtgovApi, StudyNotFoundError, StudySearch, atomic_output, write_ndjson
from kg.http import HttpClient, HttpStatusError, Retry

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ctgov_api"
STUDIES = "/api/v2/studies"
TOKEN2, TOKEN3 = "NF0g5JGBlPMsyA", "NF0g5JGBlPMsyQ"
PAGED_IDS = ["NCT99999911", "NCT99999912", "NCT99999913", "NCT99999914", "NCT99999915"]


# --- a scripted API server ------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class FakeApi:
    """Each route answers its replies in turn, then repeats the last; unknown routes answer 404."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self.port = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2"

    def script(self, route: str, *replies: Reply) -> None:
        self.routes[route] = list(replies)

    def reply(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        key = path + (f"?pageToken={query['pageToken']}" if "pageToken" in query else "")
        with self._lock:
            self.requests.append(Seen(path, query, headers))
            replies = self.routes.get(key)
            if not replies:
                return Reply(404, b"Not Found", {"Content-Type": "text/plain"})
            return replies.pop(0) if len(replies) > 1 else replies[0]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.api.reply(parts.path, dict(parse_qsl(parts.query)), headers)
        if reply.delay:
            threading.Event().wait(reply.delay)  # not time.sleep, which some tests replace
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and hung up: that is the scenario under test

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: FakeApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api


def fixture_reply(name: str) -> Reply:
    return Reply(body=(FIXTURES / name).read_bytes(), headers={"Content-Type": "application/json"})


def fixture_studies(name: str) -> list[dict[str, object]]:
    data = orjson.loads((FIXTURES / name).read_bytes())
    return data["studies"] if "studies" in data else [data]


def script_search(api: FakeApi, page2: Reply | None = None) -> None:
    api.script(STUDIES, fixture_reply("search_page1.json"))
    api.script(f"{STUDIES}?pageToken={TOKEN2}", page2 or fixture_reply("search_page2.json"))
    api.script(f"{STUDIES}?pageToken={TOKEN3}", fixture_reply("search_page3.json"))


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep requests to the local server off any proxy the environment names."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    server = _Server(fake)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def clock(self) -> float:
        return self.t

    def now(self) -> float:
        return 1_700_000_000.0 + self.t


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make_client(fake_time: FakeTime, **options: object) -> HttpClient:
    settings: dict[str, object] = {
        "rate": 0,
        "retries": 3,
        "timeout": 2.0,
        "sleep": fake_time.sleep,
        "clock": fake_time.clock,
        "now": fake_time.now,
        "random": lambda: 0.5,
        **options,
    }
    return HttpClient(**settings)  # type: ignore[arg-type]


# --- kg.http --------------------------------------------------------------------------------------


def test_429_waits_the_retry_after_seconds_then_succeeds(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(429, b"slow down", {"Retry-After": "7"}), Reply(200, b'{"ok": true}'))
    response = make_client(fake_time).get(f"http://127.0.0.1:{api.port}/r")
    assert (response.json(), fake_time.sleeps, len(api.requests)) == ({"ok": True}, [7.0], 2)


def test_500_is_retried_after_a_jittered_backoff(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(500), Reply(200, b"fine"))
    response = make_client(fake_time, backoff=2.0).get(f"http://127.0.0.1:{api.port}/r")
    # first delay: backoff 2 s, jitter keeps half and adds random() * half -> 1 + 0.5 * 1
    assert (response.body, fake_time.sleeps) == (b"fine", [1.5])


def test_backoff_doubles_up_to_its_cap(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(503), Reply(502), Reply(504), Reply(200))
    client = make_client(fake_time, backoff=1.0, max_backoff=3.0, random=lambda: 1.0)
    client.get(f"http://127.0.0.1:{api.port}/r")
    assert fake_time.sleeps == [1.0, 2.0, 3.0]


def test_retries_running_out_names_the_url_status_and_attempts(
    api: FakeApi, fake_time: FakeTime
) -> None:
    api.script("/r", Reply(503, headers={"Retry-After": "1"}))
    with pytest.raises(EndpointError) as caught:
        make_client(fake_time, retries=2).get(f"http://127.0.0.1:{api.port}/r", {"q": "x"})
    message = str(caught.value)
    assert f"http://127.0.0.1:{api.port}/r?q=x: HTTP 503" in message
    assert "gave up after 3 attempts" in message


def test_client_error_is_not_retried_and_quotes_the_body(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(400, b"unknown parameter query.foo"))
    with pytest.raises(HttpStatusError) as caught:
        make_client(fake_time).get(f"http://127.0.0.1:{api.port}/r")
    assert (caught.value.status, len(api.requests)) == (400, 1)
    assert "HTTP 400 Bad Request: unknown parameter query.foo" in str(caught.value)


def test_retry_after_longer_than_kg_waits_fails_at_once(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(429, headers={"Retry-After": "3600"}))
    with pytest.raises(EndpointError, match="asks to retry after 3600 s"):
        make_client(fake_time, max_retry_after=60).get(f"http://127.0.0.1:{api.port}/r")
    assert fake_time.sleeps == []


def test_timeout_is_retried_then_succeeds(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(200, b"late", delay=0.5), Reply(200, b"on time"))
    response = make_client(fake_time, timeout=0.1).get(f"http://127.0.0.1:{api.port}/r")
    assert (response.body, len(fake_time.sleeps)) == (b"on time", 1)


def test_timeout_on_every_attempt_is_a_clear_error(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(200, b"late", delay=0.4))
    with pytest.raises(EndpointError, match=r"no answer within 0.1 s; gave up after 1 attempt$"):
        make_client(fake_time, timeout=0.1, retries=0).get(f"http://127.0.0.1:{api.port}/r")


def test_refused_connection_is_retried_then_reported(fake_time: FakeTime) -> None:
    server = _Server(FakeApi())
    port = server.server_address[1]
    server.server_close()  # nothing listens on this port now
    with pytest.raises(EndpointError, match="cannot connect"):
        make_client(fake_time, retries=2).get(f"http://127.0.0.1:{port}/r")
    assert len(fake_time.sleeps) == 2


def test_rate_limit_spaces_request_starts(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(200))
    client = make_client(fake_time, rate=2.0)
    for _ in range(4):
        client.get(f"http://127.0.0.1:{api.port}/r")
    assert fake_time.sleeps == [0.5, 0.5, 0.5]


def test_rate_limit_does_not_wait_when_time_has_passed(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(200))
    client = make_client(fake_time, rate=2.0)
    client.get(f"http://127.0.0.1:{api.port}/r")
    fake_time.t += 1.0  # the caller worked for a second between requests
    client.get(f"http://127.0.0.1:{api.port}/r")
    assert fake_time.sleeps == []


def test_user_agent_names_kg_and_the_contact(
    api: FakeApi, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CONTACT_EMAIL", "curator@example.org")
    api.script("/r", Reply(200))
    make_client(fake_time).get(f"http://127.0.0.1:{api.port}/r")
    agent = api.requests[0].headers["user-agent"]
    assert agent.startswith("kg/") and "mailto:curator@example.org" in agent


def test_gzip_body_is_decompressed(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(200, gzip.compress(b'{"a": 1}'), {"Content-Encoding": "gzip"}))
    assert make_client(fake_time).get_json(f"http://127.0.0.1:{api.port}/r") == {"a": 1}


def test_truncated_json_body_is_a_clear_error(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(200, b'{"studies": [{"protocolSection": {'))
    response = make_client(fake_time).get(f"http://127.0.0.1:{api.port}/r")
    with pytest.raises(EndpointError, match=r"/r: the response is not valid JSON \("):
        response.json()


def test_cache_answers_a_repeat_without_a_request(
    api: FakeApi, fake_time: FakeTime, tmp_path: Path
) -> None:
    api.script("/r", Reply(200, b"first"), Reply(200, b"second"))
    client = make_client(fake_time, cache_dir=tmp_path)
    client.get(f"http://127.0.0.1:{api.port}/r")
    again = client.get(f"http://127.0.0.1:{api.port}/r")
    assert (again.body, again.from_cache, len(api.requests)) == (b"first", True, 1)


def test_cache_entry_expires_after_its_ttl(
    api: FakeApi, fake_time: FakeTime, tmp_path: Path
) -> None:
    api.script("/r", Reply(200, b"first"), Reply(200, b"second"))
    wall = [time.time()]  # the cache dates entries by file time, so start from the real clock
    client = make_client(fake_time, cache_dir=tmp_path, cache_ttl=60.0, now=lambda: wall[0])
    client.get(f"http://127.0.0.1:{api.port}/r")
    wall[0] += 61.0
    again = client.get(f"http://127.0.0.1:{api.port}/r")
    assert (again.body, again.from_cache, len(api.requests)) == (b"second", False, 2)


def test_cache_key_leaves_out_the_api_key(
    api: FakeApi, fake_time: FakeTime, tmp_path: Path
) -> None:
    api.script("/r", Reply(200, b"first"), Reply(200, b"second"))
    client = make_client(fake_time, cache_dir=tmp_path)
    client.get(f"http://127.0.0.1:{api.port}/r", {"db": "pubmed", "api_key": "one"})
    again = client.get(f"http://127.0.0.1:{api.port}/r", {"db": "pubmed", "api_key": "two"})
    assert (again.body, len(api.requests)) == (b"first", 1)


def test_error_messages_mask_the_api_key(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(403, b"forbidden"))
    with pytest.raises(HttpStatusError) as caught:
        make_client(fake_time).get(f"http://127.0.0.1:{api.port}/r", {"api_key": "s3cret"})
    assert "s3cret" not in str(caught.value) and "api_key=%2A%2A%2A" in str(caught.value)


def test_on_retry_hears_each_retry(api: FakeApi, fake_time: FakeTime) -> None:
    api.script("/r", Reply(429, headers={"Retry-After": "2"}), Reply(200))
    heard: list[Retry] = []
    make_client(fake_time, on_retry=heard.append).get(f"http://127.0.0.1:{api.port}/r")
    assert [(r.problem, r.delay, r.attempt) for r in heard] == [
        ("HTTP 429 Too Many Requests", 2.0, 1)
    ]


# --- kg.fetch -------------------------------------------------------------------------------------


def make_api(api: FakeApi, fake_time: FakeTime, **options: object) -> CtgovApi:
    return CtgovApi(make_client(fake_time, **options), base_url=api.url)


def test_study_by_id_is_the_api_object_unchanged(api: FakeApi, fake_time: FakeTime) -> None:
    api.script(f"{STUDIES}/NCT99999901", fixture_reply("NCT99999901.json"))
    study = make_api(api, fake_time).study("nct99999901")
    assert study == fixture_studies("NCT99999901.json")[0]


def test_missing_id_yields_not_found_and_the_others_still_come(
    api: FakeApi, fake_time: FakeTime
) -> None:
    api.script(f"{STUDIES}/NCT99999901", fixture_reply("NCT99999901.json"))
    api.script(f"{STUDIES}/NCT99999902", fixture_reply("NCT99999902.json"))
    wanted = ["NCT99999901", "NCT99999999", "NCT99999902"]
    items = list(make_api(api, fake_time).iter_studies(wanted))
    kinds = [i.nct_id if isinstance(i, StudyNotFoundError) else type(i).__name__ for i in items]
    assert kinds == ["dict", "NCT99999999", "dict"]


def test_search_follows_next_page_token_over_three_pages(api: FakeApi, fake_time: FakeTime) -> None:
    script_search(api)
    studies = list(make_api(api, fake_time).iter_search(StudySearch(condition="Lupus Nephritis")))
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    tokens = [r.query.get("pageToken") for r in api.requests]
    assert (ids, tokens) == (PAGED_IDS, [None, TOKEN2, TOKEN3])


def test_search_sends_the_query_parameters(api: FakeApi, fake_time: FakeTime) -> None:
    script_search(api)
    search = StudySearch("Lupus Nephritis", "Example Pharma", "biopsy", date(2024, 1, 1))
    list(make_api(api, fake_time).iter_search(search, page_size=2))
    assert api.requests[0].query == {
        "query.cond": "Lupus Nephritis",
        "query.spons": "Example Pharma",
        "query.term": "biopsy",
        "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2024-01-01,MAX]",
        "pageSize": "2",
        "countTotal": "true",
    }


def test_search_stops_at_the_limit(api: FakeApi, fake_time: FakeTime) -> None:
    script_search(api)
    studies = list(make_api(api, fake_time).iter_search(StudySearch(term="x"), limit=3))
    assert (len(studies), len(api.requests), api.requests[0].query["pageSize"]) == (3, 2, "3")


def test_search_reports_the_total_count(api: FakeApi, fake_time: FakeTime) -> None:
    script_search(api)
    totals: list[int] = []
    list(make_api(api, fake_time).iter_search(StudySearch(term="x"), on_total=totals.append))
    assert totals == [5]


def test_truncated_page_ends_the_search_with_a_clear_error(
    api: FakeApi, fake_time: FakeTime
) -> None:
    truncated = (FIXTURES / "search_page2.json").read_bytes()[:700]
    script_search(api, Reply(200, truncated, {"Content-Type": "application/json"}))
    got: list[object] = []
    with pytest.raises(EndpointError, match=rf"pageToken={TOKEN2}: the response is not valid JSON"):
        got.extend(make_api(api, fake_time).iter_search(StudySearch(term="x")))
    assert len(got) == 2


def test_page_without_a_studies_list_is_an_error(api: FakeApi, fake_time: FakeTime) -> None:
    api.script(STUDIES, Reply(200, b'{"message": "maintenance"}'))
    with pytest.raises(EndpointError, match=r'expected a page \{"studies": \[...\]\}'):
        list(make_api(api, fake_time).iter_search(StudySearch(term="x")))


def test_repeated_page_token_stops_instead_of_looping(api: FakeApi, fake_time: FakeTime) -> None:
    page = orjson.dumps({"studies": [], "nextPageToken": "SAME"})
    api.script(STUDIES, Reply(200, page))
    api.script(f"{STUDIES}?pageToken=SAME", Reply(200, page))
    with pytest.raises(EndpointError, match="page token 'SAME' a second time"):
        list(make_api(api, fake_time).iter_search(StudySearch(term="x")))


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_CTGOV_API_URL", "http://127.0.0.1:9/mirror/v2/")
    assert CtgovApi(HttpClient()).base_url == "http://127.0.0.1:9/mirror/v2"


def test_write_ndjson_writes_one_line_per_study_and_counts_the_missing() -> None:
    class Sink:
        def __init__(self) -> None:
            self.data = b""

        def write(self, data: bytes) -> int:
            self.data += data
            return len(data)

        def flush(self) -> None:
            return

    sink = Sink()
    missing = StudyNotFoundError("gone", nct_id="NCT99999999", url="u")
    report = write_ndjson([{"a": 1}, missing, {"b": [2]}], sink)  # type: ignore[arg-type]
    assert (sink.data, report.studies, report.missing) == (
        b'{"a":1}\n{"b":[2]}\n',
        2,
        ["NCT99999999"],
    )


def test_atomic_output_keeps_the_old_file_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.ndjson"
    target.write_bytes(b"old\n")
    with pytest.raises(EndpointError), atomic_output(target) as out:
        out.write(b"half")
        raise EndpointError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ndjson"]
    assert target.read_bytes() == b"old\n"


# --- kg fetch (the command) -----------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: bytes
    err: str


@pytest.fixture
def waits() -> list[float]:
    """The waits ``kg fetch`` asked for (recorded, not slept)."""
    return []


@pytest.fixture
def kg_cli(
    api: FakeApi,
    waits: list[float],
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> Callable[..., Run]:
    """Run ``kg`` through its real entry point against the fake API."""
    monkeypatch.setenv("KG_CTGOV_API_URL", api.url)
    polite = functools.partial(HttpClient, sleep=waits.append)
    monkeypatch.setattr(kg.cli.fetch, "HttpClient", polite)

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["kg", *args])
        with pytest.raises(SystemExit) as exit_:
            main()
        captured = capsysbinary.readouterr()
        code = exit_.value.code
        return Run(code if isinstance(code, int) else 1, captured.out, captured.err.decode())

    return run


def ndjson_ids(data: bytes) -> list[str]:
    return [
        orjson.loads(line)["protocolSection"]["identificationModule"]["nctId"]
        for line in data.splitlines()
    ]


def test_cli_writes_one_api_object_per_line_to_the_file(
    api: FakeApi, kg_cli: Callable[..., Run], tmp_path: Path
) -> None:
    api.script(f"{STUDIES}/NCT99999901", fixture_reply("NCT99999901.json"))
    api.script(f"{STUDIES}/NCT99999902", fixture_reply("NCT99999902.json"))
    out = tmp_path / "trials.ndjson"
    run = kg_cli("fetch", "NCT99999902", "NCT99999901", "-o", str(out))
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert run.code == 0
    assert lines == fixture_studies("NCT99999902.json") + fixture_studies("NCT99999901.json")


@pytest.mark.parametrize("output", [[], ["-o", "-"]], ids=["no-output", "dash"])
def test_cli_writes_stdout_without_a_file(
    api: FakeApi, kg_cli: Callable[..., Run], output: list[str]
) -> None:
    api.script(f"{STUDIES}/NCT99999901", fixture_reply("NCT99999901.json"))
    run = kg_cli("fetch", "NCT99999901", *output)
    assert (run.code, ndjson_ids(run.out)) == (0, ["NCT99999901"])


def test_cli_names_a_missing_id_fetches_the_others_and_exits_2(
    api: FakeApi, kg_cli: Callable[..., Run], tmp_path: Path
) -> None:
    api.script(f"{STUDIES}/NCT99999901", fixture_reply("NCT99999901.json"))
    api.script(f"{STUDIES}/NCT99999902", fixture_reply("NCT99999902.json"))
    out = tmp_path / "trials.ndjson"
    run = kg_cli("fetch", "NCT99999901", "NCT99999999", "NCT99999902", "-o", str(out))
    assert run.code == 2
    assert "kg: error: NCT99999999: no such study" in run.err
    assert ndjson_ids(out.read_bytes()) == ["NCT99999901", "NCT99999902"]


def test_cli_search_writes_every_page(
    api: FakeApi, kg_cli: Callable[..., Run], tmp_path: Path
) -> None:
    script_search(api)
    out = tmp_path / "lupus.ndjson"
    run = kg_cli(
        "fetch",
        "--condition",
        "Lupus Nephritis",
        "--sponsor",
        "Example Pharma",
        "--term",
        "kidney",
        "--updated-since",
        "2024-01-01",
        "--page-size",
        "2",
        "-o",
        str(out),
    )
    query = api.requests[0].query
    assert (run.code, ndjson_ids(out.read_bytes())) == (0, PAGED_IDS)
    assert (query["query.cond"], query["query.spons"], query["query.term"], query["pageSize"]) == (
        "Lupus Nephritis",
        "Example Pharma",
        "kidney",
        "2",
    )
    assert query["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2024-01-01,MAX]"


def test_cli_limit_stops_the_search(api: FakeApi, kg_cli: Callable[..., Run]) -> None:
    script_search(api)
    run = kg_cli("fetch", "--term", "x", "--limit", "3")
    assert (run.code, ndjson_ids(run.out)) == (0, PAGED_IDS[:3])


def test_cli_failure_leaves_the_output_file_untouched(
    api: FakeApi, kg_cli: Callable[..., Run], tmp_path: Path
) -> None:
    script_search(api, Reply(200, (FIXTURES / "search_page2.json").read_bytes()[:500]))
    out = tmp_path / "lupus.ndjson"
    out.write_bytes(b"old\n")
    run = kg_cli("fetch", "--condition", "Lupus Nephritis", "-o", str(out))
    assert (run.code, out.read_bytes(), [p.name for p in tmp_path.iterdir()]) == (
        2,
        b"old\n",
        ["lupus.ndjson"],
    )
    assert "kg: error: " in run.err and "not valid JSON" in run.err


def test_cli_notes_a_429_and_waits_before_retrying(
    api: FakeApi, kg_cli: Callable[..., Run], waits: list[float]
) -> None:
    api.script(
        f"{STUDIES}/NCT99999901",
        Reply(429, headers={"Retry-After": "3"}),
        fixture_reply("NCT99999901.json"),
    )
    run = kg_cli("fetch", "NCT99999901")
    assert (run.code, 3.0 in waits) == (0, True)
    assert "HTTP 429 Too Many Requests; retry 1 of 4 in 3.0 s" in run.err


def test_cli_retries_zero_fails_on_the_first_500(api: FakeApi, kg_cli: Callable[..., Run]) -> None:
    api.script(f"{STUDIES}/NCT99999901", Reply(500), fixture_reply("NCT99999901.json"))
    run = kg_cli("fetch", "NCT99999901", "--retries", "0")
    assert (run.code, "HTTP 500 Internal Server Error; gave up after 1 attempt" in run.err) == (
        2,
        True,
    )


def test_cli_timeout_is_the_wait_for_an_answer(api: FakeApi, kg_cli: Callable[..., Run]) -> None:
    api.script(f"{STUDIES}/NCT99999901", Reply(200, b"{}", delay=0.4))
    run = kg_cli("fetch", "NCT99999901", "--timeout", "0.1", "--retries", "0")
    assert (run.code, "no answer within 0.1 s" in run.err) == (2, True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NCT123"], "not an NCT number: 'NCT123'"),
        (["NCT99999901", "--term", "x"], "not both"),
        ([], "give NCT numbers, or search"),
        (["NCT99999901", "--limit", "2"], "--limit applies to searches"),
        (["--term", "x", "--updated-since", "last week"], "--updated-since takes a date"),
        (["NCT99999901", "--rate", "0"], "--rate and --timeout must be greater than 0"),
    ],
    ids=["bad-id", "ids-and-search", "nothing", "limit-with-ids", "bad-date", "zero-rate"],
)
def test_cli_bad_usage_exits_2_with_a_message(
    api: FakeApi, kg_cli: Callable[..., Run], args: list[str], message: str
) -> None:
    run = kg_cli("fetch", *args)
    assert (run.code, message in run.err, api.requests) == (2, True, [])


def test_kg_build_reads_the_fetched_ndjson(
    api: FakeApi, kg_cli: Callable[..., Run], tmp_path: Path
) -> None:
    script_search(api)
    fetched, graph = tmp_path / "lupus.ndjson", tmp_path / "lupus.nq"
    assert kg_cli("fetch", "--condition", "Lupus Nephritis", "-o", str(fetched)).code == 0
    run = kg_cli("build", str(fetched), "-o", str(graph))
    store = ox.Store()
    store.load(path=str(graph), format=ox.RdfFormat.N_QUADS)
    graphs = sorted(g.value for g in store.named_graphs())
    assert run.code == 0
    assert graphs == [f"https://w3id.org/trialkg/graph/{nct}" for nct in PAGED_IDS]
