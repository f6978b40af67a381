"""Index formats: a store serves every variant of its index format or an earlier one, same rows.

A store built by this kg has index triples of format 8 (format 2's ``tkg:ownTitle``,
``tkg:fineGeoCell``, format 3's keys of trials sharing a condition with their titles, format 4's
with their NCT ids, format 5's MeSH descriptor ids, format 7's keys of trials sharing an
intervention, format 8's site keys; format 6 was withdrawn); one built by an older kg has format
7, 6, 5, 4, 3, 2 or 1 only. kg picks the newest
variant the store serves (``queries/indexed/NAME.rq``, then ``queries/indexed/index-3/NAME.rq``,
``index-2/``, ``index-1/``), so an older store keeps its fast answers
instead of falling back to the scans. Each comparison checks which variant was
picked (a silent fallback cannot pass) and that its rows are the scan's.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from build_support import store_copy
from index_support import note_index_format

from kg.build import build
from kg.index import INDEX_FORMAT
from kg.indexed import (
    STORE_MARKERS,
    box_cells,
    capabilities,
    choose,
    indexed_variants,
    requirements,
    store_ask,
)
from kg.queries import NamedQuery, bind_params, load_query, run_query
from kg.sinks import StoreSink
from kg.stats import STATS_GRAPH, refresh
from kg.terms import DEFAULT_BASE, TKG
from kg.void_counts import VOID_GRAPH

_FORMAT_2 = ("ownTitle", "fineGeoCell")
_FORMAT_3 = (
    "conditionTrialTitle",
    "conditionUntitledTrial",
    "meshTermTrialTitle",
    "meshTermUntitledTrial",
)
_FORMAT_4 = ("conditionTrialId", "meshTermTrialId")
_FORMAT_5 = ("meshIdKey",)
_FORMAT_7 = (
    "interventionNameTrialTitle",
    "interventionNameUntitledTrial",
    "interventionNameTrialId",
    "interventionNameSpelling",
    "interventionMeshTermTrialTitle",
    "interventionMeshTermUntitledTrial",
    "interventionMeshTermTrialId",
)
_FORMAT_8 = ("recruitingSiteKey",)
_UNTITLED_7 = ("interventionNameUntitledTrial", "interventionMeshTermUntitledTrial")
_SHARING_7 = "tkg:interventionNameTrialId"  # what the format-7 trials-sharing-intervention reads
_SHARING_3 = "tkg:conditionTrialTitle"  # what the format-3 trials-sharing-condition reads
_SHARING_4 = "tkg:conditionTrialId"  # what the format-4 one reads (as well as format 3's keys)
_SITES = """PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT DISTINCT ?lat ?lon WHERE { ?site tkg:geoCell ?c ; schema:geo ?g .
  ?g schema:latitude ?lat ; schema:longitude ?lon } ORDER BY ?lat ?lon LIMIT 6"""
_CONDITION_TRIALS = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?nct (COUNT(?other) AS ?n) WHERE { ?t dcterms:identifier ?nct ; schema:healthCondition ?c .
  ?other schema:healthCondition ?c FILTER(?other != ?t) } GROUP BY ?nct ORDER BY DESC(?n) ?nct
LIMIT 4"""
_INTERVENTION_TRIALS = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?nct (COUNT(?other) AS ?n) WHERE { ?t dcterms:identifier ?nct ; schema:studySubject ?i .
  ?i schema:name ?name . ?other schema:studySubject ?j . ?j schema:name ?name FILTER(?other != ?t) }
GROUP BY ?nct ORDER BY DESC(?n) ?nct LIMIT 4"""


def _select(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _store_format(store: ox.Store) -> list[str]:
    g = ox.NamedNode(STATS_GRAPH)
    return [
        q.object.value
        for q in store.quads_for_pattern(g, ox.NamedNode(TKG + "indexFormat"), None, g)
    ]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 synthetic trials built once into a store, closed: each test opens its own copy."""
    from kg.synth import load_params, write_zip

    folder = tmp_path_factory.mktemp("formats")
    zipped = write_zip(folder / "synth.zip", load_params(), 120, seed=5)
    store = folder / "store"
    with pytest.MonkeyPatch.context() as env:  # as tests/conftest.py's _reproducible
        env.setenv("SOURCE_DATE_EPOCH", "1700000000")
        build([str(zipped)], StoreSink(store), base=DEFAULT_BASE)
    return store


