"""Issue 15, fourth pass: block pages (``# pages: block``) and values kg resolves first.

Every answer is compared with the scan (``queries/NAME.rq``, ``indexed=False``) on the same store,
after checking that the fast path was taken, so a silent fallback cannot make a test pass.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from index_support import note_index_format

from kg.build import build
from kg.indexed import choose, store_ask, store_lookup
from kg.key_pages import keys_paged, read_keys_page
from kg.queries import Bindings, NamedQuery, ResultTable, bind_params, load_query, run_query
from kg.query_output import Page, read_page
from kg.rank_blocks import block_paged, find_block, rank_page_form, ranked_form
from kg.resolve import MAX_SPELLINGS, SPELLINGS, spellings
from kg.sinks import StoreSink, open_store
from kg.terms import DEFAULT_BASE, MESH, TKG

_BLOCK_CASES = [
    ("publications-per-sponsor", {"role": role})
    for role in ("lead", "collaborator", "sponsor", "any", "nobody", "")
] + [
    ("sponsor-publications", {"role": role}) for role in ("lead", "collaborator", "any", "zzz")
] + [
    ("sponsors-by-class", {"class": code})
    for code in ("any", "INDUSTRY", "NIH", "OTHER", "OTHER_GOV", "FED", "UNKNOWN", "A", "ZZZ")
] + [
    ("trials-without-results-publication", p)
    for p in ({}, {"which": "all", "asOf": "2025-06-30"}, {"years": "0", "asOf": "2021-01-01"},
              {"which": "all", "asOf": "1990-01-01"})
]

# Drawn among the trials that list adverse events (most list none), and among all.
_INTERVENTIONS = """PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT DISTINCT ?name ?listed WHERE { ?t schema:studySubject ?iv . ?iv a tkg:Intervention ;
  schema:name ?name BIND(EXISTS { ?t tkg:adverseEvent ?e } AS ?listed) } ORDER BY ?name ?listed"""
_DESCRIPTORS = """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT DISTINCT ?name ?listed WHERE { ?t tkg:interventionMeshTerm|tkg:interventionMeshAncestor ?d
  BIND(STRAFTER(STR(?d), "/mesh/") AS ?name) BIND(EXISTS { ?t tkg:adverseEvent ?e } AS ?listed) }
