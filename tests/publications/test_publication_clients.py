"""PubMed E-utilities and Crossref clients against the recorded server: politeness and failures."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from pubserver import RESPINE_DOI, RESPINE_PMID, SEED_NCT, Recorded, Reply, fixture_bytes

from kg.crossref import Crossref
from kg.errors import EndpointError
from kg.http import HttpClient
from kg.pubmed import SECRET_PARAMS, PubMed, parse_esearch


def _client(**kwargs: object) -> HttpClient:
    """A client that never waits: no rate limit, no real sleeping."""
    options: dict[str, object] = {
        "rate": 0,
        "sleep": lambda _: None,
        "secret_params": SECRET_PARAMS,
    }
    options.update(kwargs)
    return HttpClient(**options)  # type: ignore[arg-type]


def test_the_suite_cannot_reach_any_host_but_loopback() -> None:
    with pytest.raises(OSError, match=r"no name lookups|no network"):
        urllib.request.urlopen("http://eutils.ncbi.nlm.nih.gov/", timeout=1)


def test_trial_search_asks_for_the_nct_number_as_secondary_source_id(recorded: Recorded) -> None:
    pmids = PubMed(_client()).search_trial(SEED_NCT)
    assert pmids == [RESPINE_PMID, "99000001"]
    assert recorded.requests[0].query["term"] == "NCT03737461[si]"


def test_doi_search_reads_an_xml_answer(recorded: Recorded) -> None:
    assert PubMed(_client()).search_doi(RESPINE_DOI) == [RESPINE_PMID]


def test_a_search_finding_nothing_gives_no_pmid(recorded: Recorded) -> None:
    assert PubMed(_client()).search_doi("10.5555/unknown") == []


def test_requests_name_the_tool_the_contact_and_carry_the_api_key(recorded: Recorded) -> None:
    PubMed(_client(), api_key="secret-key", email="me@example.org").search_trial(SEED_NCT)
    query = recorded.requests[0].query
    assert (query["db"], query["tool"], query["email"], query["api_key"]) == (
        "pubmed",
        "kg",
        "me@example.org",
        "secret-key",
    )


def test_the_api_key_comes_from_the_environment_and_raises_the_rate(
    recorded: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCBI_API_KEY", "env-key")
    pubmed = PubMed()
    assert (pubmed.api_key, pubmed.http.rate) == ("env-key", 10.0)
    assert PubMed(api_key="").http.rate == 3.0


def test_the_api_key_is_masked_in_error_messages(recorded: Recorded) -> None:
    recorded.script(f"esearch:{SEED_NCT}[si]", Reply(400, b"bad request"))
    with pytest.raises(EndpointError) as failure:
        PubMed(_client(), api_key="secret-key").search_trial(SEED_NCT)
    assert "secret-key" not in str(failure.value)
    assert "api_key=%2A%2A%2A" in str(failure.value)


def test_a_429_is_retried_after_the_wait_it_asks_for(recorded: Recorded) -> None:
    waits: list[float] = []
    recorded.script(
        f"esearch:{SEED_NCT}[si]",
        Reply(429, fixture_bytes("esearch_rate_limited.json"), {"Retry-After": "2"}),
        Reply(body=fixture_bytes(f"esearch_si_{SEED_NCT}.json")),
    )
    pmids = PubMed(_client(sleep=waits.append)).search_trial(SEED_NCT)
    assert pmids == [RESPINE_PMID, "99000001"]
    assert (waits, recorded.count("/eutils/esearch")) == ([2.0], 2)


def test_a_timeout_is_retried(recorded: Recorded) -> None:
    recorded.script(
        f"efetch:{RESPINE_PMID}",
        Reply(body=b"<PubmedArticleSet/>", delay=1.0),
        Reply(body=fixture_bytes("efetch_39393844.xml")),
    )
    (article,) = PubMed(_client(timeout=0.2, retries=1)).fetch([RESPINE_PMID])
    assert article.pmid == RESPINE_PMID
    assert recorded.count("/eutils/efetch") == 2


def test_timeouts_to_the_end_are_an_endpoint_error(recorded: Recorded) -> None:
    recorded.script(f"efetch:{RESPINE_PMID}", Reply(body=b"<PubmedArticleSet/>", delay=1.0))
    with pytest.raises(EndpointError, match=r"no answer within 0\.2 s; gave up after 2 attempts"):
        PubMed(_client(timeout=0.2, retries=1)).fetch([RESPINE_PMID])


def test_fetch_asks_once_for_a_batch_and_skips_unknown_pmids(recorded: Recorded) -> None:
    articles = PubMed(_client()).fetch(["99000001", "99000099", "99000002"])
    assert [a.pmid for a in articles] == ["99000001", "99000002"]
    assert recorded.requests[0].query["id"] == "99000001,99000099,99000002"


def test_an_efetch_error_page_is_an_endpoint_error(recorded: Recorded) -> None:
    recorded.script(
        "efetch:1", Reply(body=b"<eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>")
    )
    with pytest.raises(EndpointError, match="expected <PubmedArticleSet>"):
        PubMed(_client()).fetch(["1"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"esearchresult": {"ERROR": "Invalid query"}}', "refused the search: Invalid query"),
        (b'{"error": "API rate limit exceeded"}', "API rate limit exceeded"),
        (b'{"esearchresult": {"idlist": ["12x"]}}', "not a PMID"),
        (b"<html>maintenance</html>", "expected <eSearchResult>"),
    ],
)
def test_an_esearch_answer_that_is_not_a_result_is_an_endpoint_error(
    body: bytes, message: str
) -> None:
    with pytest.raises(EndpointError, match=message):
        parse_esearch(body)


def test_crossref_gives_the_work_of_a_doi_and_sends_mailto(recorded: Recorded) -> None:
    work = Crossref(_client(), mailto="me@example.org").work("10.5555/kg-test-0001")
    assert work is not None
    assert work.doi == "10.5555/kg-test-0001"
    assert recorded.requests[0].query == {"mailto": "me@example.org"}
    assert recorded.requests[0].path == "/crossref/works/10.5555/kg-test-0001"


def test_crossref_without_the_doi_gives_none(recorded: Recorded) -> None:
    assert Crossref(_client()).work("10.5555/unknown") is None


def test_a_cached_answer_costs_no_request(recorded: Recorded, tmp_path: Path) -> None:
    for _ in range(2):
        PubMed(_client(cache_dir=tmp_path / "cache"), email="me@example.org").search_trial(SEED_NCT)
    assert recorded.count() == 1
