"""What the format-3 keys of trials-sharing-condition rely on holds in every store kg builds.

The variant (``queries/indexed/trials-sharing-condition.rq``) reads a condition's trials from the
graphs of its keys: the trial is ``{base}trial/NCT...`` of the graph ``{base}graph/NCT...``, its
NCT id the graph's, where the scan looks up ``dcterms:identifier`` and any graph's links. That
is exact when (1) only a trial's own record states its conditions and MeSH terms, (2) every
``dcterms:identifier`` of a trial node is the NCT id its IRI is minted from, and (3) every link
has its key in that graph. Checked here on the shared records and on a synthetic registry, by
reading the quads, not kg's queries.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.sinks import StoreSink
from kg.terms import DEFAULT_BASE, TKG

_LINKS = {
    "http://schema.org/healthCondition": ("conditionTrialTitle", "conditionUntitledTrial"),
    f"{TKG}conditionMeshTerm": ("meshTermTrialTitle", "meshTermUntitledTrial"),
}
_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
_NAME = ox.NamedNode("http://schema.org/name")


def _check(store: ox.Store) -> int:
    """Check the three facts; return the number of links checked."""
    links = 0
    for link, (titled, untitled) in _LINKS.items():
        for quad in store.quads_for_pattern(None, ox.NamedNode(link), None, None):
            trial, graph = quad.subject, quad.graph_name
            assert isinstance(trial, ox.NamedNode) and isinstance(graph, ox.NamedNode)
            nct = trial.value.rsplit("/", 1)[-1]
            assert trial.value == f"{DEFAULT_BASE}trial/{nct}", quad  # (1): the graph's trial
            assert graph.value == f"{DEFAULT_BASE}graph/{nct}", quad
            titles = {
                q.object for q in store.quads_for_pattern(trial, _NAME, None, graph)
            }
            keyed = {
                q.object
                for q in store.quads_for_pattern(
                    quad.object, ox.NamedNode(TKG + titled), None, graph
                )
            }
            bare = {
                q.object
                for q in store.quads_for_pattern(
                    quad.object, ox.NamedNode(TKG + untitled), None, graph
                )
            }
            # (3): each own title keyed, or the trial as untitled (a condition's keys in this
            # graph are this trial's: the graph holds one trial's record).
            assert (keyed, bare) == ((titles, set()) if titles else (set(), {trial})), quad
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
    for broken in (
        ox.Quad(link.subject, link.predicate, link.object, elsewhere),
        ox.Quad(link.subject, _IDENTIFIER, ox.Literal("NCT99999999"), elsewhere),
    ):
        store = ox.Store()
        store.extend(own)
        assert _check(store) > 0  # one trial's graph alone passes
        store.add(broken)
        with pytest.raises(AssertionError):
            _check(store)
