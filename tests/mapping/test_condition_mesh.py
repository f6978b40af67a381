"""Conditions reach their MeSH descriptors the registry's way; one descriptor is one IRI."""

from __future__ import annotations

import pytest

from kg import model
from kg.mapping import map_trial
from kg.mapping.condition_mesh import DescriptorLink, condition_descriptors
from kg.mesh_ids import canonical_mesh_id
from kg.terms import SDO, Minter, T, mesh

NCT = "NCT00000001"


def _trial(conditions: list[str], leaves: list[model.MeshLeaf]) -> model.Trial:
    return model.Trial(
        NCT,
        model.SourceInfo("t.json", "ctgov-json"),
        conditions=tuple(model.Condition(c) for c in conditions),
        condition_mesh=(
            model.MeshTerm("D017116", "Low Back Pain"),
            model.MeshTerm("D007405", "Intervertebral Disc Displacement"),
        ),
        condition_mesh_ancestors=(model.MeshTerm("D001416", "Back Pain"),),
        condition_mesh_leaves=tuple(leaves),
    )


def test_found_text_equal_to_the_condition_is_the_descriptor() -> None:
    """ "Disc Herniation" found as itself: the condition is that descriptor."""
    leaf = model.MeshLeaf("Intervertebral Disc Displacement", "Disc Herniation", "HIGH")
    assert condition_descriptors(_trial(["disc herniation"], [leaf])) == [
        [DescriptorLink("D007405", exact=True)]
    ]


def test_found_text_within_the_condition_is_a_broader_descriptor() -> None:
    """ "Back Pain" in "Chronic Low Back Pain": linked, not the same."""
    leaves = [
        model.MeshLeaf("Back Pain", "Back Pain", "HIGH"),
        model.MeshLeaf("Low Back Pain", "Low Back Pain", "HIGH"),
    ]
    assert condition_descriptors(_trial(["Chronic Low Back Pain"], leaves)) == [
        [DescriptorLink("D001416", exact=False), DescriptorLink("D017116", exact=False)]
    ]


@pytest.mark.parametrize(
    "leaf",
    [
        model.MeshLeaf("Back Pain", "Back Pain", "LOW"),  # not found in the record's text
        model.MeshLeaf("Back Pain", None, "HIGH"),  # no found text
        model.MeshLeaf("Back Pain", "Back", "HIGH"),  # "Back" is not "Backache"
        model.MeshLeaf("Ovarian Cancer", "Backache", "HIGH"),  # no descriptor id in the record
    ],
)
def test_no_link_without_the_registry_s_own_evidence(leaf: model.MeshLeaf) -> None:
    """Low relevance, no found text, part of a word, or no id: no link is made up."""
    assert condition_descriptors(_trial(["Backache"], [leaf])) == [[]]


def test_a_condition_named_like_a_descriptor_is_it() -> None:
    """Without leaves (older records), an exact name still links."""
    assert condition_descriptors(_trial(["Low back pain"], [])) == [
        [DescriptorLink("D017116", exact=True)]
    ]


def test_the_graph_has_mesh_descriptor_for_every_link_and_same_as_for_exact_ones() -> None:
    """tkg:meshDescriptor on every link, schema:sameAs only where the condition is it."""
    leaves = [model.MeshLeaf("Back Pain", "Back Pain", "HIGH")]
    mint = Minter()
    triples = set(map_trial(_trial(["Low Back Pain"], leaves), mint))
    c = mint.condition("Low Back Pain")
    assert {(p, o) for s, p, o in triples if s == c and p in (T.meshDescriptor, SDO.sameAs)} == {
        (T.meshDescriptor, mesh("D017116")),
        (SDO.sameAs, mesh("D017116")),
        (T.meshDescriptor, mesh("D001416")),
    }


@pytest.mark.parametrize(
    ("given", "nlm"),
    [
        ("D000011471", "D011471"),  # padded: NLM's id is 7 characters
        ("D011471", "D011471"),
        ("D000066309", "D066309"),  # the last known 7-character descriptor
        ("D000066320", "D000066320"),  # in NLM's switch gap: left as written
        ("D000066388", "D000066388"),  # the first known 10-character descriptor
        ("D000071939", "D000071939"),
        ("C000582435", "C582435"),
        ("C000591245", "C000591245"),
        ("Q000000981", "Q000000981"),
        (" D001416 ", "D001416"),
        ("not-an-id", "not-an-id"),
    ],
)
def test_mesh_ids_are_written_as_nlm_writes_them(given: str, nlm: str) -> None:
    """Padded old ids lose their zeros; real 9-digit ids and non-ids stay."""
    assert canonical_mesh_id(given) == nlm
    if nlm.startswith(("C", "D", "Q")):
        assert mesh(given) == f"<http://id.nlm.nih.gov/mesh/{nlm}>"