def _built(path: Path, registry: Path) -> ox.Store:
    """A fresh build of the registry at ``path`` (a copy of the module's: the same files), open."""
    return store_copy(registry, path)


def _drop(store: ox.Store, names: tuple[str, ...], *, held: bool = True) -> None:
    """Remove the keys named from every trial graph (``held``: check that the store had them).

    The dataset figures go too: no kg of an earlier index format kept them.
    """
    store.remove_graph(ox.NamedNode(VOID_GRAPH))
    for name in names:
        quads = [
            q
            for q in store.quads_for_pattern(None, ox.NamedNode(TKG + name), None, None)
            if q.graph_name != ox.NamedNode(STATS_GRAPH)
        ]
        assert quads or not held or name in ("fineGeoCell", *_FORMAT_3[1::2], *_UNTITLED_7)
        for quad in quads:
            store.remove(quad)


def _to_format_1(store: ox.Store) -> None:
    """What a build by kg of index format 1 left: no format-2 keys, no graph's format note."""
    _drop(store, (*_FORMAT_3, *_FORMAT_4, *_FORMAT_5, *_FORMAT_7, *_FORMAT_8), held=False)
    _drop(store, (*_FORMAT_2, "indexFormat"))
    refresh(store)  # a recount: the store's format is its graphs' lowest


def _to_format_2(store: ox.Store) -> None:
    """What a build by kg of index format 2 left: no format-3 keys, each graph's note "2"."""
    _drop(store, (*_FORMAT_4, *_FORMAT_5, *_FORMAT_7, *_FORMAT_8), held=False)  # (none at 3)
    _drop(store, _FORMAT_3)
    note_index_format(store, "2")


def _to_format_3(store: ox.Store) -> None:
    """What a build by kg of index format 3 left: no format-4 keys, each graph's note "3"."""
    _drop(store, (*_FORMAT_5, *_FORMAT_7, *_FORMAT_8), held=False)  # (none at format 4)
    _drop(store, _FORMAT_4)
    note_index_format(store, "3")


def _to_format_4(store: ox.Store) -> None:
    """What a build by kg of index format 4 left: no format-5 keys, each graph's note "4"."""
    _drop(store, (*_FORMAT_7, *_FORMAT_8), held=False)  # (none in a store of format 5)
    _drop(store, _FORMAT_5)
    note_index_format(store, "4")


def _to_format_5(store: ox.Store) -> None:
    """What a build by kg of index format 5 left: no format-7 keys, each graph's note "5"."""
    _drop(store, _FORMAT_8, held=False)  # (none in a store of format 7)
    _drop(store, _FORMAT_7)
    note_index_format(store, "5")


def _to_format_6(store: ox.Store) -> None:
    """What a build by kg of the withdrawn format 6 left, as far as kg reads it: no format-7 keys,
    each graph's note "6" (its point keys, which no query reads, aside)."""
    _drop(store, _FORMAT_8, held=False)  # (none in a store of format 7)
    _drop(store, _FORMAT_7)
    note_index_format(store, "6")


def _to_format_7(store: ox.Store) -> None:
    """What a build by kg of index format 7 left: no site keys, each graph's note "7"."""
    _drop(store, _FORMAT_8)
    note_index_format(store, "7")


def _cases(store: ox.Store) -> list[tuple[str, dict[str, str]]]:
    cases = [
        ("trials-sharing-condition", {"nct": row["nct"].value})  # type: ignore[union-attr]
        for row in _select(store, _CONDITION_TRIALS)
    ]
    cases += [
        ("trials-sharing-intervention", {"nct": row["nct"].value})  # type: ignore[union-attr]
        for row in _select(store, _INTERVENTION_TRIALS)
    ]
    for km in ("5", "25", "60"):
        for row in _select(store, _SITES)[:3]:
            lat, lon = row["lat"].value, row["lon"].value  # type: ignore[union-attr]
            cases.append(("recruiting-near", {"lat": lat, "lon": lon, "km": km}))
    assert len(cases) == 17
    return cases


def _compare(store: ox.Store, name: str, params: dict[str, str]) -> tuple[NamedQuery, int]:
    query = load_query(name)
    bindings = bind_params(query, params)
    picked = choose(query, bindings, store_ask(store))
    assert picked is not query, (name, params)
    scan = run_query(store, query, bindings, indexed=False)
    assert run_query(store, query, bindings) == scan, (name, params)
    return picked, len(scan.rows)


