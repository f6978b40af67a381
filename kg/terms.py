"""Namespaces, IRI minting, name keys and N-Triples rendering: every term kg writes is made here.

The hot path renders terms straight to N-Triples text (PERFORMANCE-NOTES.md: ~14x faster than rdflib
``Graph.add``), so a term is a ``str`` holding its N-Triples form: ``<https://...>`` for an IRI,
``"text"^^<datatype>`` or ``"text"@lang`` for a literal. Escaping follows the N-Triples grammar
(https://www.w3.org/TR/n-triples/#grammar-production-IRIREF and ECHAR/UCHAR); a property test
checks it against pyoxigraph's parser.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from decimal import Decimal
from enum import Enum
from urllib.parse import quote

from kg import model
from kg.mesh_ids import canonical_mesh_id
from kg.model_results import RESULTS_SCHEMES
from kg.orgs import OrgIndex, org_key

__all__ = [
    "BIBO",
    "DCTERMS",
    "DEFAULT_BASE",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "TKG",
    "XSD",
    "Minter",
    "Namespace",
    "Triple",
    "boolean",
    "canonical_decimal",
    "canonical_lexical",
    "concept",
    "date_literal",
    "decimal",
    "integer",
    "iri",
    "literal",
    "mesh",
    "name_key",
    "scheme",
    "slug",
    "term_value",
    "web_iri",
]

SCHEMA = "http://schema.org/"
TKG = "https://w3id.org/trialkg/ontology#"
DEFAULT_BASE = "https://w3id.org/trialkg/"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BIBO = "http://purl.org/ontology/bibo/"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
MESH = "http://id.nlm.nih.gov/mesh/"

Triple = tuple[str, str, str]
"""Subject, predicate and object, each already in N-Triples form."""


class Namespace:
    """Rendered IRIs of one vocabulary by attribute: ``SDO.name == "<http://schema.org/name>"``.

    >>> Namespace("http://schema.org/").sponsor
    '<http://schema.org/sponsor>'
    """

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, local: str) -> str:
        if local.startswith("__"):
            raise AttributeError(local)
        term = f"<{self._base}{local}>"
        setattr(self, local, term)  # later look-ups find the instance attribute directly
        return term

    def iri(self, local: str) -> str:
        """Return the unrendered IRI of a local name."""
        return self._base + local


SDO = Namespace(SCHEMA)
T = Namespace(TKG)
DCT = Namespace(DCTERMS)
BIB = Namespace(BIBO)
PRV = Namespace(PROV)
SKS = Namespace(SKOS)
RDF_TYPE = f"<{RDF}type>"
RDF_FIRST = f"<{RDF}first>"
RDF_REST = f"<{RDF}rest>"
RDF_NIL = f"<{RDF}nil>"

# RFC 3987: what an IRI may hold raw (ASCII unreserved and reserved, "ucschar" ranges); everything
# else (spaces, controls, DEL, <>"{}|^`\\, noncharacters, a "%" not starting an escape) is encoded.
_UCS = "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef" + "".join(
    f"{chr(plane << 16)}-{chr((plane << 16) | 0xFFFD)}" for plane in range(1, 14)
) + "\U000e1000-\U000efffd"  # plane 14 starts at E1000 in RFC 3987
_IRI_UNSAFE = re.compile(f"[^A-Za-z0-9\\-._~:/?#@!$&'()*+,;=%{_UCS}]|%(?![0-9A-Fa-f]{{2}})")


def iri(value: str) -> str:
    """Render an absolute IRI, percent-encoding the characters an IRI may not hold raw.

    >>> iri("https://example.org/a b")
    '<https://example.org/a%20b>'
    """
    if _IRI_UNSAFE.search(value):
        value = _IRI_UNSAFE.sub(
            lambda m: quote(m.group(0), safe="", errors="surrogatepass"), value
        )
    head, hash_, fragment = value.partition("#")
    if "#" in fragment:  # only one fragment delimiter is allowed
        value = head + hash_ + fragment.replace("#", "%23")
    return f"<{value}>"


_ABSOLUTE = re.compile(r"^(?:https?|ftp)://[^\s/?#]+\.[^\s/?#]+", re.I)


def web_iri(value: str | None) -> str | None:
    """Render a web address given by a source as an IRI, or None when it is not an absolute URL.

    >>> web_iri("https://example.org/x")
    '<https://example.org/x>'
    >>> web_iri("www.example.org") is None
    True
    """
    if not value or not _ABSOLUTE.match(value.strip()):
        return None
    return iri(value.strip())


_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f\ud800-\udfff]')


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _ECHAR:
        return _ECHAR[ch]
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"  # a lone surrogate cannot be written as UTF-8
    return f"\\u{ord(ch):04X}"


def _quote(text: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def literal(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    r"""Render a literal; plain strings are written without a datatype (they are xsd:string).

    >>> literal('say "hi"\n')
    '"say \\"hi\\"\\n"'
    >>> literal("5", XSD + "integer")
    '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if lang:
        return f"{_quote(text)}@{lang}"
    if datatype and datatype != XSD + "string":
        return f"{_quote(canonical_lexical(text, datatype))}^^<{datatype}>"
    return _quote(text)


_UNESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE_SEQUENCE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")


def _unescape(m: re.Match[str]) -> str:
    hex4, hex8, char = m.groups()
    if hex4 or hex8:
        return chr(int(hex4 or hex8, 16))
    return _UNESCAPED.get(char, char)


def term_value(term: str) -> str | None:
    r"""Return ``STR()`` of a term in N-Triples form; None for a blank node (an error in SPARQL).

    >>> term_value('"a \\"b\\"\\u00e9"@fr')
    'a "b"é'
    >>> term_value("<http://x>")
    'http://x'
    """
    if term.startswith("<"):
        return term[1:-1]
    if not term.startswith('"'):
        return None
    body = term[1 : term.rindex('"')]
    return _ESCAPE_SEQUENCE.sub(_unescape, body) if "\\" in body else body


def integer(value: int) -> str:
    """Render an ``xsd:integer`` literal."""
    return f'"{int(value)}"^^<{XSD}integer>'


def decimal(value: float | Decimal) -> str:
    """Render an ``xsd:decimal`` literal in its canonical form (XSD 1.1, as Oxigraph writes it).

    No exponent, no leading or trailing zeros, no decimal point for a whole number: every
    serialisation and store then writes the same lexical form (a store re-reads "18.0" as "18").

    >>> decimal(43.61)
    '"43.61"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> decimal(18.0)
    '"18"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> decimal(Decimal("-0.50"))
    '"-0.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'

    Raises:
        ValueError: not a finite number.
    """
    return f'"{canonical_decimal(str(value))}"^^<{XSD}decimal>'


def canonical_decimal(text: str) -> str:
    """Return the canonical lexical form of an ``xsd:decimal`` (or of any finite number).

    >>> [canonical_decimal(v) for v in ("18.0", "+001.50", "-0.0", ".5", "1E+1", "1.5e-7")]
    ['18', '1.5', '0', '0.5', '10', '0.00000015']

    Raises:
        ValueError: not a finite number.
    """
    try:
        d = Decimal(text.strip())
    except ArithmeticError:
        raise ValueError(f"not a decimal number: {text!r}") from None
    if not d.is_finite():
        raise ValueError(f"not a finite decimal number: {text!r}")
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


_CANONICAL_BOOLEAN = {"true": "true", "1": "true", "false": "false", "0": "false"}


def canonical_lexical(text: str, datatype: str) -> str:
    """Return the canonical lexical form of a value of ``xsd:decimal``, ``integer`` or ``boolean``.

    The forms are those a store (Oxigraph) writes back, so a streamed N-Quads line and any
    serialisation of a store agree; other datatypes are returned as given.

    >>> canonical_lexical("007", XSD + "integer"), canonical_lexical("1", XSD + "boolean")
    ('7', 'true')

    Raises:
        ValueError: the text is not a value of its datatype.
    """
    if datatype == XSD + "decimal":
        return canonical_decimal(text)
    if datatype == XSD + "integer":
        if not re.fullmatch(r"\s*[+-]?[0-9]+\s*", text):
            raise ValueError(f"not an integer: {text!r}")
        return str(int(text))
    if datatype == XSD + "boolean":
        try:
            return _CANONICAL_BOOLEAN[text.strip()]
        except KeyError:
            raise ValueError(f"not a boolean: {text!r}") from None
    return text


def boolean(value: bool) -> str:
    """Render an ``xsd:boolean`` literal."""
    return f'"{"true" if value else "false"}"^^<{XSD}boolean>'


