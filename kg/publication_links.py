"""Find the papers a trial produced: registry references, PubMed and Crossref, linked and mapped.

For each trial, :class:`Linker` asks PubMed for the articles listing its NCT number in their
databank list (``NCT...[si]``), resolves each registry reference (by PMID; by DOI through PubMed,
else Crossref; by title through PubMed when only a citation is given), fetches the PubMed
records, and says how each article was found (:class:`kg.model_pub.ArticleLink`). A title match
is kept only at or above a confidence threshold, and only as a candidate.

:func:`link_trials` writes each trial's links, mapped by :mod:`kg.mapping.articles`, to a sink
(one named graph per trial: ``{base}graph/publications/NCT...``). The registry references come
from the trials' graphs in a store (:func:`references_from_store`) or from records
(:func:`references_of`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from kg.build import generation_time
from kg.crossref import Crossref
from kg.errors import EndpointError
from kg.http import UnreachableError
from kg.mapping.articles import map_trial_publications, publications_graph
from kg.model import Trial
from kg.model_pub import (
    DEFAULT_MIN_CONFIDENCE,
    UNVERIFIED_DATABANK_CONFIDENCE,
    Article,
    ArticleLink,
    LinkSource,
    RegistryRef,
    TrialPublications,
    TrialReferences,
)
from kg.ontology import (
    PUBLICATIONS_ONTOLOGY_FILE,
    PUBLICATIONS_ONTOLOGY_GRAPH,
    load_publications_ontology,
)
from kg.publication_store import references_from_store
from kg.pubmed import PubMed
from kg.sinks import Sink, StoreSink
from kg.terms import DEFAULT_BASE, Minter, name_key

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "PUBLICATIONS_ONTOLOGY_FILE",
    "PUBLICATIONS_ONTOLOGY_GRAPH",
    "UNREACHABLE_STREAK",
    "LinkReport",
    "Linker",
    "link_trials",
    "load_publications_ontology",
    "references_from_store",
    "references_of",
    "title_confidence",
]

log = logging.getLogger(__name__)

# --- registry references ------------------------------------------------------------------------


def references_of(trial: Trial, mint: Minter | None = None) -> TrialReferences:
    """Return a record's references with the nodes the trial's graph gives them.

    The nodes are minted as :func:`kg.mapping.publications.map_publications` mints them.
    """
    mint = mint or Minter()
    refs: dict[str, RegistryRef] = {}
    for ref in trial.references:
        cit = ref.citation
        pmid = ref.pmid or (cit.pmid if cit else None)
        doi = cit.doi if cit else None
        if not (pmid or doi or ref.text):
            continue
        node = mint.publication(pmid=pmid, doi=doi, text=ref.text)
        refs.setdefault(
            node,
            RegistryRef(
                node=node,
                pmid=pmid,
                doi=doi,
                title=cit.title if cit else None,
                journal=cit.journal if cit else None,
                year=cit.date.year if cit and cit.date else None,
                authors=tuple(a.name for a in cit.authors) if cit else (),
                text=ref.text,
            ),
        )
    return TrialReferences(trial.nct_id, tuple(refs.values()))


# --- matching -----------------------------------------------------------------------------------


def title_confidence(ref: RegistryRef, article: Article) -> float:
    """Return how alike a registry citation and a PubMed record are, from 0 to 1.

    The normalised titles are compared (difflib's ratio), then the score is lowered for a
    different year (x0.8), journal (x0.9) or first author (x0.9); what the citation lacks is not
    held against it.

    >>> ref = RegistryRef("<x>", title="Stem cells for back pain: a trial", year=2024)
    >>> same = Article("pubmed-xml", "d", title="Stem Cells for Back Pain - a Trial.")
    >>> title_confidence(ref, same)
    1.0
    >>> from kg.model import PartialDate
    >>> title_confidence(ref, Article("pubmed-xml", "d", title="Stem cells for back pain: a trial",
    ...                               date=PartialDate(2019)))
    0.8
    """
    if not ref.title or not article.title:
        return 0.0
    score = SequenceMatcher(None, name_key(ref.title), name_key(article.title)).ratio()
    if ref.year is not None and article.date is not None and ref.year != article.date.year:
        score *= 0.8
    journal = article.journal
    if ref.journal and journal is not None:
        names = {
            name_key(n)
            for n in (journal.name, journal.iso_abbreviation, journal.medline_abbreviation)
            if n
        }
        if names and name_key(ref.journal) not in names:
            score *= 0.9
    if ref.authors and article.authors:
        if name_key(ref.authors[0]) != name_key(article.authors[0].name):
            score *= 0.9
    return round(score, 3)


@dataclass(slots=True)
class _Entry:
    """A publication being linked: its PMID, how it was found, and the references it is."""

    pmid: str | None = None
    article: Article | None = None
    sources: set[LinkSource] = field(default_factory=set)
    references: list[RegistryRef] = field(default_factory=list)
    candidate_for: RegistryRef | None = None
    confidence: float | None = None

    def link(self) -> ArticleLink:
        order = list(LinkSource)
        return ArticleLink(
            article=self.article,
            sources=tuple(sorted(self.sources, key=order.index)),
            references=tuple(self.references),
            candidate_for=self.candidate_for,
            confidence=self.confidence,
        )


class Linker:
    """Link trials to their publications through PubMed (and Crossref for DOIs PubMed lacks)."""

    def __init__(
        self,
        pubmed: PubMed,
        crossref: Crossref | None = None,
        *,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        titles: bool = True,
    ) -> None:
        """Use these clients; ``titles`` False skips title searches for citation-only references."""
        self.pubmed = pubmed
        self.crossref = crossref
        self.min_confidence = min_confidence
        self.titles = titles

    def answered(self) -> bool:
        """Return whether PubMed or Crossref has answered one of this linker's requests."""
        return self.pubmed.http.answered or (
            self.crossref is not None and self.crossref.http.answered
        )

    def link(self, trial: TrialReferences) -> TrialPublications:
        """Return the publications of one trial and how each was found.

        Raises:
            EndpointError: PubMed or Crossref failed (after their retries).
        """
        entries: dict[str, _Entry] = {}
        by_title: list[RegistryRef] = []
        for ref in trial.references:
            pmid, sources = ref.pmid, {LinkSource.REGISTRY_REFERENCE}
            if pmid is None and ref.doi:
                hits = self.pubmed.search_doi(ref.doi)
                if len(hits) == 1:
                    pmid = hits[0]
                    sources.add(LinkSource.DOI_MATCH)
            elif pmid is None and ref.title and self.titles:
                by_title.append(ref)
            entry = entries.setdefault(f"pmid:{pmid}" if pmid else ref.node, _Entry(pmid))
            entry.sources |= sources
            entry.references.append(ref)
        for pmid in self.pubmed.search_trial(trial.nct_id):
            entries.setdefault(f"pmid:{pmid}", _Entry(pmid)).sources.add(LinkSource.PUBMED_DATABANK)
        candidates = {r.node: self.pubmed.search_title(r.title or "", r.year) for r in by_title}
        wanted = [e.pmid for e in entries.values() if e.pmid]
        wanted += [p for hits in candidates.values() for p in hits]
        articles = {a.pmid: a for a in self.pubmed.fetch(wanted)} if wanted else {}
        for key, entry in list(entries.items()):
            entry.article = articles.get(entry.pmid) if entry.pmid else None
            if LinkSource.DOI_MATCH in entry.sources and not _doi_agrees(entry):
                log.info("%s: PubMed's record for %s has another DOI", trial.nct_id, entry.pmid)
                del entries[key]
                for ref in entry.references:
                    entries.setdefault(ref.node, _Entry()).references.append(ref)
                    entries[ref.node].sources.add(LinkSource.REGISTRY_REFERENCE)
        self._verify_databank(trial.nct_id, entries)
        for ref in by_title:
            found = [articles[p] for p in candidates[ref.node] if p in articles]
            self._title_match(entries, ref, found)
        if self.crossref is not None:
            for entry in entries.values():
                doi = next((r.doi for r in entry.references if r.doi), None)
                if entry.article is None and entry.pmid is None and doi:
                    entry.article = self.crossref.work(doi)
                    if entry.article is not None:
                        entry.sources.add(LinkSource.DOI_MATCH)
        return TrialPublications(trial.nct_id, tuple(e.link() for e in entries.values()))

    @staticmethod
    def _verify_databank(nct_id: str, entries: dict[str, _Entry]) -> None:
        """Keep a databank link only where the fetched record's databank list names the trial.

        PubMed's ``[si]`` search is not proof: an article whose record lists another NCT number
        (or none) is kept as a :attr:`LinkSource.PUBMED_SEARCH` candidate with a low confidence,
        never a citation, unless another source (a registry reference) links it anyway.
        """
        for key, entry in list(entries.items()):
            if LinkSource.PUBMED_DATABANK not in entry.sources:
                continue
            ids = entry.article.databank_ids if entry.article else ()
            listed = {a.strip().upper() for a in ids}
            if nct_id.upper() in listed:
                continue
            entry.sources.discard(LinkSource.PUBMED_DATABANK)
            log.info(
                "%s: PubMed's record %s does not list the trial in its databank list (%s)",
                nct_id,
                entry.pmid,
                ", ".join(sorted(listed)) or "none",
            )
            if entry.sources:
                continue
            if entry.article is None:  # PubMed has no record under that PMID: nothing to show
                del entries[key]
                continue
            entry.sources.add(LinkSource.PUBMED_SEARCH)
            entry.confidence = UNVERIFIED_DATABANK_CONFIDENCE

    def _title_match(
        self, entries: dict[str, _Entry], ref: RegistryRef, hits: list[Article]
    ) -> None:
        scored = [(title_confidence(ref, a), a) for a in hits if a.pmid]
        if not scored:
            return
        confidence, best = max(scored, key=lambda pair: pair[0])
        if confidence < self.min_confidence:
            return
        entry = entries.setdefault(f"pmid:{best.pmid}", _Entry(best.pmid, best))
        entry.article = best
        entry.sources.add(LinkSource.TITLE_MATCH)
        if entry.confidence is None or confidence > entry.confidence:
            entry.candidate_for, entry.confidence = ref, confidence


def _doi_agrees(entry: _Entry) -> bool:
    """Return whether the fetched record carries the DOI it was found by (case-insensitively)."""
    if entry.article is None or not entry.article.doi:
        return False
    return any(r.doi and r.doi.lower() == entry.article.doi.lower() for r in entry.references)


# --- writing ------------------------------------------------------------------------------------


@dataclass(slots=True)
class LinkReport:
    """What a run linked: trials, links by source, and the trials whose lookup failed."""

    trials: int = 0
    links: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def link_trials(
    trials: Iterable[TrialReferences],
    linker: Linker,
    sink: Sink,
    *,
    base: str = DEFAULT_BASE,
    on_trial: Callable[[TrialPublications], None] | None = None,
    on_failure: Callable[[str, EndpointError], None] | None = None,
) -> LinkReport:
    """Link each trial and write its publications graph to ``sink``; commit at the end.

    A trial whose lookup fails is reported (``on_failure``) and left out; its graph, if the
    store has one, is kept as it was. A service that cannot be reached at all stops the run
    (:class:`kg.http.UnreachableError`); that and any other error abort the sink.
    """
    mint = Minter(base)
    generated = generation_time()
    report = LinkReport()
    try:
        for pubs in _linked(trials, linker, report, on_failure):
            triples = dict.fromkeys(map_trial_publications(pubs, mint, generated_at=generated))
            graph = publications_graph(mint, pubs.nct_id)
            sink.add(graph, "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples))
            report.trials += 1
            report.links += len(pubs.links)
            report.triples += len(triples)
            for link in pubs.links:
                for source in link.sources:
                    report.by_source[source.value] = report.by_source.get(source.value, 0) + 1
            if on_trial is not None:
                on_trial(pubs)
    except BaseException:
        sink.abort()
        raise
    if isinstance(sink, StoreSink):
        # The commit loads the publications ontology before it merges the papers' aliases (the
        # trials' own graphs cite the one node too) and recomputes the answers (kg.answers), so
        # the links and PubMed types just written count.
        sink.publications_ontology = True
    sink.commit()
    return report


UNREACHABLE_STREAK = 3
"""Trials in a row that failed without any answer from a service that did answer before: stop."""


def _linked(
    trials: Iterable[TrialReferences],
    linker: Linker,
    report: LinkReport,
    on_failure: Callable[[str, EndpointError], None] | None,
) -> Iterator[TrialPublications]:
    """Link each trial; a lookup that fails is reported and skipped.

    Raises:
        UnreachableError: a service never answered this run, or stopped answering for
            :data:`UNREACHABLE_STREAK` trials in a row: going on would only wait out the
            retries of every remaining trial.
    """
    streak = 0
    done = 0
    for trial in trials:
        try:
            pubs = linker.link(trial)
        except UnreachableError as exc:
            streak += 1
            if not linker.answered() or streak >= UNREACHABLE_STREAK:
                raise UnreachableError(
                    f"{exc}; stopped: the service cannot be reached "
                    f"({done} trial{'' if done == 1 else 's'} linked before, nothing written)"
                ) from exc
            report.failed.append((trial.nct_id, str(exc)))
            if on_failure is not None:
                on_failure(trial.nct_id, exc)
            continue
        except EndpointError as exc:
            streak = 0
            report.failed.append((trial.nct_id, str(exc)))
            if on_failure is not None:
                on_failure(trial.nct_id, exc)
            continue
        streak = 0
        done += 1
        yield pubs
