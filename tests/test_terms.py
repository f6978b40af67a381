"""Terms: N-Triples escaping survives any text (checked by pyoxigraph), IRIs are deterministic."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given
from hypothesis import strategies as st

from kg.model import PartialDate
from kg.terms import Minter, date_literal, decimal, iri, literal, name_key, slug

SUBJECT = "<https://example.org/s>"
PREDICATE = "<https://example.org/p>"


def parse_object(obj: str) -> ox.Term:
    (triple,) = ox.parse(f"{SUBJECT} {PREDICATE} {obj} .\n".encode(), ox.RdfFormat.N_TRIPLES)
    return triple.object


def _expected(text: str) -> str:
    # A lone surrogate cannot be written as UTF-8: it becomes U+FFFD, the rest is unchanged.
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


@given(st.text())
def test_any_text_round_trips_through_pyoxigraph(text: str) -> None:
    assert parse_object(literal(text)) == ox.Literal(_expected(text))


@given(st.text(), st.sampled_from(["en", "fr-CA"]))
def test_language_tagged_literals_round_trip(text: str, lang: str) -> None:
    assert parse_object(literal(text, lang=lang)) == ox.Literal(_expected(text), language=lang)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_any_iri_path_renders_as_a_valid_iri(path: str) -> None:
    node = parse_object(iri("https://example.org/" + path))
    assert isinstance(node, ox.NamedNode)
    assert node.value.startswith("https://example.org/")


@given(st.text())
def test_minted_iris_are_valid_and_deterministic(name: str) -> None:
    first, second = Minter(), Minter()
    made = [
        (first.person(name, "ctx"), second.person(name, "ctx")),
        (first.condition(name), second.condition(name)),
        (first.publication(text=name or "x"), second.publication(text=name or "x")),
        (first.publication(doi="10.1000/" + name), second.publication(doi="10.1000/" + name)),
    ]
    for one, other in made:
        assert one == other  # two minters, same input: the same IRI
        assert isinstance(parse_object(one), ox.NamedNode)


@given(st.text())
def test_organisation_iris_are_valid(name: str) -> None:
    assert isinstance(parse_object(Minter().organization(name or "x")), ox.NamedNode)


def test_decimal_and_dates_are_typed() -> None:
    assert parse_object(decimal(43.61)) == ox.Literal(
        "43.61", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    )
    assert parse_object(date_literal(PartialDate(2019, 2))) == ox.Literal(
        "2019-02", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")
    )


def test_name_key_ignores_case_accents_punctuation_and_abbreviations() -> None:
    assert name_key("Université  Montpellier") == name_key("UNIVERSITE MONTPELLIER")
    assert name_key("Univ. Hosp. Centre") == "university hospital center"
    assert name_key("Acme, Inc.") != name_key("Acme Ltd.")


def test_slug_is_ascii_and_bounded() -> None:
    long = "Ünïcödé " * 40
    assert slug(long).isascii()
    assert len(slug(long)) <= 90