def date_literal(value: model.PartialDate) -> str:
    """Render a date as ``xsd:date``, ``xsd:gYearMonth`` (day unknown) or ``xsd:gYear``."""
    if value.day is not None:
        return f'"{value.iso()}"^^<{XSD}date>'
    if value.month is not None:
        return f'"{value.iso()}"^^<{XSD}gYearMonth>'
    return f'"{value.iso()}"^^<{XSD}gYear>'


# --- coded values -------------------------------------------------------------------------------

# Enum class -> the local name of its SKOS concept scheme and of its concepts' prefix in tkg:.
SCHEMES: dict[type[Enum], str] = {
    model.Status: "status",
    model.Phase: "phase",
    model.StudyType: "studyType",
    model.Allocation: "allocation",
    model.InterventionModel: "interventionModel",
    model.PrimaryPurpose: "primaryPurpose",
    model.Masking: "masking",
    model.ObservationalModel: "observationalModel",
    model.TimePerspective: "timePerspective",
    model.AgencyClass: "agencyClass",
    model.Sex: "sex",
    model.ArmType: "armType",
    model.InterventionType: "interventionType",
    model.OfficialRole: "officialRole",
    model.ReferenceType: "referenceType",
    model.DateType: "dateType",
    model.ResponsiblePartyType: "responsiblePartyType",
    model.IpdSharing: "ipdSharing",
    model.IpdInfoType: "ipdInfoType",
    model.ContactRole: "contactRole",
    **RESULTS_SCHEMES,
}

# schema.org's MedicalStudyStatus members; DESIGN.md says use them where one exists.
SCHEMA_STATUS: dict[model.Status, str] = {
    model.Status.NOT_YET_RECRUITING: SCHEMA + "NotYetRecruiting",
    model.Status.RECRUITING: SCHEMA + "Recruiting",
    model.Status.ENROLLING_BY_INVITATION: SCHEMA + "EnrollingByInvitation",
    model.Status.ACTIVE_NOT_RECRUITING: SCHEMA + "ActiveNotRecruiting",
    model.Status.SUSPENDED: SCHEMA + "Suspended",
    model.Status.TERMINATED: SCHEMA + "Terminated",
    model.Status.COMPLETED: SCHEMA + "Completed",
    model.Status.WITHDRAWN: SCHEMA + "Withdrawn",
}


def scheme(enum: type[Enum]) -> str:
    """Return the IRI (unrendered) of the SKOS concept scheme of a code list.

    >>> scheme(model.Phase)
    'https://w3id.org/trialkg/ontology#PhaseScheme'
    """
    local = SCHEMES[enum]
    return f"{TKG}{local[0].upper()}{local[1:]}Scheme"


def concept_iri(code: Enum) -> str:
    """Return the IRI (unrendered) of a registry code's concept.

    >>> concept_iri(model.Phase.PHASE2)
    'https://w3id.org/trialkg/ontology#phase-PHASE2'
    >>> concept_iri(model.Status.ACTIVE_NOT_RECRUITING)
    'http://schema.org/ActiveNotRecruiting'
    """
    if isinstance(code, model.Status) and code in SCHEMA_STATUS:
        return SCHEMA_STATUS[code]
    return f"{TKG}{SCHEMES[type(code)]}-{code.value}"


def concept(code: Enum) -> str:
    """Return the rendered IRI of a registry code's concept."""
    return f"<{concept_iri(code)}>"


# --- names and keys -------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "univ": "university",
    "universite": "university",
    "universitat": "university",
    "universita": "university",
    "universidad": "university",
    "universidade": "university",
    "hosp": "hospital",
    "hopital": "hospital",
    "inst": "institute",
    "institut": "institute",
    "instituto": "institute",
    "istituto": "institute",
    "ctr": "center",
    "centre": "center",
    "centro": "center",
    "dept": "department",
    "natl": "national",
    "intl": "international",
    "co": "company",
    "corp": "corporation",
    "inc": "incorporated",
    "ltd": "limited",
    "&": "and",
}
_NON_WORD = re.compile(r"[^\w&]+")


