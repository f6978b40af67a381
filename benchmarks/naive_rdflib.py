"""The naive baseline: kg's Trial records mapped with rdflib terms and ``Graph.add``.

This is how a first version of kg would be written. It maps a subset of DESIGN.md's facts, the
ones that dominate the triple count: the trial (type, identifier, titles, summary, status, phases,
study type, dates, enrollment), sponsors and collaborators (one organisation node by name, with
name and agency class), sites (site node, name, status, address with locality, region, postal
code, country; geo node with latitude and longitude; the country as ``schema:studyLocation``),
conditions, interventions (node, name, type, description), arms (node, label, type, description),
eligibility (ages, sex, one literal per criterion), outcomes (node, measure, description, time
frame) and references (article node, citation text, PMID). Keywords, MeSH terms, officials,
identifiers, design details, parsed citations and provenance are left out, so the baseline does
less work per trial than kg: compare triples per second as well as trials per second.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg import model
from kg.terms import DEFAULT_BASE, name_key

SDO = Namespace("http://schema.org/")
TKG = Namespace("https://w3id.org/trialkg/ontology#")
CONCEPT = DEFAULT_BASE + "concept/"

__all__ = ["NaiveMapper"]


def _date(value: model.PartialDate | None) -> Literal | None:
    if value is None:
        return None
    if value.month is None:
        return Literal(f"{value.year:04d}", datatype=XSD.gYear)
    if value.day is None:
        return Literal(f"{value.year:04d}-{value.month:02d}", datatype=XSD.gYearMonth)
    return Literal(f"{value.year:04d}-{value.month:02d}-{value.day:02d}", datatype=XSD.date)


class NaiveMapper:
    """Map trials into one in-memory rdflib Dataset, a named graph per trial."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base
        self.dataset = Dataset()

    def _node(self, *parts: object) -> URIRef:
        return URIRef(self.base + "/".join(quote(str(p), safe="") for p in parts))

    def _concept(self, code: object) -> URIRef:
        return URIRef(CONCEPT + quote(f"{type(code).__name__}/{code}", safe="/"))

    def map(self, trial: model.Trial) -> None:
        """Add one trial's triples to the dataset."""
        g = self.dataset.graph(self._node("graph", trial.nct_id))
        t = self._node("trial", trial.nct_id)
        add = g.add
        kind = SDO.MedicalObservationalStudy
        if trial.study_type is model.StudyType.INTERVENTIONAL:
            kind = SDO.MedicalTrial
        add((t, RDF.type, kind))
        add((t, DCTERMS.identifier, Literal(trial.nct_id)))
        for p, text in (
            (SDO.name, trial.brief_title),
            (SDO.alternateName, trial.official_title),
            (SDO.alternateName, trial.acronym),
            (SDO.description, trial.brief_summary),
        ):
            if text:
                add((t, p, Literal(text)))
        if trial.status is not None:
            add((t, SDO.status, self._concept(trial.status)))
        if trial.study_type is not None:
            add((t, TKG.studyType, self._concept(trial.study_type)))
        for phase in trial.phases:
            add((t, TKG.phase, self._concept(phase)))
        for p, value in (
            (SDO.startDate, trial.start_date),
            (SDO.endDate, trial.completion_date),
            (SDO.dateModified, trial.last_updated),
        ):
            lit = _date(value)
            if lit is not None:
                add((t, p, lit))
        if trial.enrollment is not None:
            add((t, TKG.enrollment, Literal(trial.enrollment, datatype=XSD.integer)))
        for sponsor in trial.sponsors:
            org = self._node("org", name_key(sponsor.name))
            add((org, RDF.type, SDO.Organization))
            add((org, SDO.name, Literal(sponsor.name)))
            if sponsor.agency_class is not None:
                add((org, TKG.agencyClass, self._concept(sponsor.agency_class)))
            add((t, SDO.sponsor, org))
            prop = TKG.leadSponsor if sponsor.role is model.SponsorRole.LEAD else TKG.collaborator
            add((t, prop, org))
        self._sites(g, t, trial)
        self._parts(g, t, trial)

    def _sites(self, g: Graph, t: URIRef, trial: model.Trial) -> None:
        add = g.add
        for n, loc in enumerate(trial.locations, 1):
            site = self._node("trial", trial.nct_id, "site", n)
            add((t, TKG.site, site))
            add((site, RDF.type, TKG.Site))
            if loc.facility:
                add((site, SDO.name, Literal(loc.facility)))
            if loc.status is not None:
                add((site, TKG.siteStatus, self._concept(loc.status)))
            address = self._node("trial", trial.nct_id, "site", n, "address")
            add((site, SDO.address, address))
            add((address, RDF.type, SDO.PostalAddress))
            for p, text in (
                (SDO.addressLocality, loc.city),
                (SDO.addressRegion, loc.state),
                (SDO.postalCode, loc.zip),
                (SDO.addressCountry, loc.country),
            ):
                if text:
                    add((address, p, Literal(text)))
            if loc.country:
                add((t, SDO.studyLocation, Literal(loc.country)))
            if loc.geo is not None:
                geo = self._node("trial", trial.nct_id, "site", n, "geo")
                add((site, SDO.geo, geo))
                add((geo, RDF.type, SDO.GeoCoordinates))
                add((geo, SDO.latitude, Literal(str(loc.geo.lat), datatype=XSD.decimal)))
                add((geo, SDO.longitude, Literal(str(loc.geo.lon), datatype=XSD.decimal)))

    def _parts(self, g: Graph, t: URIRef, trial: model.Trial) -> None:
        add = g.add
        for condition in trial.conditions:
            c = self._node("condition", name_key(condition.name))
            add((t, SDO.healthCondition, c))
            add((c, RDF.type, SDO.MedicalCondition))
            add((c, SDO.name, Literal(condition.name)))
        for n, item in enumerate(trial.interventions, 1):
            i = self._node("trial", trial.nct_id, "intervention", n)
            add((t, SDO.studySubject, i))
            add((i, RDF.type, TKG.Intervention))
            add((i, SDO.name, Literal(item.name)))
            if item.type is not None:
                add((i, TKG.interventionType, self._concept(item.type)))
            if item.description:
                add((i, SDO.description, Literal(item.description)))
        for n, arm in enumerate(trial.arms, 1):
            a = self._node("trial", trial.nct_id, "arm", n)
            add((t, TKG.arm, a))
            add((a, SDO.name, Literal(arm.label)))
            if arm.type is not None:
                add((a, TKG.armType, self._concept(arm.type)))
            if arm.description:
                add((a, SDO.description, Literal(arm.description)))
        e = trial.eligibility
        if e is not None:
            node = self._node("trial", trial.nct_id, "eligibility")
            add((t, TKG.eligibility, node))
            for p, text in ((TKG.minimumAge, e.minimum_age), (TKG.maximumAge, e.maximum_age)):
                if text:
                    add((node, p, Literal(text)))
            if e.sex is not None:
                add((node, TKG.sex, self._concept(e.sex)))
            for text in e.inclusion:
                add((node, TKG.inclusionCriterion, Literal(text)))
            for text in e.exclusion:
                add((node, TKG.exclusionCriterion, Literal(text)))
        for kind, outcomes in (
            ("primary", trial.outcomes_primary),
            ("secondary", trial.outcomes_secondary),
        ):
            for n, outcome in enumerate(outcomes, 1):
                o = self._node("trial", trial.nct_id, f"{kind}-outcome", n)
                add((t, TKG.primaryOutcome if kind == "primary" else TKG.secondaryOutcome, o))
                add((o, SDO.name, Literal(outcome.measure)))
                if outcome.description:
                    add((o, SDO.description, Literal(outcome.description)))
                if outcome.time_frame:
                    add((o, TKG.timeFrame, Literal(outcome.time_frame)))
        for n, ref in enumerate(trial.references, 1):
            p = self._node("publication", ref.pmid or f"{trial.nct_id}-{n}")
            add((t, SDO.citation, p))
            add((p, RDF.type, SDO.ScholarlyArticle))
            if ref.text:
                add((p, SDO.name, Literal(ref.text)))
            if ref.pmid:
                add((p, URIRef("http://purl.org/ontology/bibo/pmid"), Literal(ref.pmid)))

    def __len__(self) -> int:
        return sum(len(g) for g in self.dataset.graphs())