def test_a_store_of_this_kg_has_index_format_8_and_its_variants_give_the_scans_rows(
    tmp_path: Path, registry: Path
) -> None:
    store = _built(tmp_path / "store", registry)
    assert INDEX_FORMAT == "8"
    assert _store_format(store) == ["8"]
    assert capabilities(store_ask(store)) == {
        "statistics", "index", "index 2", "index 3",
        "index 4", "index 5", "index 6", "index 7", "index 8", "answers"
    }
    rows = 0
    for name, params in _cases(store):
        picked, n = _compare(store, name, params)
        rows += n
        if name == "trials-sharing-condition":
            assert _SHARING_4 in picked.text, params
            continue
        if name == "trials-sharing-intervention":
            assert _SHARING_7 in picked.text, params
            continue
        fine = box_cells(float(params["lat"]), float(params["lon"]), float(params["km"]), 16)
        assert ("tkg:fineGeoCell" in picked.text) == bool(fine), (name, params)
        assert "tkg:ownTitle" in picked.text, (name, params)  # quarter-degree cells too
    assert rows > 50  # not a comparison of empty answers


def test_a_format_3_store_keeps_its_format_3_variants_with_the_same_rows(
    tmp_path: Path, registry: Path
) -> None:
    store = _built(tmp_path / "store", registry)
    _to_format_3(store)
    assert _store_format(store) == ["3"]
    assert capabilities(store_ask(store)) == {
        "statistics", "index", "index 2", "index 3", "answers"
    }
    for name, params in _cases(store):
        picked, _ = _compare(store, name, params)
        assert _SHARING_4 not in picked.text and _SHARING_7 not in picked.text
        assert (_SHARING_3 in picked.text) == (name == "trials-sharing-condition")


@pytest.mark.parametrize("stored", ["5", "6"])
def test_a_format_5_or_6_store_keeps_its_variants_with_the_same_rows(
    tmp_path: Path, registry: Path, stored: str
) -> None:
    """A store of format 5, or of the withdrawn format 6 (built by kg between 1952bda and its
    revert), has no keys of trials sharing an intervention: kg reads it with the format-1
    variant of that query, and the format-4 one of trials sharing a condition."""
    store = _built(tmp_path / "store", registry)
    {"5": _to_format_5, "6": _to_format_6}[stored](store)
    assert _store_format(store) == [stored]
    formats = {"index", "index 2", "index 3", "index 4", "index 5", "index 6"}
    assert capabilities(store_ask(store)) == {"statistics", "answers"} | {
        f for f in formats if f == "index" or int(f.split()[1]) <= int(stored)
    }
    for name, params in _cases(store):
        picked, _ = _compare(store, name, params)
        assert _SHARING_7 not in picked.text
        if name == "trials-sharing-intervention":
            assert "tkg:interventionNameKey" in picked.text
        assert (_SHARING_4 in picked.text) == (name == "trials-sharing-condition")


def test_a_format_7_store_runs_recruiting_nears_sparql_with_the_same_rows(
    tmp_path: Path, registry: Path
) -> None:
    """No site keys (format 8): kg runs the chosen variant's SPARQL, never reads them itself."""
    from kg.native import native_table

    store = _built(tmp_path / "store", registry)
    _to_format_7(store)
    assert "index 8" not in capabilities(store_ask(store))
    for name, params in _cases(store):
        if name == "recruiting-near":
            picked, _ = _compare(store, name, params)
            assert picked.native == "index 8"  # the variant allows it; the store cannot
            query = load_query(name)
            assert native_table(store, picked, bind_params(query, params)) is None


def test_a_format_2_store_keeps_its_format_2_variants_with_the_same_rows(
    tmp_path: Path, registry: Path
) -> None:
    store = _built(tmp_path / "store", registry)
    _to_format_2(store)
    assert _store_format(store) == ["2"]
    assert capabilities(store_ask(store)) == {"statistics", "index", "index 2", "answers"}
    for name, params in _cases(store):
        picked, _ = _compare(store, name, params)
        assert _SHARING_3 not in picked.text
        assert ("tkg:ownTitle" in picked.text) == (name != "trials-sharing-intervention")