def _ascii_fold(text: str) -> str:
    if text.isascii():  # nothing to decompose: the common case, and the cheap one
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str) -> str:
    """Return the key under which organisation names are considered the same.

    Case, accents, punctuation and common abbreviations ("Univ.", "Hosp.", "Centre") do not matter.

    >>> name_key("Université Montpellier") == name_key("Univ. of Montpellier".replace(" of", ""))
    True
    >>> name_key("CHU de Nantes")
    'chu de nantes'
    """
    folded = _ascii_fold(name).casefold().replace("&", " & ")
    words = [w for w in _NON_WORD.split(folded) if w]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def slug(text: str, limit: int = 80) -> str:
    """Return a lowercase ASCII slug usable as one IRI path segment.

    >>> slug("Université Montpellier")
    'universite-montpellier'
    """
    folded = _ascii_fold(text).lower()
    out = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(out) > limit:
        out = out[:limit].rstrip("-") + "-" + _digest(text)[:8]
    return out or _digest(text)[:12]


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()  # noqa: S324 - a key


_DOI_SAFE = "/:;()._-~"


class Minter:
    """Mint the data IRIs of DESIGN.md under one base; pure and deterministic.

    >>> Minter().trial("NCT03737461")
    '<https://w3id.org/trialkg/trial/NCT03737461>'
    """

    def __init__(self, base: str = DEFAULT_BASE, *, orgs: OrgIndex | None = None) -> None:
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self.orgs = orgs if orgs is not None else OrgIndex()  # the user's name -> ROR/IRI mapping
        self.placed: set[str] = set()
        """Organisation nodes minted keyed by name at a place (no sponsor's node: kg.index)."""
        self.mapped: set[str] = set()
        """Keys of the mapping that named an organisation here (kg build warns of the others)."""

    def raw(self, path: str) -> str:
        """Return the rendered IRI of a path under the base."""
        return iri(self.base + path)

    def trial(self, nct_id: str) -> str:
        """Trial node."""
        return f"<{self.base}trial/{nct_id}>"

    def part(self, nct_id: str, *path: object) -> str:
        """A node that belongs to one trial (site, arm, eligibility...): ``trial/NCT.../site/3``."""
        tail = "/".join(str(p) for p in path)
        return iri(f"{self.base}trial/{nct_id}/{tail}")

    def graph(self, nct_id: str) -> str:
        """The named graph of a trial's facts."""
        return f"<{self.base}graph/{nct_id}>"

    def organization(self, name: str, place: str | None = None) -> str:
        """One node per organisation: keyed by :func:`kg.orgs.org_key`, or by the mapping.

        A name the mapping sends to a preferred IRI is that IRI; one it sends to a ROR id is keyed
        by the id, so every name mapped to it is one node. ``place`` ("city, country") is a
        facility's: the node is the name at that place (:meth:`kg.orgs.OrgIndex.node_key`).
        """
        target = self.orgs.lookup(name)
        if target is not None:
            self.mapped.add(org_key(name))
        if target is not None and target.iri:
            return iri(target.iri)
        node = f"<{self.base}org/{slug(self.orgs.node_key(name, place))}>"
        if place and (target is None or not target.ror):
            self.placed.add(node)
        return node

    def person(self, name: str, context: str) -> str:
        """A person, keyed by normalised name plus an affiliation (or other context) digest."""
        return f"<{self.base}person/{slug(name_key(name))}-{_digest(name_key(context))[:8]}>"

    def publication(
        self, *, pmid: str | None = None, doi: str | None = None, text: str | None = None
    ) -> str:
        """A publication: keyed by PMID, else DOI, else a digest of the normalised citation."""
        if pmid:
            return f"<{self.base}publication/pmid/{pmid}>"
        if doi:
            return iri(f"{self.base}publication/doi/{quote(doi.lower(), safe=_DOI_SAFE)}")
        if text:
            return f"<{self.base}publication/cite/{_digest(name_key(text))[:16]}>"
        raise ValueError("a publication needs a PMID, a DOI or a citation text")

    def periodical(self, name: str) -> str:
        """A journal, keyed by its normalised (abbreviated) name."""
        return f"<{self.base}journal/{slug(name_key(name))}>"

    def condition(self, name: str) -> str:
        """A condition node shared by all trials naming it alike."""
        return f"<{self.base}condition/{slug(name_key(name))}>"

    def source(self, fmt: str, digest: str) -> str:
        """A source document (one file or API answer), keyed by its content digest."""
        return f"<{self.base}source/{fmt}/{digest}>"


def mesh(descriptor_id: str) -> str:
    """The NLM MeSH RDF IRI of a descriptor ("D001416"), its id in NLM's form (kg.mesh_ids)."""
    return iri(MESH + canonical_mesh_id(descriptor_id))
