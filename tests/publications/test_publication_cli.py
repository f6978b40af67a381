"""``kg fetch-publications``, ``kg fetch --publications`` and ``kg report publications``."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pubserver import (
    RESPINE_PMID,
    SEED,
    SEED_NCT,
    Recorded,
    Reply,
    fixture_bytes,
)

from kg.cli import main
from kg.mapping.articles import publications_graph
from kg.publication_links import PUBLICATIONS_ONTOLOGY_GRAPH
from kg.queries import bind_params, load_query, run_query
from kg.sinks import open_store
from kg.terms import Minter

GRAPH = ox.NamedNode(publications_graph(Minter(), SEED_NCT)[1:-1])


@pytest.fixture(autouse=True)
def _fast_and_cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An API key (10 requests a second, not 3) and a cache of this test's own."""
    monkeypatch.setenv("NCBI_API_KEY", "test-key")
    monkeypatch.setenv("KG_CACHE", str(tmp_path / "cache"))


def kg(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["kg", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


def _quads(store_path: Path, graph: ox.NamedNode = GRAPH) -> int:
    return len(list(open_store(store_path).quads_for_pattern(None, None, None, graph)))


def _publications(store_path: Path) -> dict[str, tuple[set[str], str | None]]:
    """Return trial-publications' rows by publication: its PMIDs and its link sources."""
    query = load_query("trial-publications")
    table = run_query(open_store(store_path), query, bind_params(query, {"nct": SEED_NCT}))
    col = {v: k for k, v in enumerate(table.variables)}
    out: dict[str, tuple[set[str], str | None]] = {}
    for row in table.rows:
        pub, pmid, source = (row[col[c]] for c in ("publication", "pmid", "linkSource"))
        assert pub is not None and source is not None
        pmids, _ = out.setdefault(pub.value, (set(), source.value))
        pmids.update([pmid.value] if pmid else [])
    return out


# --- fetch-publications ---------------------------------------------------------------------------


def test_links_go_to_the_trials_publications_graph_of_the_store(
    recorded: Recorded,
    seed_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = kg(
        ["fetch-publications", SEED_NCT, "--store", str(seed_store_path)], monkeypatch, capsys
    )
    assert code == 0, err
    assert "1 trial, 2 publications" in err
    assert _publications(seed_store_path) == {
        Minter().publication(pmid="99000001")[1:-1]: ({"99000001"}, "PUBMED_DATABANK"),
        Minter().publication(pmid=RESPINE_PMID)[1:-1]: (
            {RESPINE_PMID},
            "DOI_MATCH, PUBMED_DATABANK, REGISTRY_REFERENCE",
        ),
    }


def test_the_store_gets_the_publications_ontology(
    recorded: Recorded,
    seed_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kg(["fetch-publications", "--store", str(seed_store_path)], monkeypatch, capsys)
    assert _quads(seed_store_path, ox.NamedNode(PUBLICATIONS_ONTOLOGY_GRAPH)) > 100


def test_requests_carry_the_api_key_of_the_environment(
    recorded: Recorded,
    seed_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kg(["fetch-publications", "--store", str(seed_store_path)], monkeypatch, capsys)
    assert {r.query.get("api_key") for r in recorded.requests} == {"test-key"}


def test_a_rerun_costs_no_request_and_replaces_the_graph(
    recorded: Recorded,
    seed_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["fetch-publications", SEED_NCT, "--store", str(seed_store_path)]
    kg(args, monkeypatch, capsys)
    first = (recorded.count(), _quads(seed_store_path))
    code, _, _ = kg(args, monkeypatch, capsys)
    assert (code, recorded.count(), _quads(seed_store_path)) == (0, *first)
    assert first[0] == 3


def test_a_rebuild_of_the_trial_keeps_its_publications(
    recorded: Recorded,
    seed_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kg(["fetch-publications", "--store", str(seed_store_path)], monkeypatch, capsys)
    before = _quads(seed_store_path)
    code, _, _ = kg(["build", str(SEED), "--store", str(seed_store_path)], monkeypatch, capsys)
    assert (code, _quads(seed_store_path)) == (0, before)


def test_an_output_file_gets_the_graph_and_the_store_is_untouched(
    recorded: Recorded,
    seed_store_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "links.nq"
    code, _, _ = kg(
        ["fetch-publications", "--store", str(seed_store_path), "-o", str(out)], monkeypatch, capsys
    )
    assert code == 0
    assert f"<{GRAPH.value}> .\n" in out.read_text("utf-8")
    assert _quads(seed_store_path) == 0


def test_trials_without_a_store_are_linked_through_pubmed_alone(
    recorded: Recorded,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "links.nq"
    code, _, _ = kg(
        ["fetch-publications", SEED_NCT, "--store", str(tmp_path / "none"), "-o", str(out)],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert "doi" not in " ".join(r.query.get("term", "") for r in recorded.requests)
    assert f"/publication/pmid/{RESPINE_PMID}>" in out.read_text("utf-8")


def test_no_trial_and_no_store_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = kg(
        ["fetch-publications", "--store", str(tmp_path / "none")], monkeypatch, capsys
    )
    assert code == 2
    assert "give NCT numbers or --store" in err


def test_a_429_is_retried_and_said_on_stderr(
    recorded: Recorded,
    seed_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorded.script(
        f"esearch:{SEED_NCT}[si]",
        Reply(429, fixture_bytes("esearch_rate_limited.json"), {"Retry-After": "0"}),
        Reply(body=fixture_bytes(f"esearch_si_{SEED_NCT}.json")),
    )
    code, _, err = kg(["fetch-publications", "--store", str(seed_store_path)], monkeypatch, capsys)
    assert code == 0
    assert "HTTP 429" in err and "retry 1 of 4" in err
    assert len(_publications(seed_store_path)) == 2


def test_a_trial_whose_lookup_fails_is_named_and_the_others_are_written(
    recorded: Recorded,
    seed_store_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorded.script(f"esearch:{SEED_NCT}[si]", Reply(503, b"Service Unavailable"))
    out = tmp_path / "links.nq"
    code, _, err = kg(
        [
            "fetch-publications",
            SEED_NCT,
            "NCT00777179",
            "--store",
            str(seed_store_path),
            "--retries",
            "0",
            "-o",
            str(out),
        ],
        monkeypatch,
        capsys,
    )
    assert code == 2
    assert f"kg: error: {SEED_NCT}: " in err and "HTTP 503" in err
    text = out.read_text("utf-8")
    assert "graph/publications/NCT00777179>" in text
    assert f"graph/publications/{SEED_NCT}>" not in text


def test_kg_fetch_publications_flag_links_like_the_command(
    recorded: Recorded,
    seed_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, _ = kg(
        ["fetch", "--publications", SEED_NCT, "--store", str(seed_store_path)], monkeypatch, capsys
    )
    assert code == 0
    assert len(_publications(seed_store_path)) == 2


# --- report publications --------------------------------------------------------------------------


def test_report_prints_the_gap_by_lead_sponsor_class(
    linked_gap_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = kg(
        ["report", "publications", "--store", str(linked_gap_store), "--as-of", "2025-06-30"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert [line.split() for line in out.splitlines()] == [
        ["sponsor", "class", "trials", "with", "results", "without", "gap", "searched"],
        ["INDUSTRY", "3", "2", "1", "33%", "3"],
        ["OTHER_GOV", "2", "0", "2", "100%", "2"],
        ["all", "5", "2", "3", "60%", "5"],
    ]


def test_report_counts_trials_never_searched(
    gap_store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = kg(
        ["report", "publications", "--store", str(gap_store_path), "--as-of", "2025-06-30"],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert out.splitlines()[-1].split() == ["all", "5", "1", "4", "80%", "0"]


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_report_draws_the_chart(
    linked_gap_store: Path,
    tmp_path: Path,
    suffix: str,
    magic: bytes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    chart = tmp_path / f"gap{suffix}"
    code, _, _ = kg(
        ["report", "publications", "--store", str(linked_gap_store), "-o", str(chart)],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert chart.read_bytes().startswith(magic)


def test_a_chart_that_is_neither_png_nor_svg_is_a_usage_error(
    gap_store_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = kg(
        ["report", "publications", "--store", str(gap_store_path), "-o", str(tmp_path / "gap.pdf")],
        monkeypatch,
        capsys,
    )
    assert code == 2
    assert "the chart is .png or .svg" in err
    assert not (tmp_path / "gap.pdf").exists()


def test_report_without_a_store_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = kg(
        ["report", "publications", "--store", str(tmp_path / "none")], monkeypatch, capsys
    )
    assert code == 2
    assert "no kg store here" in err
