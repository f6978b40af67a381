"""What the keys of trials-sharing-condition (formats 3 and 4) and trials-sharing-intervention
(format 7) rely on holds in every store.

The variants (``queries/indexed/trials-sharing-condition.rq``, ``index-3/``) read a condition's
trials from the graphs of its keys: the trial is ``{base}trial/NCT...`` of the graph
``{base}graph/NCT...``, its NCT id the graph's (format 3) or the key's (format 4), where the scan
looks up ``dcterms:identifier`` and any graph's links. That is exact when (1) only a trial's own
record states its conditions and MeSH terms, (2) every ``dcterms:identifier`` of a trial node is
the NCT id its IRI is minted from, and (3) every link has its keys in that graph: its titles (or
the trial, untitled) and its NCT id. Checked here on the shared records and on a synthetic
registry, by reading the quads, not kg's queries. Then the pages of format 4 (kg.head_pages:
the first pairs in NCT order, their titles, the count from the keys) against the scan's rows.
The same for the interventions' MeSH terms, and for their names (format 7): each name of the
trial's own interventions has, on the node of its lower-case key, the same keys and its spellings.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.queries import Bindings, NamedQuery, ResultTable
from kg.sinks import StoreSink
from kg.terms import DEFAULT_BASE, TKG

_LINKS = {
    "http://schema.org/healthCondition": (
        "conditionTrialTitle", "conditionUntitledTrial", "conditionTrialId"
    ),
    f"{TKG}conditionMeshTerm": ("meshTermTrialTitle", "meshTermUntitledTrial", "meshTermTrialId"),
    f"{TKG}interventionMeshTerm": (
        "interventionMeshTermTrialTitle",
        "interventionMeshTermUntitledTrial",
        "interventionMeshTermTrialId",
    ),
}
_NAMES = (
    "interventionNameTrialTitle",
    "interventionNameUntitledTrial",
    "interventionNameTrialId",
    "interventionNameSpelling",
)
_SUBJECT = ox.NamedNode("http://schema.org/studySubject")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
_NAME = ox.NamedNode("http://schema.org/name")


def _keys(store: ox.Store, node: ox.NamedNode, name: str, graph: ox.NamedNode) -> set[ox.Term]:
    return {q.object for q in store.quads_for_pattern(node, ox.NamedNode(TKG + name), None, graph)}


def _check_names(store: ox.Store) -> int:
    """Each name of a trial's own intervention: its key's node has the keys, in the trial's graph.

    The node is {base}intervention-name/ and the name's lower case, percent-encoded (kg.index),
    written here with the standard library; the node's spellings are the trial's names of that key.
    """
    from urllib.parse import quote

    titled, untitled, ordered, spelled = _NAMES
    names: dict[tuple[ox.NamedNode, ox.NamedNode, str], set[ox.Term]] = {}
    for link in store.quads_for_pattern(None, _SUBJECT, None, None):
        trial, graph, iv = link.subject, link.graph_name, link.object
        assert isinstance(trial, ox.NamedNode) and isinstance(graph, ox.NamedNode)
        assert isinstance(iv, ox.NamedNode)
        if ox.Quad(iv, _TYPE, ox.NamedNode(TKG + "Intervention"), graph) not in store:
            continue
        for q in store.quads_for_pattern(iv, _NAME, None, graph):
            assert isinstance(q.object, ox.Literal)
            names.setdefault((trial, graph, q.object.value.lower()), set()).add(q.object)
    for (trial, graph, key), spellings in names.items():
        nct = trial.value.rsplit("/", 1)[-1]
        node = ox.NamedNode(f"{DEFAULT_BASE}intervention-name/{quote(key, safe='')}")
        titles = {q.object for q in store.quads_for_pattern(trial, _NAME, None, graph)}
        keyed, bare = _keys(store, node, titled, graph), _keys(store, node, untitled, graph)
        assert (keyed, bare) == ((titles, set()) if titles else (set(), {trial})), node
        assert _keys(store, node, ordered, graph) == {ox.Literal(nct)}, node
        assert _keys(store, node, spelled, graph) == spellings, node
    nodes = {
        (q.subject, q.graph_name)
        for q in store.quads_for_pattern(None, ox.NamedNode(TKG + ordered), None, None)
    }
    assert len(nodes) == len(names)  # no node without a name of the graph's trial
    return len(names)


def _check(store: ox.Store) -> int:
    """Check the three facts; return the number of links checked."""
    links = _check_names(store)
    for link, (titled, untitled, ordered) in _LINKS.items():
        for quad in store.quads_for_pattern(None, ox.NamedNode(link), None, None):
            trial, graph = quad.subject, quad.graph_name
            assert isinstance(trial, ox.NamedNode) and isinstance(graph, ox.NamedNode)
            nct = trial.value.rsplit("/", 1)[-1]
            assert trial.value == f"{DEFAULT_BASE}trial/{nct}", quad  # (1): the graph's trial
            assert graph.value == f"{DEFAULT_BASE}graph/{nct}", quad
            titles = {
                q.object for q in store.quads_for_pattern(trial, _NAME, None, graph)
            }
            feature = quad.object
            assert isinstance(feature, ox.NamedNode)
            keyed = _keys(store, feature, titled, graph)
            bare = _keys(store, feature, untitled, graph)
            # (3): each own title keyed, or the trial as untitled (a condition's keys in this
            # graph are this trial's: the graph holds one trial's record).
            assert (keyed, bare) == ((titles, set()) if titles else (set(), {trial})), quad
            assert _keys(store, feature, ordered, graph) == {ox.Literal(nct)}, quad
            links += 1
    for quad in store.quads_for_pattern(None, _IDENTIFIER, None, None):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and "/trial/" in subject.value:
            assert isinstance(quad.object, ox.Literal)
            assert quad.object == ox.Literal(subject.value.rsplit("/", 1)[-1]), quad  # (2)
    return links


def test_the_keys_facts_hold_on_the_shared_records(shared_store: ox.Store) -> None:
    assert _check(shared_store) > 1000


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    from kg.synth import load_params, write_zip

    folder = tmp_path_factory.mktemp("sharing")
    registry = write_zip(folder / "synth.zip", load_params(), 80, seed=11)
    build([str(registry)], StoreSink(folder / "store"), base=DEFAULT_BASE)
    return ox.Store(str(folder / "store"))


def test_the_keys_facts_hold_on_a_synthetic_registry(synthetic: ox.Store) -> None:
    assert _check(synthetic) > 100


def test_a_broken_fact_is_seen(synthetic: ox.Store) -> None:
    """The check can fail: a condition stated by another graph, an identifier not the IRI's."""
    link = next(synthetic.quads_for_pattern(None, ox.NamedNode(next(iter(_LINKS))), None, None))
    own = list(synthetic.quads_for_pattern(None, None, None, link.graph_name))
    elsewhere = ox.NamedNode(f"{DEFAULT_BASE}graph/NCT00000000")
    nct_key = ox.NamedNode(TKG + "conditionTrialId")
    for broken in (
        ox.Quad(link.subject, link.predicate, link.object, elsewhere),
        ox.Quad(link.subject, _IDENTIFIER, ox.Literal("NCT99999999"), elsewhere),
        ox.Quad(link.object, nct_key, ox.Literal("NCT99999999"), link.graph_name),
    ):
        store = ox.Store()
        store.extend(own)
        assert _check(store) > 0  # one trial's graph alone passes
        store.add(broken)
        with pytest.raises(AssertionError):
            _check(store)


