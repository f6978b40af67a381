"""Pages of ``/queries/NAME`` over real HTTP: ``limit``/``offset``, the count, links, the cut flag.

The server of the ``server`` fixture cuts answers at 50 rows. Expected rows come from the scan
query (``queries/NAME.rq``, not its indexed variant) run on the shared records' store, sliced;
the same pages are asked of ``kg query --limit --offset``, whose JSON must be the server's bytes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyoxigraph as ox
import pytest
from publish_support import REPO, SEED_NCT, Server

from kg.indexed import choose, store_ask
from kg.publish.named_pages import read_by_values, read_rows
from kg.publish.sparql import run_named
from kg.queries import Bindings, NamedQuery, ResultTable, bind_params, load_query, run_query
from kg.query_output import Page, rank_paged, read_page

MAX_ROWS = 50  # the fixture's --max-rows
_JSON = {"Accept": "application/sparql-results+json"}
Row = tuple[tuple[str, str, str, str], ...]


def _scan(store: ox.Store, name: str, params: dict[str, str] | None = None) -> list[Row]:
    """The whole answer of the scan query (never its indexed variant), as comparable rows."""
    query = load_query(name)
    table = run_query(store, query, bind_params(query, params or {}), indexed=False)
    return [
        tuple(
            (c.kind, c.value, c.datatype or "", c.lang or "") if c else ("", "", "", "")
            for c in row
        )
        for row in table.rows
    ]


def _rows(body: bytes) -> list[Row]:
    doc = json.loads(body)
    names = doc["head"]["vars"]
    out = []
    for binding in doc["results"]["bindings"]:
        row = []
        for v in names:
            b = binding.get(v)
            if b is None:
                row.append(("", "", "", ""))
                continue
            kind = "bnode" if b["type"] == "bnode" else b["type"]
            row.append((kind, b["value"], b.get("datatype", ""), b.get("xml:lang", "")))
        out.append(tuple(row))
    return out


def _links(header: str) -> dict[str, dict[str, str]]:
    """``Link`` header -> {rel: URL parameters}."""
    out = {}
    for target, rel in re.findall(r'<([^>]*)>; rel="([a-z]+)"', header):
        parts = urlsplit(target)
        assert parts.path.startswith("/queries/")
        out[rel] = dict(parse_qsl(parts.query))
    return out


def _get(server: Server, name: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    query = urlencode(params)
    return server.request(f"/queries/{name}" + (f"?{query}" if query else ""), headers=_JSON)


def test_the_store_has_answers_larger_than_the_row_limit(publish_store: ox.Store) -> None:
    # The tests below are only worth something if the answers they page are large and ranked.
    assert len(_scan(publish_store, "sponsor-network")) > 2 * MAX_ROWS
    query = load_query("sponsor-network")
    assert rank_paged(choose(query, {}, store_ask(publish_store)))
    # A query read whole (no ranked variant): its pages are cut from the whole answer.
    assert not rank_paged(choose(load_query("dataset-summary"), {}, store_ask(publish_store)))
    assert len(_scan(publish_store, "dataset-summary")) > 20
    assert len(_scan(publish_store, "sponsors-by-class")) > 20


@pytest.mark.parametrize(
    ("name", "limit", "offset"),
    [
        ("sponsor-network", 20, 0),  # rank pages
        ("sponsor-network", 50, 37),
        ("sponsor-network", 7, 140),  # the end of the answer
        ("sponsors-by-class", 10, 0),
        ("sponsors-by-class", 10, 20),
        ("trials-per-city", 13, 5),
        ("dataset-summary", 5, 3),  # a query run whole, only the page made cells
        ("dataset-summary", 10, 20),
    ],
)
def test_a_page_is_the_whole_answer_sliced(
    server: Server, publish_store: ox.Store, name: str, limit: int, offset: int
) -> None:
    whole = _scan(publish_store, name)
    status, headers, body = _get(server, name, limit=str(limit), offset=str(offset))
    assert status == 200, body
    assert _rows(body) == whole[offset : offset + limit]
    assert headers["x-total-count"] == str(len(whole))
    assert "x-sparql-maxrows" not in headers  # the client asked for this page: nothing is cut
    links = _links(headers["link"])
    assert links["first"] == {"limit": str(limit), "offset": "0"}
    if offset + limit < len(whole):
        assert links["next"] == {"limit": str(limit), "offset": str(offset + limit)}
    else:
        assert "next" not in links
    if offset:
        prev = links["prev"]
        assert int(prev["offset"]) + int(prev["limit"]) == offset  # ends where this page starts
    else:
        assert "prev" not in links
    last = links["last"]
    assert int(last["offset"]) < len(whole) <= int(last["offset"]) + limit


def test_walking_the_next_links_gives_every_row_once(
    server: Server, publish_store: ox.Store
) -> None:
    whole = _scan(publish_store, "sponsor-network")
    got: list[Row] = []
    target: str | None = "/queries/sponsor-network?limit=30&format=json"
    pages = 0
    while target is not None:
        status, headers, body = server.request(target)
        assert status == 200, body
        got.extend(_rows(body))
        pages += 1
        nxt = re.search(r'<([^>]*)>; rel="next"', headers["link"])
        target = nxt.group(1) if nxt else None
        if target is not None:
            assert "format=json" in target  # the other parameters are kept
    assert got == whole
    assert pages == -(-len(whole) // 30)


def test_without_limit_a_large_answer_is_cut_at_the_row_limit_and_says_so(
    server: Server, publish_store: ox.Store
) -> None:
    whole = _scan(publish_store, "sponsor-network")
    status, headers, body = _get(server, "sponsor-network")
    assert status == 200
    assert _rows(body) == whole[:MAX_ROWS]
    assert headers["x-sparql-maxrows"] == str(MAX_ROWS)
    assert headers["x-total-count"] == str(len(whole))
    assert _links(headers["link"])["next"] == {"limit": str(MAX_ROWS), "offset": str(MAX_ROWS)}
    # An offset without a limit: the server's page from there; cut only if rows are left after.
    status, headers, body = _get(server, "sponsor-network", offset=str(len(whole) - 10))
    assert (status, _rows(body)) == (200, whole[-10:])
    assert "x-sparql-maxrows" not in headers
    status, headers, body = _get(server, "sponsor-network", offset="60")
    assert (status, _rows(body)) == (200, whole[60 : 60 + MAX_ROWS])
    assert headers["x-sparql-maxrows"] == str(MAX_ROWS)


def test_an_answer_within_the_row_limit_comes_whole_and_unflagged(
    server: Server, publish_store: ox.Store
) -> None:
    whole = _scan(publish_store, "trial-sponsors", {"nct": SEED_NCT})
    status, headers, body = _get(server, "trial-sponsors", nct=SEED_NCT)
    assert status == 200
    assert whole and _rows(body) == whole
    assert "x-sparql-maxrows" not in headers
    assert headers["x-total-count"] == str(len(whole))
    assert set(_links(headers["link"])) == {"first", "last"}


def test_past_the_end_is_an_empty_page_with_the_count(
    server: Server, publish_store: ox.Store
) -> None:
    for name in ("sponsor-network", "sponsors-by-class"):
        total = len(_scan(publish_store, name))
        status, headers, body = _get(server, name, limit="10", offset=str(total + 100))
        assert (status, _rows(body)) == (200, [])
        assert headers["x-total-count"] == str(total)
        links = _links(headers["link"])
        assert "next" not in links
        assert int(links["last"]["offset"]) < total <= int(links["last"]["offset"]) + 10


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"limit": "-1"}, "limit takes a whole number of rows from 1 to 50, got '-1'"),
        ({"limit": "0"}, "limit takes a whole number of rows from 1 to 50, got '0'"),
        ({"limit": "ten"}, "limit takes a whole number of rows from 1 to 50, got 'ten'"),
        ({"limit": "2.5"}, "limit takes a whole number of rows from 1 to 50, got '2.5'"),
        ({"limit": "51"}, "limit takes a whole number of rows from 1 to 50, got '51'"),
        ({"offset": "-5"}, "offset takes a whole number of rows, 0 or more, got '-5'"),
        ({"offset": "1e3"}, "offset takes a whole number of rows, 0 or more, got '1e3'"),
        ({"offset": "9" * 40}, "offset takes a whole number of rows, 0 or more, got '999"),
    ],
)
def test_a_bad_page_parameter_is_a_clear_400(
    server: Server, params: dict[str, str], says: str
) -> None:
    status, _, body = _get(server, "sponsor-network", **params)
    assert status == 400
    assert body.decode().startswith(says)
    assert body.count(b"\n") == 1  # one line


def test_empty_page_parameters_are_not_given_as_a_forms_empty_fields_are_not(
    server: Server, publish_store: ox.Store
) -> None:
    whole = _scan(publish_store, "sponsors-by-class")
    status, headers, body = _get(server, "sponsors-by-class", limit="", offset="", format="json")
    assert (status, _rows(body)) == (200, whole)
    assert headers["x-total-count"] == str(len(whole))


def test_the_list_of_queries_offers_pages_in_its_forms(server: Server) -> None:
    status, _, body = server.request("/queries", headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200
    assert '<input name="limit" type="number" min="1" max="50"' in page
    assert '<input name="offset" type="number" min="0"' in page


def test_a_page_parameter_given_twice_is_a_400(server: Server) -> None:
    status, _, body = server.request("/queries/sponsor-network?limit=5&limit=6", headers=_JSON)
    assert (status, body) == (400, b"give the 'limit' parameter once\n")


def test_the_page_headers_are_readable_by_scripts_of_other_origins(server: Server) -> None:
    _, headers, _ = server.request(
        "/queries/sponsor-network?limit=5", headers={**_JSON, "Origin": "https://example.org"}
    )
    exposed = {h.strip().lower() for h in headers["access-control-expose-headers"].split(",")}
    assert {"x-total-count", "link", "x-sparql-maxrows"} <= exposed


def _kg_query(store: Path, name: str, limit: int, offset: int) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "kg", "query", name, "--store", str(store), "-f", "json",
         "--limit", str(limit), "--offset", str(offset)],
        capture_output=True, env=env, cwd=REPO, timeout=120, check=True,
    )
    return done.stdout


@pytest.mark.parametrize(
    ("name", "limit", "offset"),
    [("sponsor-network", 25, 40), ("sponsors-by-class", 10, 5), ("dataset-summary", 7, 14)],
)
def test_a_page_is_the_bytes_of_kg_querys_page(
    server: Server, publish_store_path: Path, name: str, limit: int, offset: int
) -> None:
    status, _, body = _get(server, name, limit=str(limit), offset=str(offset))
    assert status == 200
    assert body == _kg_query(publish_store_path, name, limit, offset)


@pytest.mark.parametrize(
    "name",
    # sponsor-network: rank pages; the others page by rank blocks or keys once their variants
    # say so (`# pages: block|keys`), and are read whole until then: chunks or not, same rows.
    ["sponsor-network", "sponsors-by-class", "trials-without-results-publication"],
)
def test_pages_read_in_chunks_equal_one_read(publish_store: ox.Store, name: str) -> None:
    query = load_query(name)
    bindings = bind_params(query, {})  # the parameters' defaults
    chosen = choose(query, bindings, store_ask(publish_store))
    assert read_by_values(chosen) or name != "sponsor-network"

    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(publish_store, q, b, indexed=False)

    whole = run_query(publish_store, query, bindings, indexed=False).rows
    assert len(whole) > 5
    for page in (Page(50, 13), Page(200, 0), Page(9, max(0, len(whole) - 4)), Page(10, 500)):
        one = read_page(chosen, bindings, page, run, publish_store)
        chunked = read_rows(chosen, bindings, page, run, publish_store, chunk=3)
        assert chunked == one
        assert chunked.table.rows == whole[page.offset : page.offset + page.limit]
        assert chunked.total == len(whole)


@pytest.mark.parametrize(
    ("name", "max_rows", "page_rows", "offset", "rows", "cut"),
    [
        ("sponsor-network", 100, 20, 0, (0, 20), True),  # ranked, over the row limit: a page
        ("sponsor-network", 100, 20, 50, (50, None), False),  # the rest fits: all of it
        ("trials-per-city", 100, 10, 0, (0, None), False),  # ranked, read past the first page
        ("sponsors-by-class", 20, 5, 0, (0, 5), True),
        ("sponsors-by-class", 20, 5, 10, (10, None), False),
        ("dataset-summary", 10, 4, 0, (0, 4), True),  # run whole, cut to the page
        ("dataset-summary", 10, 4, 15, (15, None), False),
    ],
)
def test_without_limit_the_first_page_of_a_larger_answer_has_page_rows(
    publish_store: ox.Store,
    name: str,
    max_rows: int,
    page_rows: int,
    offset: int,
    rows: tuple[int, int | None],
    cut: bool,
) -> None:
    whole = _scan(publish_store, name)
    result = run_named(
        publish_store, name, {}, fmt="json", max_rows=max_rows, offset=offset, page_rows=page_rows
    )
    first, last = rows
    assert _rows(result.body) == whole[first:last]
    assert (result.truncated, result.total, result.offset) == (cut, len(whole), offset)
    assert result.limit == (page_rows if cut else max_rows)
    assert result.shown == len(whole[first:last])


def test_a_page_carries_an_etag_and_may_be_cached(server: Server) -> None:
    status, headers, _ = _get(server, "sponsor-network", limit="5", offset="10")
    assert status == 200 and headers["cache-control"] == "public, max-age=300"
    again = server.request(
        "/queries/sponsor-network?limit=5&offset=10",
        headers={**_JSON, "If-None-Match": headers["etag"]},
    )
    assert (again[0], again[2]) == (304, b"")
    other = _get(server, "sponsor-network", limit="5", offset="15")
    assert other[1]["etag"] != headers["etag"]


def test_a_named_query_that_resolves_its_trials_first_does_so_in_kg_serve(
    publish_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """adverse-events-by-intervention's variant needs kg's look-ups (``choose(lookup=...)``):
    without them kg serve ran the scan, > 60 s at 100,000 trials."""
    import kg.indexed

    calls: list[str] = []
    real = kg.indexed.resolved

    def spy(*args: object, **kwargs: object) -> object:
        calls.append("resolved")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kg.indexed, "resolved", spy)
    params = {"intervention": "placebo"}
    result = run_named(publish_store, "adverse-events-by-intervention", params, fmt="json")
    assert calls, "kg serve ran the scan: the variant was never considered"
    assert _rows(result.body) == _scan(publish_store, "adverse-events-by-intervention", params)
