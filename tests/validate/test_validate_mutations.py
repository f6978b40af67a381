"""Every shape reports what it guards, and nothing else does: one mutation per shape and component.

The (shape, constraint component) pairs come from ``ontology/shapes.ttl`` itself, so a new shape or
constraint without a mutation here fails the suite. Each mutation breaks one fact of the valid
records (``conftest.RECORD`` and ``conftest.RELATED``) and the test asserts that the whole
validation (per trial, then across trials) reports exactly that shape and component.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib import RDF as RDFLIB_RDF
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from validate_support import NCT, RELATED_NCT, graph_of, validate_all

from kg.ontology import SHAPES_FILE
from kg.terms import DEFAULT_BASE

SCHEMA = "http://schema.org/"
TKG = "https://w3id.org/trialkg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
KGSH = "https://w3id.org/trialkg/shapes#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
BIBO_DOI = ox.NamedNode("http://purl.org/ontology/bibo/doi")
BIBO_PMID = ox.NamedNode("http://purl.org/ontology/bibo/pmid")

# Constraint parameters (SHACL section 4) and the component each belongs to.
COMPONENTS = {
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH["class"]: "ClassConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.lessThan: "LessThanConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH.equals: "EqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH.closed: "ClosedConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.qualifiedValueShape: "QualifiedValueShapeConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}
# Shapes kg checks outside pyshacl report their own component (see shapes.ttl).
PYTHON_COMPONENTS = {
    "DeclaredTerms": "DeclaredTermConstraintComponent",
    "TrialGraph": "TrialGraphConstraintComponent",
}
RDFLIB_TYPE = RDFLIB_RDF.type
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def reporting_shapes(graph: Graph) -> set[URIRef]:
    """Shapes that report results: targeted, property shapes of targeted ones, or run by kg."""
    targeted = {s for t in TARGETS for s in graph.subjects(t, None)}
    members = {p for s in targeted for p in graph.objects(s, SH.property)}
    deactivated = set(graph.subjects(SH.deactivated, Literal(True)))
    return {s for s in targeted | members | deactivated if isinstance(s, URIRef)}


def shape_components() -> list[tuple[str, str]]:
    """Every (shape, constraint component) pair of shapes.ttl that can report."""
    graph = _shapes()
    pairs = []
    for shape in reporting_shapes(graph):
        name = _local(shape)
        for parameter, component in COMPONENTS.items():
            if graph.value(shape, parameter) is not None:
                pairs.append((name, component))
        if name in PYTHON_COMPONENTS:
            pairs.append((name, PYTHON_COMPONENTS[name]))
    return sorted(pairs)


# --- terms and edits -----------------------------------------------------------------------------


def sdo(local: str) -> ox.NamedNode:
    return ox.NamedNode(SCHEMA + local)


def tkg(local: str) -> ox.NamedNode:
    return ox.NamedNode(TKG + local)


def data(path: str) -> ox.NamedNode:
    return ox.NamedNode(DEFAULT_BASE + path)


def part(path: str) -> ox.NamedNode:
    """A node under the valid record's trial: ``site/1``, ``eligibility``..."""
    return data(f"trial/{NCT}/{path}" if path else f"trial/{NCT}")


def lit(value: str, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    return ox.Literal(value)


TRIAL = part("")
RELATED_TRIAL = data(f"trial/{RELATED_NCT}")
SITE1, SITE2 = part("site/1"), part("site/2")
ADDRESS1, GEO1, GEO2 = part("site/1/address"), part("site/1/geo"), part("site/2/geo")
ELIGIBILITY = part("eligibility")
PUB = data("publication/pmid/39293420")
REFERENCE = part("reference/1")
LEAD = data("org/montpellier-university")
COLLABORATOR = data("org/citospin")
OTHER_SPONSOR = data("org/rennes-hospital-university")
FACILITY1 = data("org/montpellier-hospital-university-in-fr")  # a facility: name at its place
FACILITY2 = data("org/hospital-clinic-in-barcelona-es")
UNTYPED = part("nowhere")


class Data:
    """The valid quads, edited in place by a mutation; each edit must change something."""

    def __init__(self, quads: list[ox.Quad]) -> None:
        self.quads = list(quads)

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: Term, nct: str = NCT) -> Data:
        quad = ox.Quad(s, p, o, graph_of(nct))
        assert quad not in self.quads, f"already there: {quad}"
        self.quads.append(quad)
        return self

    def remove(self, s: ox.NamedNode, p: ox.NamedNode, nct: str = NCT) -> Data:
        before = len(self.quads)
        self.quads = [
            q
            for q in self.quads
            if not (q.subject == s and q.predicate == p and q.graph_name == graph_of(nct))
        ]
        assert len(self.quads) < before, f"nothing to remove: {s} {p}"
        return self

    def set(self, s: ox.NamedNode, p: ox.NamedNode, o: Term, nct: str = NCT) -> Data:
        return self.remove(s, p, nct).add(s, p, o, nct)