ORDER BY ?name ?listed"""


def _run(store: ox.Store) -> object:
    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(store, q, b, indexed=False)

    return run


def _pages(store: ox.Store, name: str, params: dict[str, str], sizes: tuple[int, ...]) -> int:
    """Every page of a block- or keys-paged variant is the scan's answer's slice, with its count."""
    query = load_query(name)
    bindings = bind_params(query, params)
    chosen = choose(query, bindings, store_ask(store))
    scan = run_query(store, query, bindings, indexed=False)
    n = len(scan.rows)
    if keys_paged(chosen):
        read = read_keys_page(_run(store), chosen, bindings, 0, 1)  # type: ignore[arg-type]
        assert read is not None and read[1] == n, (name, params)  # not the slow way
    else:
        assert block_paged(chosen), (name, params)
        block = find_block(_run(store), ranked_form(chosen), bindings)  # type: ignore[arg-type]
        assert block is not None and block[1] - block[0] == n, (name, params, block)
    for size in sizes:
        offsets = sorted({0, size, n // 2, max(0, n - size), max(0, n - 1), n, n + 5})
        for offset in offsets:
            page = read_page(chosen, bindings, Page(size, offset), _run(store))  # type: ignore[arg-type]
            assert page.total == n, (name, params, size, offset)
            assert page.table.variables == scan.variables
            assert page.table.rows == scan.rows[offset : offset + size], (name, params, offset)
    return n


def test_block_pages_are_slices_of_the_scan_on_the_shared_records(shared_store: ox.Store) -> None:
    counts = {(name, tuple(p.values())): _pages(shared_store, name, p, (1, 7, 100))
              for name, p in _BLOCK_CASES}
    assert sum(1 for n in counts.values() if n > 10) >= 8, counts  # not only empty answers
    assert counts["publications-per-sponsor", ("nobody",)] == 0


def test_block_pages_of_a_synthetic_registry(tmp_path: Path) -> None:
    from kg.synth import load_params, write_zip

    registry = write_zip(tmp_path / "synth.zip", load_params(), 120, seed=4)
    path = tmp_path / "store"
    build([str(registry)], StoreSink(path), base=DEFAULT_BASE)
    store = open_store(path)
    nonempty = sum(_pages(store, name, p, (1, 13)) > 13 for name, p in _BLOCK_CASES)
    assert nonempty >= 6


def test_a_class_with_two_codes_breaks_the_block_and_pages_the_slow_way(tmp_path: Path,
                                                                        seed_path: Path) -> None:
    """A store that breaks the ranks' promise: the page is read the slow way, from the whole answer.

    (The variant then orders the rows by rank before the code, unlike the scan: a store kg never
    writes; the page must still be the slice of what the variant answers, not a wrong block.)
    """
    path = tmp_path / "store"
    build([str(seed_path)], StoreSink(path), base=DEFAULT_BASE)
    store = ox.Store(str(path))
    skos = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
    concepts = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(TKG + "sponsorClass"),
                                                            None)}
    assert concepts
    rows = list(store.quads_for_pattern(None, ox.NamedNode(TKG + "sponsorClass"), None))
    for quad in rows:  # a second code for every class: each sponsor row is two rows
        store.add(ox.Quad(quad.object, skos, ox.Literal("ZZ_SECOND"), quad.graph_name))
    query = load_query("sponsors-by-class")
    bindings = bind_params(query, {"class": "any"})
    chosen = choose(query, bindings, store_ask(store))
    assert block_paged(chosen)
    assert find_block(_run(store), ranked_form(chosen), bindings) is None  # type: ignore[arg-type]
    whole = run_query(store, query, bindings)
    assert len(whole.rows) > 2
    for on_store in (store, None):
        page = read_page(chosen, bindings, Page(2, 1), _run(store), on_store)  # type: ignore[arg-type]
        assert page.table.rows == whole.rows[1:3] and page.total == len(whole.rows)


# --- adverse-events-by-intervention: the trials resolved first -------------------------------


def test_every_character_whose_lower_case_is_ascii_is_a_spelling() -> None:
    """kg.resolve.spellings must list every string the scan's LCASE would match."""
    found: dict[str, set[str]] = {}
    for point in range(sys.maxunicode + 1):
        c = chr(point)
        if 0xD800 <= point <= 0xDFFF:
            continue
        low = c.lower()
        if len(low) == 1 and low.isascii():
            found.setdefault(low, set()).add(c)
    for low, chars in found.items():
        expected = set(SPELLINGS.get(low, low + low.upper() if low.upper() != low else low))
        assert chars == expected, low
    assert spellings("k1") == ["k1", "K1", "\u212a1"]
    assert spellings("a" * 13) is None and len(spellings("a" * 12) or []) == MAX_SPELLINGS


def _adverse(store: ox.Store, params: dict[str, str]) -> ResultTable:
    query = load_query("adverse-events-by-intervention")
    bindings = bind_params(query, params)
    picked = choose(query, bindings, store_ask(store), lookup=store_lookup(store))
    assert picked.text != query.text, params
    assert choose(query, bindings, store_ask(store)) is query  # no look-ups: the scan
    scan = run_query(store, query, bindings, indexed=False)
    fast = run_query(store, query, bindings)
    assert fast == scan, params
    return scan


def _adverse_cases(
    store: ox.Store, count: int, seed: int, *, anyhow: int = 2, unknown: bool = True
) -> list[dict[str, str]]:
    """``count`` drawn names and ids with adverse events and ``anyhow`` of any, in any case."""
    rng = random.Random(seed)  # noqa: S311 - sampling test cases

    def drawn(text: str) -> list[str]:
        found = [(s["name"].value, s["listed"].value == "true")  # type: ignore[index,union-attr]
                 for s in store.query(text, use_default_graph_as_union=True)]
        listed = sorted({n for n, yes in found if yes})
        return rng.sample(listed, min(count, len(listed))) + rng.sample(
            sorted({n for n, _ in found}), min(anyhow, len(found)))

    names, ids = drawn(_INTERVENTIONS), drawn(_DESCRIPTORS)
    cases: list[dict[str, str]] = [{"intervention": "placebo", "seriousness": "any"}]
    if unknown:
        cases.append({"intervention": "no such thing"})
    for name in names:
        spelt = rng.choice([name, name.upper(), name.lower()])
        cases.append({"intervention": spelt, "seriousness": rng.choice(["SERIOUS", "any"])})
    for d in ids:
        spelt = rng.choice([d, d.lower()])
        cases.append({"intervention": spelt, "seriousness": rng.choice(["OTHER", "any"])})
    return cases