def test_a_new_trial_built_into_a_format_2_store_leaves_it_at_format_2(
    tmp_path: Path, registry: Path, seed_path: Path
) -> None:
    """The update's graph has kg's format, the others format 2: the store is of format 2 (the
    lowest), and keeps its format-2 variants (before format 3 such an update said format 1)."""
    path = tmp_path / "store"
    _to_format_2(_built(path, registry))
    build([str(seed_path)], StoreSink(path), base=DEFAULT_BASE)
    store = ox.Store(str(path))
    assert _store_format(store) == ["2"]
    for name, params in [*_cases(store), ("trials-sharing-condition", {"nct": "NCT03737461"})]:
        picked, _ = _compare(store, name, params)
        assert _SHARING_3 not in picked.text
        assert ("tkg:ownTitle" in picked.text) == (name != "trials-sharing-intervention")
    refresh(store)  # a recount gives the same
    assert _store_format(store) == ["2"]


def test_a_format_1_store_keeps_its_format_1_variants_with_the_same_rows(
    tmp_path: Path, registry: Path
) -> None:
    store = _built(tmp_path / "store", registry)
    _to_format_1(store)
    assert _store_format(store) == ["1"]
    assert capabilities(store_ask(store)) == {"statistics", "index", "answers"}
    for name, params in _cases(store):
        picked, _ = _compare(store, name, params)
        assert "tkg:ownTitle" not in picked.text and "fineGeoCell" not in picked.text
        assert _SHARING_3 not in picked.text
        assert "tkg:recordGraph" in picked.text


def test_a_new_trial_built_into_a_format_1_store_leaves_it_at_format_1(
    tmp_path: Path, registry: Path, seed_path: Path
) -> None:
    """The update's graph has kg's format, the others format 1: the store is of format 1."""
    path = tmp_path / "store"
    _to_format_1(_built(path, registry))
    build([str(seed_path)], StoreSink(path), base=DEFAULT_BASE)
    store = ox.Store(str(path))
    assert _store_format(store) == ["1"]
    for name, params in [*_cases(store), ("trials-sharing-condition", {"nct": "NCT03737461"})]:
        picked, _ = _compare(store, name, params)
        assert "tkg:ownTitle" not in picked.text


def test_a_trial_without_a_title_of_its_own_takes_any_graphs_title(
    tmp_path: Path, registry: Path
) -> None:
    """A trial whose own record has no title (or that only other records name) has no ownTitle
    key, and untitled keys on its conditions (format 3; its NCT id keys as any trial's, format 4):
    the variants read any graph's title for it, as the scans do (two titles: two rows), in every
    format, and a page of format 4 counts and orders its rows as the scan does."""
    from kg.query_output import Page, read_page
    from kg.reindex import reindex

    store = _built(tmp_path / "store", registry)
    (first, *_) = _cases(store)
    rows = run_query(store, load_query(first[0]), bind_params(load_query(first[0]), first[1]))
    other = rows.rows[0][rows.variables.index("other")]
    assert other is not None
    trial = ox.NamedNode(other.value)
    graph = ox.NamedNode(other.value.replace("/trial/", "/graph/"))
    name = ox.NamedNode("http://schema.org/name")
    for pred in (name, ox.NamedNode(TKG + "ownTitle")):
        for quad in list(store.quads_for_pattern(trial, pred, None, None)):
            store.remove(quad)
    # What a build of the record without its title writes: its keys derived again (kg.reindex
    # derives a graph's keys from its quads when its note is of an older format).
    for key in (*_FORMAT_3, *_FORMAT_4, *_FORMAT_7, "indexFormat"):
        for quad in list(store.quads_for_pattern(None, ox.NamedNode(TKG + key), None, graph)):
            store.remove(quad)
    store.add(ox.Quad(graph, ox.NamedNode(TKG + "indexFormat"), ox.Literal("2"), graph))
    assert reindex(store).upgraded == 1
    untitled = ox.NamedNode(TKG + "conditionUntitledTrial")
    assert list(store.quads_for_pattern(None, untitled, trial, graph))
    elsewhere = ox.NamedNode(f"{DEFAULT_BASE}graph/elsewhere")
    store.add(ox.Quad(trial, name, ox.Literal("Listed title A"), elsewhere))
    store.add(ox.Quad(trial, name, ox.Literal("Listed title B"), elsewhere))
    for convert in (None, _to_format_3, _to_format_2, _to_format_1):
        if convert is not None:
            convert(store)
        picked, n = _compare(store, *first)
        assert (_SHARING_4 in picked.text) == (convert is None)
        assert (_SHARING_3 in picked.text) == (convert in (None, _to_format_3))
        query = load_query(first[0])
        titles = run_query(store, query, bind_params(query, first[1]))
        column = titles.variables.index("other")
        at = next(i for i, r in enumerate(titles.rows) if r[column] == other)
        for offset in (0, at, max(0, at - 1)):
            page = read_page(
                picked, bind_params(query, first[1]), Page(2, offset),
                lambda q, b: run_query(store, q, b, indexed=False), store,
            )
            assert (page.total, page.table.rows) == (n, titles.rows[offset : offset + 2])
        mine = [r for r in titles.rows if r[titles.variables.index("other")] == other]
        assert {r[titles.variables.index("title")].value for r in mine} == {  # type: ignore[union-attr]
            "Listed title A",
            "Listed title B",
        }
        assert n == len(rows.rows) + len(mine) // 2