Term = ox.NamedNode | ox.BlankNode | ox.Literal
Mutation = Callable[[Data], Data]


def adding(s: ox.NamedNode, p: ox.NamedNode, o: Term, nct: str = NCT) -> Mutation:
    """A mutation that adds one triple to a trial's graph."""
    return lambda d: d.add(s, p, o, nct)


def removing(s: ox.NamedNode, p: ox.NamedNode, nct: str = NCT) -> Mutation:
    """A mutation that removes every value of a property of a node."""
    return lambda d: d.remove(s, p, nct)


def setting(s: ox.NamedNode, p: ox.NamedNode, o: Term, nct: str = NCT) -> Mutation:
    """A mutation that replaces the values of a property of a node by one value."""
    return lambda d: d.set(s, p, o, nct)


MUTATIONS: dict[tuple[str, str], Mutation] = {
    # --- studies
    ("StudyIdentifier", "MinCountConstraintComponent"): removing(TRIAL, IDENTIFIER),
    ("StudyIdentifier", "MaxCountConstraintComponent"): adding(
        TRIAL, IDENTIFIER, lit("NCT01234568")
    ),
    ("StudyIdentifier", "DatatypeConstraintComponent"): setting(
        TRIAL, IDENTIFIER, lit(NCT, lang="en")
    ),
    ("StudyIdentifier", "PatternConstraintComponent"): setting(TRIAL, IDENTIFIER, lit("NCT123")),
    ("StudyNCTAlias", "DatatypeConstraintComponent"): setting(
        TRIAL, tkg("nctAlias"), lit("NCT01234500", "token")
    ),
    ("StudyNCTAlias", "PatternConstraintComponent"): setting(
        TRIAL, tkg("nctAlias"), lit("nct01234500")
    ),
    ("StudyName", "DatatypeConstraintComponent"): setting(
        TRIAL, sdo("name"), lit("Cells for Low Back Pain", lang="en")
    ),
    ("StudyStatus", "MaxCountConstraintComponent"): adding(TRIAL, sdo("status"), sdo("Recruiting")),
    ("StudyStatus", "InConstraintComponent"): setting(TRIAL, sdo("status"), tkg("phase-PHASE2")),
    ("StudyType", "MaxCountConstraintComponent"): adding(
        TRIAL, tkg("studyType"), tkg("studyType-OBSERVATIONAL")
    ),
    ("StudyType", "InConstraintComponent"): setting(TRIAL, tkg("studyType"), tkg("phase-NA")),
    ("StudyPhase", "InConstraintComponent"): adding(
        TRIAL, tkg("phase"), tkg("studyType-INTERVENTIONAL")
    ),
    ("StudyAllocation", "MaxCountConstraintComponent"): adding(
        TRIAL, tkg("allocation"), tkg("allocation-NA")
    ),
    ("StudyAllocation", "InConstraintComponent"): setting(
        TRIAL, tkg("allocation"), sdo("RandomizedTrial")
    ),
    ("StudyInterventionModel", "MaxCountConstraintComponent"): adding(
        TRIAL, tkg("interventionModel"), tkg("interventionModel-CROSSOVER")
    ),
    ("StudyInterventionModel", "InConstraintComponent"): setting(
        TRIAL, tkg("interventionModel"), tkg("observationalModel-COHORT")
    ),
    ("StudyPrimaryPurpose", "MaxCountConstraintComponent"): adding(
        TRIAL, tkg("primaryPurpose"), tkg("primaryPurpose-OTHER")
    ),
    ("StudyPrimaryPurpose", "InConstraintComponent"): setting(
        TRIAL, tkg("primaryPurpose"), tkg("timePerspective-OTHER")
    ),
    ("StudyMasking", "MaxCountConstraintComponent"): adding(
        TRIAL, tkg("masking"), tkg("masking-NONE")
    ),
    ("StudyMasking", "InConstraintComponent"): setting(
        TRIAL, tkg("masking"), sdo("TripleBlindedTrial")
    ),
    ("StudyObservationalModel", "MaxCountConstraintComponent"): adding(
        RELATED_TRIAL,
        tkg("observationalModel"),
        tkg("observationalModel-CASE_ONLY"),
        RELATED_NCT,
    ),
    ("StudyObservationalModel", "InConstraintComponent"): setting(
        RELATED_TRIAL,
        tkg("observationalModel"),
        tkg("interventionModel-PARALLEL"),
        RELATED_NCT,
    ),
    ("StudyTimePerspective", "MaxCountConstraintComponent"): adding(
        RELATED_TRIAL,
        tkg("timePerspective"),
        tkg("timePerspective-RETROSPECTIVE"),
        RELATED_NCT,
    ),
    ("StudyTimePerspective", "InConstraintComponent"): setting(
        RELATED_TRIAL,
        tkg("timePerspective"),
        tkg("primaryPurpose-OTHER"),
        RELATED_NCT,
    ),
    ("StudyEnrollment", "MaxCountConstraintComponent"): adding(
        TRIAL, tkg("enrollment"), lit("120", "integer")
    ),
    ("StudyEnrollment", "DatatypeConstraintComponent"): setting(
        TRIAL, tkg("enrollment"), lit("113.5", "decimal")
    ),
    ("StudyEnrollment", "MinInclusiveConstraintComponent"): setting(
        TRIAL, tkg("enrollment"), lit("-1", "integer")
    ),
    **{
        (f"Study{name}", "MaxCountConstraintComponent"): adding(
            TRIAL, tkg(prop), tkg("dateType-ESTIMATED")
        )
        for name, prop in (
            ("EnrollmentType", "enrollmentType"),
            ("StartDateType", "startDateType"),
            ("PrimaryCompletionDateType", "primaryCompletionDateType"),
            ("CompletionDateType", "completionDateType"),
        )
    },
    **{
        (f"Study{name}", "InConstraintComponent"): setting(TRIAL, tkg(prop), tkg("status-UNKNOWN"))
        for name, prop in (
            ("EnrollmentType", "enrollmentType"),
            ("StartDateType", "startDateType"),
            ("PrimaryCompletionDateType", "primaryCompletionDateType"),
            ("CompletionDateType", "completionDateType"),
        )
    },
    # Dates: a second date that keeps the order of actual dates; a plain string; month 13.
    **{
        (f"Study{name}", "MaxCountConstraintComponent"): adding(TRIAL, prop, second)
        for name, prop, second in (
            ("StartDate", sdo("startDate"), lit("2019-03", "gYearMonth")),
            ("PrimaryCompletionDate", tkg("primaryCompletionDate"), lit("2021-07-01", "date")),
            ("EndDate", sdo("endDate"), lit("2022", "gYear")),
            ("FirstPostedDate", tkg("firstPostedDate"), lit("2018-11-10", "date")),
            ("DateModified", sdo("dateModified"), lit("2024-05-02", "date")),
            ("ResultsFirstPostedDate", tkg("resultsFirstPostedDate"), lit("2022-03", "gYearMonth")),
        )
    },
    **{
        (f"Study{name}", "OrConstraintComponent"): setting(TRIAL, prop, lit(text))
        for name, prop, text in (
            ("StartDate", sdo("startDate"), "2019-02-18"),
            ("PrimaryCompletionDate", tkg("primaryCompletionDate"), "2021-06"),
            ("EndDate", sdo("endDate"), "2021-12-01"),
            ("FirstPostedDate", tkg("firstPostedDate"), "2018-11-09"),
            ("DateModified", sdo("dateModified"), "2024-05-01"),
            ("ResultsFirstPostedDate", tkg("resultsFirstPostedDate"), "2022-03-01"),
        )
    },
    **{
        (f"Study{name}", "PatternConstraintComponent"): setting(
            TRIAL, prop, lit(text, "gYearMonth")
        )
        for name, prop, text in (
            ("StartDate", sdo("startDate"), "2019-13"),
            ("PrimaryCompletionDate", tkg("primaryCompletionDate"), "2021-00"),
            ("EndDate", sdo("endDate"), "2021-13"),
            ("FirstPostedDate", tkg("firstPostedDate"), "2018-1"),
            ("DateModified", sdo("dateModified"), "24-05"),
            ("ResultsFirstPostedDate", tkg("resultsFirstPostedDate"), "2022-3"),
        )
    },
    # On the recruiting record: a completed one with results "false" would warn as well.
    ("StudyHasResults", "MaxCountConstraintComponent"): lambda d: d.add(
        RELATED_TRIAL, tkg("hasResults"), lit("true", "boolean"), RELATED_NCT
    ).add(RELATED_TRIAL, tkg("hasResults"), lit("false", "boolean"), RELATED_NCT),
    ("StudyHasResults", "DatatypeConstraintComponent"): setting(
        TRIAL, tkg("hasResults"), lit("yes")
    ),
    ("StudySponsor", "ClassConstraintComponent"): lambda d: d.add(
        TRIAL, sdo("sponsor"), UNTYPED
    ).add(UNTYPED, tkg("agencyClass"), tkg("agencyClass-OTHER")),
    ("StudyLeadSponsor", "MaxCountConstraintComponent"): adding(
        TRIAL, tkg("leadSponsor"), OTHER_SPONSOR
    ),
    ("StudyLeadSponsor", "DisjointConstraintComponent"): adding(TRIAL, tkg("collaborator"), LEAD),
    ("StudySite", "ClassConstraintComponent"): adding(TRIAL, tkg("site"), UNTYPED),
    ("StudyEligibility", "MaxCountConstraintComponent"): lambda d: d.add(
        TRIAL, tkg("eligibility"), UNTYPED
    ).add(UNTYPED, RDF_TYPE, tkg("Eligibility")),
    ("StudyEligibility", "ClassConstraintComponent"): setting(TRIAL, tkg("eligibility"), UNTYPED),
    ("StudyRelatedTrial", "OrConstraintComponent"): setting(TRIAL, tkg("relatedTrial"), SITE1),
    ("StudyCitation", "ClassConstraintComponent"): adding(TRIAL, sdo("citation"), UNTYPED),
    ("StudyArm", "ClassConstraintComponent"): adding(TRIAL, tkg("arm"), UNTYPED),
    ("StudyIntervention", "ClassConstraintComponent"): adding(TRIAL, sdo("studySubject"), UNTYPED),
    ("StudyOutcome", "ClassConstraintComponent"): adding(TRIAL, tkg("otherOutcome"), UNTYPED),
    # --- trial records
    ("TrialName", "OrConstraintComponent"): removing(TRIAL, sdo("name")),
    ("TrialStatus", "OrConstraintComponent"): removing(TRIAL, sdo("status")),
    ("TrialSponsor", "OrConstraintComponent"): removing(RELATED_TRIAL, sdo("sponsor"), RELATED_NCT),
    ("RegistryLeadSponsor", "SPARQLConstraintComponent"): removing(TRIAL, tkg("leadSponsor")),
    ("TrialDateOrder", "SPARQLConstraintComponent"): setting(
        TRIAL, sdo("endDate"), lit("2018-12-31", "date")
    ),
    ("CompletedTrialResults", "OrConstraintComponent"): setting(
        TRIAL, tkg("hasResults"), lit("false", "boolean")
    ),
    ("TrialGraph", "TrialGraphConstraintComponent"): removing(TRIAL, RDF_TYPE),
    ("DeclaredTerms", "DeclaredTermConstraintComponent"): adding(
        TRIAL, tkg("undeclaredProperty"), lit("x")
    ),
    # --- organisations
    ("OrganizationName", "MinCountConstraintComponent"): removing(FACILITY1, sdo("name")),
    ("OrganizationName", "DatatypeConstraintComponent"): setting(
        FACILITY1, sdo("name"), lit("CHU Montpellier", lang="fr")
    ),
    ("OrganizationAgencyClass", "InConstraintComponent"): setting(
        COLLABORATOR, tkg("agencyClass"), tkg("sex-ALL")
    ),
    ("SponsorAgencyClass", "MinCountConstraintComponent"): removing(LEAD, tkg("agencyClass")),
    ("SponsorLink", "MinCountConstraintComponent"): lambda d: (
        d.remove(TRIAL, sdo("sponsor"))
        .add(TRIAL, sdo("sponsor"), LEAD)
        .add(TRIAL, sdo("sponsor"), OTHER_SPONSOR)
    ),
    ("DuplicateOrganization", "SPARQLConstraintComponent"): lambda d: d.add(
        data("org/umontpellier"), RDF_TYPE, sdo("Organization")
    ).add(data("org/umontpellier"), sdo("name"), lit("UNIVERSITÉ MONTPELLIER")),
    # --- sites
    ("SiteCountry", "MinCountConstraintComponent"): removing(ADDRESS1, sdo("addressCountry")),
    ("SiteCountry", "MaxCountConstraintComponent"): adding(
        ADDRESS1, sdo("addressCountry"), lit("Spain")
    ),
    ("SiteAddress", "MaxCountConstraintComponent"): lambda d: d.add(
        SITE1, sdo("address"), UNTYPED
    ).add(UNTYPED, RDF_TYPE, sdo("PostalAddress")),
    ("SiteAddress", "ClassConstraintComponent"): removing(ADDRESS1, RDF_TYPE),
    ("SiteCoordinates", "MinCountConstraintComponent"): removing(SITE1, sdo("geo")),
    ("SiteGeo", "MaxCountConstraintComponent"): adding(SITE1, sdo("geo"), GEO2),
    ("SiteGeo", "ClassConstraintComponent"): removing(GEO1, RDF_TYPE),
    ("SiteStatus", "MaxCountConstraintComponent"): adding(
        SITE1, tkg("siteStatus"), sdo("Recruiting")
    ),
    ("SiteStatus", "InConstraintComponent"): setting(
        SITE1, tkg("siteStatus"), tkg("armType-OTHER")
    ),
    ("SiteFacility", "MaxCountConstraintComponent"): adding(SITE1, tkg("facility"), FACILITY2),
    ("SiteFacility", "ClassConstraintComponent"): removing(FACILITY1, RDF_TYPE),
    ("CountryCode", "MaxCountConstraintComponent"): adding(ADDRESS1, tkg("countryCode"), lit("ES")),
    ("CountryCode", "PatternConstraintComponent"): setting(ADDRESS1, tkg("countryCode"), lit("fr")),
    ("CountryRecognised", "MinCountConstraintComponent"): removing(ADDRESS1, tkg("countryCode")),
    **{
        (f"Geo{name}", "MinCountConstraintComponent"): removing(GEO1, sdo(prop))
        for name, prop in (("Latitude", "latitude"), ("Longitude", "longitude"))
    },
    **{
        (f"Geo{name}", "MaxCountConstraintComponent"): adding(
            GEO1, sdo(prop), lit("10.5", "decimal")
        )
        for name, prop in (("Latitude", "latitude"), ("Longitude", "longitude"))
    },
    **{
        (f"Geo{name}", "DatatypeConstraintComponent"): setting(
            GEO1, sdo(prop), lit("10.5", "double")
        )
        for name, prop in (("Latitude", "latitude"), ("Longitude", "longitude"))
    },
    ("GeoLatitude", "MinInclusiveConstraintComponent"): setting(
        GEO1, sdo("latitude"), lit("-90.5", "decimal")
    ),
    ("GeoLatitude", "MaxInclusiveConstraintComponent"): setting(
        GEO1, sdo("latitude"), lit("123.0", "decimal")
    ),
    ("GeoLongitude", "MinInclusiveConstraintComponent"): setting(
        GEO1, sdo("longitude"), lit("-180.01", "decimal")
    ),
    ("GeoLongitude", "MaxInclusiveConstraintComponent"): setting(
        GEO1, sdo("longitude"), lit("200", "decimal")
    ),
    # --- eligibility
    ("EligibilityMinimumAge", "MaxCountConstraintComponent"): adding(
        ELIGIBILITY, tkg("minimumAge"), lit("20 Years")
    ),
    ("EligibilityMinimumAge", "PatternConstraintComponent"): setting(
        ELIGIBILITY, tkg("minimumAge"), lit("eighteen")
    ),
    ("EligibilityMaximumAge", "MaxCountConstraintComponent"): adding(
        ELIGIBILITY, tkg("maximumAge"), lit("65 Years")
    ),
    ("EligibilityMaximumAge", "PatternConstraintComponent"): setting(
        ELIGIBILITY, tkg("maximumAge"), lit("N/A")
    ),
    ("EligibilityMinimumAgeYears", "MaxCountConstraintComponent"): adding(
        ELIGIBILITY, tkg("minimumAgeYears"), lit("19.0", "decimal")
    ),
    ("EligibilityMinimumAgeYears", "DatatypeConstraintComponent"): setting(
        ELIGIBILITY, tkg("minimumAgeYears"), lit("18", "integer")
    ),
    ("EligibilityMinimumAgeYears", "MinInclusiveConstraintComponent"): setting(
        ELIGIBILITY, tkg("minimumAgeYears"), lit("-1.0", "decimal")
    ),
    ("EligibilityMinimumAgeYears", "LessThanOrEqualsConstraintComponent"): setting(
        ELIGIBILITY, tkg("minimumAgeYears"), lit("70.0", "decimal")
    ),
    ("EligibilityMaximumAgeYears", "MaxCountConstraintComponent"): adding(
        ELIGIBILITY, tkg("maximumAgeYears"), lit("65.0", "decimal")
    ),
    ("EligibilityMaximumAgeYears", "DatatypeConstraintComponent"): setting(
        ELIGIBILITY, tkg("maximumAgeYears"), lit("60", "integer")
    ),
    # A negative maximum is below the minimum too: the minimum goes, so only the range reports.
    ("EligibilityMaximumAgeYears", "MinInclusiveConstraintComponent"): lambda d: d.remove(
        ELIGIBILITY, tkg("minimumAgeYears")
    ).set(ELIGIBILITY, tkg("maximumAgeYears"), lit("-60.0", "decimal")),
    ("EligibilitySex", "MaxCountConstraintComponent"): adding(
        ELIGIBILITY, tkg("sex"), tkg("sex-FEMALE")
    ),
    ("EligibilitySex", "InConstraintComponent"): setting(ELIGIBILITY, tkg("sex"), lit("ALL")),
    ("EligibilityHealthyVolunteers", "MaxCountConstraintComponent"): adding(
        ELIGIBILITY, tkg("healthyVolunteers"), lit("true", "boolean")
    ),
    ("EligibilityHealthyVolunteers", "DatatypeConstraintComponent"): setting(
        ELIGIBILITY, tkg("healthyVolunteers"), lit("No")
    ),
    # --- identifiers
    ("IdentifierType", "MinCountConstraintComponent"): removing(
        part("identifier/1"), sdo("propertyID")
    ),
    ("IdentifierType", "MaxCountConstraintComponent"): adding(
        part("identifier/1"), sdo("propertyID"), lit("OTHER")
    ),
    ("IdentifierValue", "MinCountConstraintComponent"): removing(
        part("identifier/1"), sdo("value")
    ),
    ("IdentifierValue", "MaxCountConstraintComponent"): adding(
        part("identifier/1"), sdo("value"), lit("CELLS-002")
    ),
    ("EudraCTNumber", "OrConstraintComponent"): setting(
        part("identifier/2"), sdo("value"), lit("2017-2092-25")
    ),
    ("EUCTNumber", "OrConstraintComponent"): setting(
        part("identifier/3"), sdo("value"), lit("2022-500001-01")
    ),
    # --- publications
    ("PublicationIdentified", "OrConstraintComponent"): lambda d: (
        d.remove(PUB, sdo("name"))
        .remove(PUB, BIBO_PMID)
        .remove(PUB, BIBO_DOI)
        .remove(PUB, tkg("citationText"))
    ),
    ("CitationRead", "OrConstraintComponent"): lambda d: (
        d.remove(PUB, sdo("name")).remove(PUB, BIBO_PMID).remove(PUB, BIBO_DOI)
    ),
    ("PublicationDOI", "MaxCountConstraintComponent"): adding(PUB, BIBO_DOI, lit("10.1000/182")),
    ("PublicationDOI", "PatternConstraintComponent"): setting(
        PUB, BIBO_DOI, lit("doi:10.1136/ard-2024-225771")
    ),
    ("PublicationPMID", "MaxCountConstraintComponent"): adding(PUB, BIBO_PMID, lit("39293421")),
    ("PublicationPMID", "PatternConstraintComponent"): setting(PUB, BIBO_PMID, lit("PMID39293420")),
    ("PublicationDate", "OrConstraintComponent"): setting(
        PUB, sdo("datePublished"), lit("2024-10-21")
    ),
    ("PublicationDate", "PatternConstraintComponent"): setting(
        PUB, sdo("datePublished"), lit("2024-10-1", "gYearMonth")
    ),
    ("ReferenceType", "MinCountConstraintComponent"): removing(REFERENCE, tkg("referenceType")),
    ("ReferenceType", "MaxCountConstraintComponent"): adding(
        REFERENCE, tkg("referenceType"), tkg("referenceType-BACKGROUND")
    ),
    ("ReferenceType", "InConstraintComponent"): setting(
        REFERENCE, tkg("referenceType"), tkg("armType-OTHER")
    ),
    ("ReferencePublication", "MinCountConstraintComponent"): removing(
        REFERENCE, tkg("publication")
    ),
    ("ReferencePublication", "MaxCountConstraintComponent"): lambda d: (
        d.add(REFERENCE, tkg("publication"), UNTYPED)
        .add(UNTYPED, RDF_TYPE, sdo("ScholarlyArticle"))
        .add(UNTYPED, sdo("name"), lit("Another article"))
    ),
    ("ReferencePublication", "ClassConstraintComponent"): setting(
        REFERENCE, tkg("publication"), UNTYPED
    ),
    # --- arms, interventions, conditions, outcomes, people
    ("ArmName", "MinCountConstraintComponent"): removing(part("arm/1"), sdo("name")),
    ("ArmName", "MaxCountConstraintComponent"): adding(part("arm/1"), sdo("name"), lit("Cell arm")),
    ("ArmType", "MaxCountConstraintComponent"): adding(
        part("arm/1"), tkg("armType"), tkg("armType-OTHER")
    ),
    ("ArmType", "InConstraintComponent"): setting(
        part("arm/1"), tkg("armType"), tkg("interventionType-BIOLOGICAL")
    ),
    ("ArmIntervention", "ClassConstraintComponent"): adding(
        part("arm/1"), tkg("intervention"), UNTYPED
    ),
    ("InterventionName", "MinCountConstraintComponent"): removing(
        part("intervention/1"), sdo("name")
    ),
    ("InterventionName", "MaxCountConstraintComponent"): adding(
        part("intervention/1"), sdo("name"), lit("Stem cells")
    ),
    ("InterventionType", "MaxCountConstraintComponent"): adding(
        part("intervention/1"), tkg("interventionType"), tkg("interventionType-DRUG")
    ),
    ("InterventionType", "InConstraintComponent"): setting(
        part("intervention/1"), tkg("interventionType"), tkg("armType-EXPERIMENTAL")
    ),
    ("ConditionName", "MinCountConstraintComponent"): removing(
        data("condition/low-back-pain"), sdo("name")
    ),
    ("OutcomeName", "MinCountConstraintComponent"): removing(
        part("outcome/primary/1"), sdo("name")
    ),
    ("OutcomeName", "MaxCountConstraintComponent"): adding(
        part("outcome/primary/1"), sdo("name"), lit("Pain")
    ),
    ("PersonName", "MinCountConstraintComponent"): removing(
        data("person/pers-ym-cdcd20e6"), sdo("name")
    ),
    # --- across trials
    ("DanglingRelatedTrial", "SPARQLConstraintComponent"): lambda d: (
        d.add(TRIAL, tkg("relatedTrial"), data("trial/NCT09999999"))
        .add(data("trial/NCT09999999"), RDF_TYPE, sdo("MedicalStudy"))
        .add(data("trial/NCT09999999"), IDENTIFIER, lit("NCT09999999"))
    ),
}