def test_adverse_events_by_intervention_gives_the_scans_rows_on_the_shared_records(
    shared_store: ox.Store,
) -> None:
    # Placebo, a drawn name and a drawn id with adverse events: each case runs the scan (~6-12 s
    # here); the synthetic registry below draws more, names and ids of any trial (answers without
    # rows among them) and an unknown name, at a fraction of the cost.
    cases = _adverse_cases(shared_store, 1, seed=3, anyhow=0, unknown=False)
    nonempty = sum(bool(_adverse(shared_store, p).rows) for p in cases)
    assert (len(cases), nonempty) == (3, 3)


def test_adverse_events_by_intervention_on_a_synthetic_registry(tmp_path: Path) -> None:
    from kg.synth import load_params, write_zip

    registry = write_zip(tmp_path / "synth.zip", load_params(), 150, seed=6)
    path = tmp_path / "store"
    build([str(registry)], StoreSink(path), base=DEFAULT_BASE)
    store = open_store(path)
    nonempty = sum(bool(_adverse(store, p).rows) for p in _adverse_cases(store, 6, seed=1))
    assert nonempty >= 3


@pytest.mark.parametrize("stored", ["8", "4"])
def test_a_descriptor_id_in_any_case_finds_its_trials(tmp_path: Path, stored: str) -> None:
    """A record's id in another case (or with a Kelvin sign), or of more letters than kg binds
    spellings of, is found as the scan finds it: by its stored key (index format 5 and later, the
    link's keys derived from the graph as a build derives them) or, in a store of format 4, by every
    spelling bound or the scan's comparison."""
    from kg.reindex import reindex
    from kg.synth import load_params, write_zip

    registry = write_zip(tmp_path / "synth.zip", load_params(), 40, seed=2)
    path = tmp_path / "store"
    build([str(registry)], StoreSink(path), base=DEFAULT_BASE)
    store = ox.Store(str(path))
    events = list(store.quads_for_pattern(None, ox.NamedNode(TKG + "adverseEvent"), None))
    assert events  # the synthetic registry posts results
    trial, graph = events[0].subject, events[0].graph_name
    assert isinstance(graph, ox.NamedNode)
    key = ox.NamedNode(TKG + "meshIdKey")
    long_id = "Londbandforvir-X1"  # 15 letters: more spellings than kg binds (MAX_SPELLINGS)
    assert spellings(long_id) is None
    cases = (("D0000X1", "d0000X1"), ("d0000x1", "D0000x1"), ("kx1", "\u212aX1"),
             (long_id.upper(), long_id))
    for _, odd in cases:
        store.add(ox.Quad(trial, ox.NamedNode(TKG + "interventionMeshAncestor"),
                          ox.NamedNode(MESH + odd), graph))
        note_index_format(store, "4", graph)  # its keys derived again, as a build writes them
        assert reindex(store).upgraded == 1
        assert ox.Quad(ox.NamedNode(MESH + odd), key, ox.Literal(odd.lower()), graph) in store
    if stored == "4":  # what a build of index format 4 left: no descriptor id keys
        for quad in list(store.quads_for_pattern(None, key, None, None)):
            store.remove(quad)
        note_index_format(store, "4")
    marks = list(store.quads_for_pattern(None, ox.NamedNode(TKG + "indexFormat"), None, None))
    assert {m.object.value for m in marks} == {stored}
    for spelt, _ in cases:
        assert _adverse(store, {"intervention": spelt, "seriousness": "any"}).rows, spelt


