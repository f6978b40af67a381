"""Labels on a resource's page and in its JSON-LD: as the resource's own record graphs state them.

A sponsor or a country is named in every trial graph that links to it; reading all of them for
each link cost ~0.6 s of CPU a trial page at 100,000 trials. The page reads the label in its own
graphs first, and all graphs only for a node its graphs do not name.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.publish.schemaorg import resource_document
from kg.publish.views import build_page
from kg.terms import DEFAULT_BASE

_S = "http://schema.org/"
_TRIAL = ox.NamedNode(f"{DEFAULT_BASE}trial/NCT00000001")
_OWN = ox.NamedNode(f"{DEFAULT_BASE}graph/NCT00000001")
_OTHER = ox.NamedNode(f"{DEFAULT_BASE}graph/NCT00000002")
_SPONSOR = ox.NamedNode(f"{DEFAULT_BASE}org/acme")
_COUNTRY = ox.NamedNode(f"{DEFAULT_BASE}country/XX")


def _store() -> ox.Store:
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    name = ox.NamedNode(_S + "name")
    store = ox.Store()
    store.extend(
        [
            ox.Quad(_TRIAL, a, ox.NamedNode(_S + "MedicalTrial"), _OWN),
            ox.Quad(_TRIAL, name, ox.Literal("A trial"), _OWN),
            ox.Quad(_TRIAL, ox.NamedNode(_S + "sponsor"), _SPONSOR, _OWN),
            ox.Quad(_SPONSOR, a, ox.NamedNode(_S + "Organization"), _OWN),
            ox.Quad(_SPONSOR, name, ox.Literal("Zeta Pharma"), _OWN),  # this record's spelling
            ox.Quad(_SPONSOR, name, ox.Literal("Acme Pharma"), _OTHER),  # another record's
            ox.Quad(_TRIAL, ox.NamedNode(_S + "location"), _COUNTRY, _OWN),
            ox.Quad(_COUNTRY, name, ox.Literal("Xland"), _OTHER),  # named elsewhere only
        ]
    )
    return store


def _labels(store: ox.Store) -> dict[str, str]:
    page = build_page(store, DEFAULT_BASE, _TRIAL)
    return {link.iri or "": link.label for fact in page.facts for link in fact.values}


def test_a_link_is_labelled_as_the_pages_own_graph_names_it() -> None:
    labels = _labels(_store())
    assert labels[_SPONSOR.value] == "Zeta Pharma"  # not the first name of all graphs


def test_a_node_its_own_graphs_do_not_name_is_labelled_from_the_others() -> None:
    assert _labels(_store())[_COUNTRY.value] == "Xland"


def test_the_json_ld_names_the_sponsor_as_the_record_does() -> None:
    doc = resource_document(_store(), _TRIAL)
    sponsors = doc["sponsor"]
    sponsor_list = sponsors if isinstance(sponsors, list) else [sponsors]
    assert [s["name"] for s in sponsor_list] == ["Zeta Pharma"]  # type: ignore[index]