# --- posted results (tests/validate/results_support.py)
FLOW_COUNT = part("results/flow/1/milestone/1/count/FG000")
AE_OTHER, AE_STATS = part("results/ae/other/1"), part("results/ae/other/1/EG000")
AE_GROUP, ANALYSIS = part("results/group/EG000"), part("results/outcome/1/analysis/1")
MUTATIONS |= {
    ("ResultCountValue", "DatatypeConstraintComponent"): setting(
        FLOW_COUNT, tkg("count"), lit("40", "decimal")
    ),
    ("ResultCountValue", "MinInclusiveConstraintComponent"): setting(
        FLOW_COUNT, tkg("count"), lit("-1", "integer")
    ),
    ("GroupCountCount", "MinCountConstraintComponent"): removing(FLOW_COUNT, tkg("count")),
    ("GroupCountCount", "MaxCountConstraintComponent"): adding(
        FLOW_COUNT, tkg("count"), lit("41", "integer")
    ),
    ("GroupCountGroup", "MinCountConstraintComponent"): removing(FLOW_COUNT, tkg("group")),
    ("GroupCountGroup", "MaxCountConstraintComponent"): adding(
        FLOW_COUNT, tkg("group"), part("results/group/FG001")
    ),
    # still a group of the trial, but no longer typed as one
    ("GroupCountGroup", "ClassConstraintComponent"): removing(
        part("results/group/FG000"), RDF_TYPE
    ),
    ("ResultGroupOfTrial", "SPARQLConstraintComponent"): setting(
        part("results/baseline/1/measurement/1"),
        tkg("group"),
        data(f"trial/{RELATED_NCT}/results/group/BG000"),
    ),
    ("EventStatsAffected", "LessThanOrEqualsConstraintComponent"): setting(
        AE_STATS, tkg("affected"), lit("41", "integer")
    ),
    ("GroupSeriousAffected", "LessThanOrEqualsConstraintComponent"): setting(
        AE_GROUP, tkg("seriousAffected"), lit("41", "integer")
    ),
    ("GroupOtherAffected", "LessThanOrEqualsConstraintComponent"): setting(
        AE_GROUP, tkg("otherAffected"), lit("41", "integer")
    ),
    ("GroupDeathsAffected", "LessThanOrEqualsConstraintComponent"): setting(
        AE_GROUP, tkg("deathsAffected"), lit("41", "integer")
    ),
    ("AnalysisPValue", "MaxCountConstraintComponent"): adding(
        ANALYSIS, tkg("pValueNumeric"), lit("0.05", "decimal")
    ),
    ("AnalysisPValue", "DatatypeConstraintComponent"): setting(
        ANALYSIS, tkg("pValueNumeric"), lit("0.04", "double")
    ),
    ("AnalysisPValue", "MinInclusiveConstraintComponent"): setting(
        ANALYSIS, tkg("pValueNumeric"), lit("-0.1", "decimal")
    ),
    ("AnalysisPValue", "MaxInclusiveConstraintComponent"): setting(
        ANALYSIS, tkg("pValueNumeric"), lit("1.5", "decimal")
    ),
    ("AdverseEventTerm", "MinCountConstraintComponent"): removing(AE_OTHER, tkg("term")),
    ("AdverseEventTerm", "MaxCountConstraintComponent"): adding(
        AE_OTHER, tkg("term"), lit("Lumbago")
    ),
    ("AdverseEventTerm", "DatatypeConstraintComponent"): setting(
        AE_OTHER, tkg("term"), lit("Back pain", lang="en")
    ),
    ("AdverseEventSeriousness", "MinCountConstraintComponent"): removing(
        AE_OTHER, tkg("seriousness")
    ),
    ("AdverseEventSeriousness", "MaxCountConstraintComponent"): adding(
        AE_OTHER, tkg("seriousness"), tkg("seriousness-SERIOUS")
    ),
    ("AdverseEventSeriousness", "InConstraintComponent"): setting(
        AE_OTHER, tkg("seriousness"), tkg("phase-PHASE2")
    ),
}