def test_a_large_page_is_read_in_chunks_of_ranks_or_keys(shared_store: ox.Store) -> None:
    """kg query --limit N binds at most ``chunk`` ranks or keys a query (pyoxigraph 0.5.13 plans
    a larger VALUES block another way: 2,000 ranks 40 s at 100k); the page is the same."""
    from kg.key_pages import KEYS_DIR, keys_paged
    from kg.query_output import values_paged

    cases = [
        ("trials-per-city", {}),
        ("sponsors-by-class", {"class": "any"}),
        ("trials-without-results-publication", {}),
    ]
    for name, params in cases:
        query = load_query(name)
        bindings = bind_params(query, params)
        chosen = choose(query, bindings, store_ask(shared_store))
        assert values_paged(chosen), name
        scan = run_query(shared_store, query, bindings, indexed=False).rows
        calls: list[str] = []

        def run(q: NamedQuery, b: Bindings, calls: list[str] = calls) -> ResultTable:
            calls.append(q.text)
            return run_query(shared_store, q, b, indexed=False)

        for page in (Page(10, 0), Page(11, len(scan) // 2), Page(10, max(0, len(scan) - 4))):
            calls.clear()
            one = read_page(chosen, bindings, page, run)  # type: ignore[arg-type]
            single = len(calls)
            calls.clear()
            chunked = read_page(chosen, bindings, page, run, chunk=3)  # type: ignore[arg-type]
            assert chunked == one, (name, page)
            assert chunked.table.rows == scan[page.offset : page.offset + page.limit], name
            if len(one.table.rows) > 3:
                assert len(calls) > single, (name, page)  # read in parts, not in one go
            if keys_paged(chosen):  # the keys once, whatever the chunks (they were read per chunk)
                keys = load_query(str(KEYS_DIR / f"{name}.rq")).text
                assert calls.count(keys) == 1, (name, page)



def test_a_page_whose_answer_changes_between_its_chunks_is_an_error(
    shared_store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.query_output
    from kg.errors import AnswerChangedError

    query = load_query("trials-per-city")
    bindings = bind_params(query, {})
    chosen = choose(query, bindings, store_ask(shared_store))
    real = kg.query_output._read_page_once
    seen: list[int] = []

    def once(*args: object) -> object:
        got = real(*args)  # type: ignore[arg-type]
        seen.append(got.total)
        if len(seen) == 1:
            return got
        return type(got)(got.table, got.page, got.total - 1)  # a trial graph dropped meanwhile

    monkeypatch.setattr(kg.query_output, "_read_page_once", once)
    with pytest.raises(AnswerChangedError, match="trials-per-city: the answer changed"):
        read_page(chosen, bindings, Page(10, 0), _run(shared_store), chunk=3)  # type: ignore[arg-type]


def test_a_variant_written_for_whole_answers_reads_its_pages_with_its_rank_form(
    shared_store: ox.Store,
) -> None:
    """``# rank form:``: the variant joins whole columns (a whole answer), its rank form starts
    from the ranks bound (a page); both give the scan's rows, and a page never runs the variant."""
    from kg.indexed import INDEXED_DIR
    from kg.query_output import rank_paged

    named = [p.stem for p in INDEXED_DIR.glob("*.rq") if "# rank form:" in p.read_text("utf-8")]
    assert "sponsor-network" in named
    for name in named:
        query = load_query(name)
        bindings = bind_params(query, {})
        chosen = choose(query, bindings, store_ask(shared_store))
        assert rank_paged(chosen), name
        form = rank_page_form(chosen)
        assert form.text != chosen.text and "# pages: rank" not in form.text, name
        scan = run_query(shared_store, query, bindings, indexed=False)
        assert len(scan.rows) > 10, name
        for text in (chosen, form):  # each as SPARQL, whole: not kg's reading of row keys
            plain = NamedQuery(name, text.text, "", (), "")
            assert run_query(shared_store, plain, bindings, indexed=False) == scan, name
        calls: list[str] = []

        def run(q: NamedQuery, b: Bindings, calls: list[str] = calls) -> ResultTable:
            calls.append(q.text)
            return run_query(shared_store, q, b, indexed=False)

        for page in (Page(10, 0), Page(7, len(scan.rows) - 3), Page(5, len(scan.rows) + 2)):
            calls.clear()
            got = read_page(chosen, bindings, page, run)  # type: ignore[arg-type]
            assert got.table.rows == scan.rows[page.offset : page.offset + page.limit], name
            assert got.total == len(scan.rows), name
            assert calls and all(c.startswith(form.text[:40]) and "VALUES ?rank" in c
                                 for c in calls), name


def test_a_rank_form_that_is_not_there_is_an_error() -> None:
    from kg.errors import QueryError

    text = "# pages: rank\n# rank form: ranks/no-such-query.rq\nSELECT ?rank { }"
    with pytest.raises(QueryError, match="no rank form 'ranks/no-such-query.rq'"):
        rank_page_form(NamedQuery("q", text, "", (), ""))
    with pytest.raises(QueryError, match="no rank form"):
        rank_page_form(NamedQuery("q", "# rank form: ../trials-per-city.rq\n", "", (), ""))
    own = NamedQuery("q", "# pages: rank\nSELECT ?rank { }", "", (), "")
    assert rank_page_form(own) is own