# --- pages of format 4 (kg.head_pages) ------------------------------------------------------------

_SHARERS = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?nct WHERE { ?t dcterms:identifier ?nct ; schema:LINK ?c }
ORDER BY ?nct"""
_LINK = {
    "trials-sharing-condition": "healthCondition",
    "trials-sharing-intervention": "studySubject",
}


def _pages_match_the_scan(store: ox.Store, every: int, name: str) -> tuple[int, int]:
    """Compare the pages of every ``every``-th trial with a condition (an intervention) with
    slices of the scan."""
    from kg.head_pages import head_paged
    from kg.indexed import choose, store_ask
    from kg.queries import bind_params, load_query, run_query
    from kg.query_output import Page, read_page

    query = load_query(name)
    result = store.query(_SHARERS.replace("LINK", _LINK[name]), use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    ncts = [row["nct"].value for row in result][::every]  # type: ignore[union-attr]
    trials = rows = 0
    for nct in ncts:
        bindings = bind_params(query, {"nct": nct})
        scan = run_query(store, query, bindings, indexed=False)
        chosen = choose(query, bindings, store_ask(store))
        assert head_paged(chosen), nct  # the variant of format 4 (7), not a fallback
        assert run_query(store, query, bindings) == scan, nct  # the whole answer
        n = len(scan.rows)
        for offset, limit in ((0, 1), (0, 100), (3, 5), (max(0, n - 1), 10), (n + 5, 3)):
            page = read_page(
                chosen, bindings, Page(limit, offset),
                lambda q, b: run_query(store, q, b, indexed=False), store,
            )
            assert page.total == n, (nct, offset, limit)
            assert page.table == type(scan)(scan.variables, scan.rows[offset : offset + limit]), (
                nct, offset, limit
            )
        trials += 1
        rows += n
    return trials, rows


def test_pages_are_slices_of_the_scan_on_the_shared_records(shared_store: ox.Store) -> None:
    trials, rows = _pages_match_the_scan(shared_store, 3, "trials-sharing-condition")
    assert trials > 100 and rows > 2000  # not a comparison of empty answers
    trials, rows = _pages_match_the_scan(shared_store, 3, "trials-sharing-intervention")
    assert trials > 100 and rows > 2000


def test_pages_are_slices_of_the_scan_on_a_synthetic_registry(synthetic: ox.Store) -> None:
    trials, rows = _pages_match_the_scan(synthetic, 1, "trials-sharing-condition")
    assert trials == 80 and rows > 300
    trials, rows = _pages_match_the_scan(synthetic, 1, "trials-sharing-intervention")
    assert trials > 70 and rows > 20  # the trials with an intervention


def test_a_head_that_the_count_does_not_match_is_read_the_slow_way(synthetic: ox.Store) -> None:
    """A store whose keys break the variant's premise (a pair without its NCT id key: the count,
    from the title keys, promises a row the head lacks) gives None: read_page then reads the
    whole answer instead of a page cut short."""
    from kg.head_pages import read_head_page
    from kg.indexed import choose, store_ask
    from kg.queries import bind_params, load_query, run_query

    query = load_query("trials-sharing-condition")
    sharers = _SHARERS.replace("LINK", _LINK[query.name])
    result = synthetic.query(sharers, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    nct, store = None, ox.Store()
    store.extend(synthetic.quads_for_pattern(None, None, None, None))
    for row in result:
        bindings = bind_params(query, {"nct": row["nct"].value})  # type: ignore[union-attr]
        if len(run_query(store, query, bindings, indexed=False).rows) >= 3:
            nct = row["nct"].value  # type: ignore[union-attr]
            break
    assert nct is not None
    bindings = bind_params(query, {"nct": nct})
    chosen = choose(query, bindings, store_ask(store))

    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(store, q, b, indexed=False)

    page = read_head_page(run, chosen, bindings, 0, 100)
    assert page is not None and len(page[0].rows) == page[1] >= 3
    other = page[0].rows[0][page[0].variables.index("otherNct")]
    assert other is not None
    for quad in list(store.quads_for_pattern(None, None, ox.Literal(other.value), None)):
        if quad.predicate.value.endswith(("conditionTrialId", "meshTermTrialId")):
            store.remove(quad)
    assert read_head_page(run, chosen, bindings, 0, 100) is None
    # A page short of the whole cannot see it (the head holds its one row): the check is the
    # count against a head that should hold every row.
    assert read_head_page(run, chosen, bindings, 0, 1) is not None


def test_a_variant_without_one_head_line_is_an_error() -> None:
    from kg.errors import QueryError
    from kg.head_pages import head_query

    for text in ("SELECT ?a { ?a ?b ?c }", "SELECT ?a {\n # head: 1\n # head: 2\n ?a ?b ?c }"):
        with pytest.raises(QueryError, match="one '# head:' line"):
            head_query(NamedQuery("q", text, "", (), ""), 10)