def test_requirements_and_markers_say_the_lowest_format_a_variant_reads() -> None:
    newest, third, second, older = indexed_variants(load_query("trials-sharing-condition"))
    assert requirements(newest) == {"index 4"}
    assert requirements(third) == {"index 3"}
    assert requirements(second) == {"index 2"}
    assert requirements(older) == {"index"}
    fine, quarter, older = indexed_variants(load_query("recruiting-near"))
    assert requirements(fine) == requirements(quarter) == {"index 2"}
    assert requirements(older) == {"index"}
    seventh, older = indexed_variants(load_query("trials-sharing-intervention"))
    assert requirements(seventh) == {"index 7"}
    assert requirements(older) == {"index"}
    formats = {"index": 1, "index 2": 2, "index 3": 3, "index 4": 4, "index 5": 5, "index 7": 7}
    for need, at_least in formats.items():
        for stored in ("1", "2", "3", "4", "5", "6", "7", "8"):
            store = ox.Store()
            g = ox.NamedNode(STATS_GRAPH)
            store.add(ox.Quad(g, ox.NamedNode(TKG + "indexFormat"), ox.Literal(stored), g))
            assert store_ask(store)(STORE_MARKERS[need]) == (int(stored) >= at_least)


def _quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


@pytest.fixture(scope="module")
def fresh(registry: Path) -> set[ox.Quad]:
    """The quads of a fresh build of the registry, read once for the module's reindex tests."""
    return _quads(ox.Store.read_only(str(registry)))


def test_kg_reindex_gives_a_format_1_store_the_keys_a_fresh_build_writes(
    tmp_path: Path, registry: Path, fresh: set[ox.Quad]
) -> None:
    from typer.testing import CliRunner

    from kg.cli import app
    from kg.reindex import reindex

    path = tmp_path / "store"
    older = _built(path, registry)
    _to_format_1(older)
    assert _quads(older) != fresh
    del older  # closed: the command opens the store itself
    result = CliRunner().invoke(app, ["reindex", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "120 trial graphs given the index keys of format 8" in result.output
    store = ox.Store(str(path))
    assert _quads(store) == fresh  # every graph, the statistics and answers graphs included
    report = reindex(store)  # again: nothing left to do
    assert (report.upgraded, report.current, report.quads, report.store_format) == (0, 120, 0, "8")
    for name, params in _cases(store):
        picked, _ = _compare(store, name, params)
        assert _SHARING_4 in picked.text or _SHARING_7 in picked.text or name == "recruiting-near"


@pytest.mark.parametrize(
    ("stored", "figures"),
    [*((n, "none") for n in "234567"), ("3", "kept"), ("7", "kept")],
)
def test_kg_reindex_gives_a_format_2_to_7_store_the_keys_a_fresh_build_writes(
    tmp_path: Path, registry: Path, fresh: set[ox.Quad], stored: str, figures: str
) -> None:
    """Format 2 to 7 to 8 (4: a store built before format 5; 6: the withdrawn format, as the 100k
    benchmark store was): the keys the later formats add, and the graphs' older notes go. The
    dataset figures: counted when the store has none, moved by the keys when it keeps them."""
    from kg.publish.void import count_figures
    from kg.reindex import reindex
    from kg.void_counts import read, write

    older = _built(tmp_path / "store", registry)
    convert = {
        "2": _to_format_2, "3": _to_format_3, "4": _to_format_4, "5": _to_format_5,
        "6": _to_format_6, "7": _to_format_7,
    }
    convert[stored](older)
    assert _store_format(older) == [stored]
    assert read(older) is None
    if figures == "kept":  # as if that kg had kept them: moved by the keys reindex writes
        write(older, count_figures(older, DEFAULT_BASE))
        assert read(older) is not None
    report = reindex(older)
    assert (report.upgraded, report.current, report.store_format) == (120, 0, "8")
    assert _quads(older) == fresh