PAIRS = shape_components()


def test_the_valid_records_have_no_findings(valid_quads: list[ox.Quad]) -> None:
    """The hand-made records break no shape, not even a warning's."""
    assert validate_all(valid_quads) == []


def test_every_mutation_guards_a_shape_component_of_the_shapes_file() -> None:
    """No mutation is left over from a shape or component that no longer exists."""
    assert sorted(set(MUTATIONS) - set(PAIRS)) == []


def _pair_id(pair: tuple[str, str]) -> str:
    return f"{pair[0]}-{pair[1].removesuffix('ConstraintComponent')}"


@pytest.mark.parametrize("pair", PAIRS, ids=_pair_id)
def test_breaking_the_guarded_fact_is_reported_by_exactly_that_shape(
    pair: tuple[str, str], valid_quads: list[ox.Quad]
) -> None:
    """A mutation of one fact is reported by its shape and component, and by nothing else."""
    assert pair in MUTATIONS, f"no mutation breaks {pair}: add one to MUTATIONS"
    broken = Data(valid_quads)
    MUTATIONS[pair](broken)
    findings = validate_all(broken.quads)
    assert {(_local(f.shape), _local(f.component)) for f in findings} == {pair}
    assert {f.trial for f in findings} <= {NCT, RELATED_NCT}


def test_every_shape_of_the_file_reports_or_serves_one_that_does() -> None:
    """A named shape either has a mutation, groups property shapes, or sits inside a shape."""
    graph = _shapes()
    inside: set[object] = set()
    for shape in reporting_shapes(graph):
        for parameter in (SH["or"], SH["and"], SH.xone):
            for members in graph.objects(shape, parameter):
                inside.update(Collection(graph, members))
        inside.update(graph.objects(shape, SH["not"]))
        inside.update(graph.objects(shape, SH.node))
    named = {
        s
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in graph.subjects(RDFLIB_TYPE, kind)
        if isinstance(s, URIRef)
    }
    tested = {URIRef(KGSH + name) for name, _ in PAIRS}
    groups = {s for s in named if (s, SH.property, None) in graph}
    assert sorted(named - tested - groups - inside) == []
