"""Pure mapping of one :class:`kg.model.Trial` to triples (DESIGN.md's vocabulary); no I/O here.

``map_trial`` returns the triples of one record; they all belong in the trial's named graph
(``Minter.graph``), together with the provenance that says where they came from.
"""

from __future__ import annotations

from pathlib import PurePath

from kg import model
from kg.mapping._emit import Triples
from kg.mapping.administration import map_administration
from kg.mapping.interventions import map_conditions, map_interventions
from kg.mapping.parties import map_parties
from kg.mapping.publications import map_publications, map_related_trials
from kg.mapping.results import map_results
from kg.mapping.sites import map_sites
from kg.mapping.study import map_study
from kg.terms import DCT, PRV, XSD, Minter, T, Triple, date_literal, literal

__all__ = ["map_trial", "source_title"]


def source_title(name: str) -> str:
    """Return a source's name without the folders it was read from (stable across machines).

    >>> source_title("/home/me/data/NCT01.json"), source_title("dl/ctg.zip:NCT0000xxxx/NCT01.json")
    ('NCT01.json', 'ctg.zip:NCT0000xxxx/NCT01.json')
    """
    path, sep, member = name.partition(".zip:")
    if sep:
        return PurePath(path).name + sep + member
    return PurePath(name).name


def map_trial(
    trial: model.Trial,
    mint: Minter | None = None,
    *,
    generated_at: str | None = None,
    contact_details: bool = False,
    results: bool = True,
) -> list[Triple]:
    """Return the triples of one trial record, provenance included.

    Args:
        trial: the record.
        mint: the IRI minter (its base); the default base when None.
        generated_at: an ``xsd:dateTime`` text for ``prov:generatedAtTime``, or None to omit it.
        contact_details: also map contacts' e-mail addresses and phone numbers (personal data).
        results: map the posted results (:mod:`kg.mapping.results`); False leaves them out.
    """
    t = Triples(mint or Minter())
    node = t.mint.trial(trial.nct_id)
    map_study(t, trial, node)
    map_parties(t, trial, node)
    map_sites(t, trial, node, details=contact_details)
    map_administration(t, trial, node, details=contact_details)
    map_interventions(t, trial, node)
    map_conditions(t, trial, node)
    map_related_trials(t, trial, node)
    map_publications(t, trial, node)
    if results:
        map_results(t, trial, node)
    _provenance(t, trial, generated_at)
    return t.items


def _provenance(t: Triples, trial: model.Trial, generated_at: str | None) -> None:
    graph = t.mint.graph(trial.nct_id)
    if generated_at:
        t.add(graph, PRV.generatedAtTime, literal(generated_at, XSD + "dateTime"))
    # The first source is the newest: its single-valued facts won when sources were merged.
    for src in (trial.source, *trial.other_sources):
        source = t.mint.source(src.format, src.digest or trial.nct_id)
        t.add(graph, PRV.wasDerivedFrom, source)
        t.a(source, T.Source)
        t.text(source, DCT.title, source_title(src.name))
        t.text(source, T.sourceFormat, src.format)
        if src.date is not None:
            t.add(source, T.sourceDate, date_literal(src.date))
