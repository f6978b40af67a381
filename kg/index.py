"""Index triples: look-up keys written into each trial's own graph beside its facts.

A registry-wide question that the store can only answer by scanning (a sponsor by any spelling of
its name, case aside; recruiting sites near a point; trials with an intervention of the same name)
becomes an index hit when the key it compares is stored as a value. The keys are derived here from
the record's own triples, in the worker that maps it, and go into the record's named graph: a
rebuilt or replaced trial replaces its keys with its facts, so they are never stale.

- ``?x tkg:alternateNameKey "lower case"``: each ``schema:alternateName`` of ``?x``, lower-cased
  as SPARQL's ``LCASE`` does (Unicode full lower-casing); not for a site's facility keyed by its
  name at its place (``Minter.placed``), which is no sponsor's node: sponsor-trials, the query
  that reads the keys, looks for sponsors. Such a node is a sponsor's only when its IRI happens
  to be one (two keys slugged alike); :func:`add_missing_keys` gives it its keys in the store.
- ``?i tkg:interventionNameKey "lower case"``: each ``schema:name`` of an intervention.
- ``?site tkg:geoCell "162 -297"``: the quarter-degree cell (floor of 4 x latitude, floor of 4 x
  longitude) of each pair of coordinates of a site of a recruiting trial (``schema:status
  schema:Recruiting``, the concept whose notation recruiting-near asks for).
- ``?trial tkg:recordGraph ?graph``: the record's own named graph, so a query can read a fact in
  it (the trial's own title) without computing a graph name.

Format 2 adds (a store of format 2 holds every key of format 1 too, so a format-1 variant reads
it as well):

- ``?trial tkg:ownTitle "title"``: each ``schema:name`` of the trial in its own record, which is
  the title the scans read in the record's own graph (``GRAPH ?own { ?trial schema:name ?t }``)
  without the hop through ``tkg:recordGraph``. A trial that only other records name (a related
  trial) has no own record and no such key: the queries fall back to any graph's title for it.
- ``?site tkg:fineGeoCell "651 -1185"``: the 1/16-degree cell (floor of 16 x latitude, floor of
  16 x longitude) of the same sites as ``tkg:geoCell``, so a box of a few km reads about its own
  area rather than 2-3 times it.
- ``?graph tkg:indexFormat "2"``: the graph's own note of the format of its keys; the statistics
  graph states the store's format, the lowest of its trial graphs' (kg.stats).

Format 3 adds the keys of "trials sharing a condition", so that a condition's (or MeSH term's)
trials and their titles are one run of keys read in order, not a look-up of each trial's title:

- ``?condition tkg:conditionTrialTitle "title"`` (and ``?term tkg:meshTermTrialTitle "title"``):
  for each ``schema:healthCondition`` (``tkg:conditionMeshTerm``) of the trial in its own record,
  each title of the trial there (its ``tkg:ownTitle``), stated in the trial's own graph: the
  graph's name gives the trial (``{base}graph/NCT...`` is ``{base}trial/NCT...``'s, DESIGN.md).
- ``?condition tkg:conditionUntitledTrial ?trial`` (``?term tkg:meshTermUntitledTrial ?trial``):
  the same link for a trial whose own record gives no title: the queries read any graph's title
  for those only, as the scans do (a title another record gives can come and go with that
  record, so no key of this graph can hold it).

Format 4 adds the key that orders them: a page of "trials sharing a condition" needs the trials
of a condition in NCT order, and ordering by the graph's name reads every name from the store's
string table (~10 us a row; a short literal is held in the key itself, not in that table):

- ``?condition tkg:conditionTrialId "NCT..."`` (``?term tkg:meshTermTrialId "NCT..."``): for
  each ``schema:healthCondition`` (``tkg:conditionMeshTerm``) of the trial in its own record, the
  trial's NCT id (its ``dcterms:identifier``, the id its IRI is minted from), stated in the
  trial's own graph, titled or not. A page reads a condition's trials in order and counts them
  from these keys and the title keys alone, and reads the titles of the page's rows only.

Format 5 adds the key of a MeSH descriptor id, so adverse-events-by-intervention finds the trials
of a descriptor id given in any case by one look-up (before: every spelling of the id bound as
IRIs, 2 ** letters of them, or for more than 4,096 a comparison of every descriptor link):

- ``?descriptor tkg:meshIdKey "d000077716"``: each MeSH descriptor a trial's interventions are
  linked to in its own record (``tkg:interventionMeshTerm``, ``tkg:interventionMeshAncestor``),
  its IRI after ``/mesh/`` lower-cased as ``LCASE`` does, stated in that graph.

Format 6 (recruiting-near's point keys on cell nodes, 2026-12-07) was withdrawn: no query reads
its keys and kg writes none; a store of format 6 is brought to format 7 by ``kg reindex``.

Format 7 adds the keys of "trials sharing an intervention", as formats 3 and 4 did for conditions,
so that a page of the trials sharing an intervention of a trial reads one run of keys in NCT order
and the titles of its own rows only (before: every trial sharing the intervention, its title and
NCT id were looked up, ~1-2 s for a trial testing a placebo at 100,000 trials):

- ``<{base}intervention-name/placebo> tkg:interventionNameTrialId "NCT..."``: on the node of each
  lower-case key of the names of the trial's interventions in its own record (the same key as
  ``tkg:interventionNameKey``; the node's IRI is the key, percent-encoded: :func:`name_node`),
  the trial's NCT id, stated in the trial's own graph; ``tkg:interventionNameSpelling`` each name
  of the trial's interventions with that key (the answer shows the least), and
  ``tkg:interventionNameTrialTitle`` each of the trial's own titles, or
  ``tkg:interventionNameUntitledTrial`` the trial if its record gives none (as format 3).
- ``?descriptor tkg:interventionMeshTermTrialId "NCT..."``, ``tkg:interventionMeshTermTrialTitle``
  and ``tkg:interventionMeshTermUntitledTrial``: the same for each MeSH term the registry derived
  for the trial's interventions (``tkg:interventionMeshTerm``).

Format 8 adds recruiting-near's key of each site, so that kg answers a box on an embedded store
from one run of keys a cell (kg.near) instead of a look-up of each site's trial, status,
coordinates, title, facility and address (~0.7 ms a site at 100,000 trials, 0.4-1.1 s a 25 km box
in a busy place):

- ``<https://w3id.org/trialkg/cell/16/651/-1185> tkg:recruitingSiteKey "[...]"``: on the node of
  each 1/16-degree cell (the ``tkg:fineGeoCell`` of the site; the node's IRI is the cell, in kg's
  namespace whatever the data's base, so a reader finds it from the coordinates alone), for each
  site of a recruiting trial and each of its points in that cell, a JSON array of what
  recruiting-near reads of the site in the record: ``[latitude, longitude, site, trial,
  [trial status concepts], [site status concepts], [NCT ids], [own titles] or null (none:
  the reader reads any graph's), [facility names], [[locality or null, country or null] per
  address]]`` (:func:`site_key`), stated in the trial's own graph. A value of a kind kg does not
  write there (a literal with a language or another datatype) makes the key ``false``: the
  reader then runs the query instead.

The queries that use them are ``queries/indexed/*.rq`` (README, "At registry scale").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.void_counts import Change

from kg.terms import (
    DCT,
    RDF_TYPE,
    SCHEMA,
    SDO,
    TKG,
    XSD,
    T,
    canonical_decimal,
    literal,
    term_value,
)

__all__ = [
    "CELLS_PER_DEGREE",
    "CELL_NODES",
    "FINE_CELLS_PER_DEGREE",
    "INDEX_FORMAT",
    "INDEX_PREDICATES",
    "NAME_NODES",
    "NAME_SHARING_KEYS",
    "SHARING_IDS",
    "SHARING_KEYS",
    "WANTED",
    "add_missing_keys",
    "cell_node",
    "geo_cell",
    "index_triples",
    "lower_literal",
    "name_node",
    "site_key",
    "split",
]

INDEX_FORMAT = "8"
"""Version of the index triples; stored in each trial graph and, when every trial graph has it,
in the statistics graph (``tkg:indexFormat``). Format N holds every key of the formats before it
but the withdrawn format 6's."""

INDEX_PREDICATES = tuple(
    p[1:-1]
    for p in (
        T.recordGraph,
        T.alternateNameKey,
        T.interventionNameKey,
        T.geoCell,
        T.ownTitle,
        T.fineGeoCell,
        T.indexFormat,
        T.conditionTrialTitle,
        T.conditionUntitledTrial,
        T.meshTermTrialTitle,
        T.meshTermUntitledTrial,
        T.conditionTrialId,
        T.meshTermTrialId,
        T.meshIdKey,
        T.interventionNameTrialId,
        T.interventionNameTrialTitle,
        T.interventionNameUntitledTrial,
        T.interventionNameSpelling,
        T.interventionMeshTermTrialId,
        T.interventionMeshTermTrialTitle,
        T.interventionMeshTermUntitledTrial,
        T.recruitingSiteKey,
    )
)
"""The IRIs of the index triples' predicates: look-up keys, not facts of the records."""

_ALT = SDO.alternateName
_NAME = SDO.name
_GEO = SDO.geo
_LAT = SDO.latitude
_LON = SDO.longitude
_STATUS = SDO.status
_SPONSOR = SDO.sponsor
_RECRUITING = SDO.Recruiting
_INTERVENTION = T.Intervention
_CONDITION = SDO.healthCondition
_MESH_TERM = T.conditionMeshTerm
_SUBJECT = SDO.studySubject
_INTERVENTION_MESH = T.interventionMeshTerm
_SITE = T.site
_SITE_STATUS = T.siteStatus
_ADDRESS = SDO.address
_LOCALITY = SDO.addressLocality
_COUNTRY = SDO.addressCountry
_IDENTIFIER = DCT.identifier
SHARING_KEYS = {
    _CONDITION: (T.conditionTrialTitle, T.conditionUntitledTrial),
    _MESH_TERM: (T.meshTermTrialTitle, T.meshTermUntitledTrial),
    _INTERVENTION_MESH: (T.interventionMeshTermTrialTitle, T.interventionMeshTermUntitledTrial),
}
"""Formats 3 and 7: the predicates of a trial's link to a shared feature: (titled key, untitled
key)."""
SHARING_IDS = {
    _CONDITION: T.conditionTrialId,
    _MESH_TERM: T.meshTermTrialId,
    _INTERVENTION_MESH: T.interventionMeshTermTrialId,
}
"""Formats 4 and 7: the predicate of a trial's link to a shared feature whose object is its NCT
id."""
NAME_SHARING_KEYS = (
    T.interventionNameTrialTitle,
    T.interventionNameUntitledTrial,
    T.interventionNameTrialId,
    T.interventionNameSpelling,
)
"""Format 7: the keys on an intervention name's node (:func:`name_node`): titled, untitled, NCT
id, spelling."""
NAME_NODES = "intervention-name/"
"""The path, after the data base IRI, of the nodes of intervention names (format 7)."""
_MESH_PART = "/mesh/"
_NUMERIC = (f"<{XSD}decimal>", f"<{XSD}double>", f"<{XSD}integer>", f"<{XSD}float>")

Triple = tuple[str, str, str]


def lower_literal(term: str) -> str | None:
    r"""Return the plain literal of ``LCASE(STR(term))``, rendered; None for an IRI or blank node.

    kg escapes only ASCII controls, quote and backslash in a literal (kg.terms): lower-casing the
    rendered text lower-cases exactly the characters of its value (an escape stays an escape).

    >>> lower_literal('"Ab \\"C\\"\\n"')
    '"ab \\"c\\"\\n"'
    >>> lower_literal('"X"@en')
    '"x"'
    >>> lower_literal("<http://a>") is None
    True
    """
    if not term.startswith('"'):
        return None
    end = term.rindex('"')
    return term[: end + 1].lower()


def _number(term: str) -> Decimal:
    lexical, _, datatype = term.partition("^^")
    if datatype not in _NUMERIC or not lexical.startswith('"'):
        raise ValueError(f"not a numeric literal: {term}")
    try:
        return Decimal(lexical.strip('"'))
    except InvalidOperation as exc:
        raise ValueError(f"not a numeric literal: {term}") from exc


CELLS_PER_DEGREE = 4
"""Cells (``tkg:geoCell``) are a quarter of a degree each way (~28 km north-south)."""

FINE_CELLS_PER_DEGREE = 16
"""Fine cells (``tkg:fineGeoCell``, format 2) are 1/16 of a degree each way (~7 km north-south)."""


def geo_cell(
    latitude: Decimal | float, longitude: Decimal | float, per_degree: int = CELLS_PER_DEGREE
) -> str:
    """Return the cell key of a point: floor of k x latitude and of k x longitude (k per degree).

    >>> geo_cell(Decimal("40.71"), Decimal("-74.01"))
    '162 -297'
    >>> geo_cell(Decimal("40.71"), Decimal("-74.01"), FINE_CELLS_PER_DEGREE)
    '651 -1185'
    """
    return f"{math.floor(latitude * per_degree)} {math.floor(longitude * per_degree)}"


def name_node(base: str, key: str) -> str:
    r"""Return the node (rendered IRI) of an intervention name's key (a rendered plain literal).

    The key's value, percent-encoded but for ASCII letters, digits and ``-._~``: one node per
    key, the same whichever N-Triples escapes wrote the key.

    >>> name_node("https://w3id.org/trialkg/", '"placebo"')
    '<https://w3id.org/trialkg/intervention-name/placebo>'
    >>> name_node("https://w3id.org/trialkg/", '"drug: \\"a\\" 5%\\u00e9"')
    '<https://w3id.org/trialkg/intervention-name/drug%3A%20%22a%22%205%25%C3%A9>'
    """
    value = term_value(key) or ""  # a plain literal: never None
    return f"<{base}{NAME_NODES}{quote(value, safe='', errors='surrogatepass')}>"


def _quoted(text: str) -> str:
    return '"' + text + '"'  # cell keys and formats are digits, "-", spaces: nothing to escape


def split(triples: Iterable[Triple], wanted: Collection[str]) -> dict[str, list[tuple[str, str]]]:
    """Return the subject and object of each triple whose predicate is wanted, by predicate."""
    out: dict[str, list[tuple[str, str]]] = {p: [] for p in wanted}
    for s, p, o in triples:
        pairs = out.get(p)
        if pairs is not None:
            pairs.append((s, o))
    return out


_DESCRIBED = (T.interventionMeshTerm, T.interventionMeshAncestor)
WANTED = (
    _ALT, _NAME, RDF_TYPE, _GEO, _LAT, _LON, _STATUS, _SPONSOR, _CONDITION, _MESH_TERM, *_DESCRIBED,
    _SUBJECT, _SITE, _SITE_STATUS, _ADDRESS, _LOCALITY, _COUNTRY, _IDENTIFIER,
)
"""The predicates :func:`index_triples` reads."""


def _objects(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s, o in pairs:
        out.setdefault(s, []).append(o)
    return out


def index_triples(
    triples: Iterable[Triple] | Mapping[str, list[tuple[str, str]]],
    trial: str,
    graph: str,
    *,
    placed: Collection[str] = frozenset(),
) -> list[Triple]:
    """Return the index triples of one record's triples (``trial`` and ``graph`` rendered IRIs).

    ``triples`` may be given already split by predicate (:func:`split` with at least
    :data:`WANTED`), as the build does to read them once for the index and the statistics.
    ``placed``: the facilities keyed by name at a place (``Minter.placed``): their names get no
    key unless the record names them as a sponsor.
    """
    parts = triples if isinstance(triples, Mapping) else split(triples, WANTED)
    interventions = {s for s, o in parts[RDF_TYPE] if o == _INTERVENTION}
    out: list[Triple] = [
        (trial, T.recordGraph, graph),
        (graph, T.indexFormat, _quoted(INDEX_FORMAT)),
    ]
    titles = [o for s, o in parts[_NAME] if s == trial]
    out.extend((trial, T.ownTitle, o) for o in titles)
    nct = _quoted(trial[trial.rindex("/") + 1 : -1])  # {base}trial/NCT...: its NCT id

    def shared(feature: str, titled: str, untitled: str, ordered: str) -> None:
        """A shared feature's keys (formats 3, 4, 7): the trial's titles or itself, its NCT id."""
        if titles:
            out.extend((feature, titled, title) for title in titles)
        else:
            out.append((feature, untitled, trial))
        out.append((feature, ordered, nct))

    for link, (titled, untitled) in SHARING_KEYS.items():
        for feature in dict.fromkeys(o for s, o in parts[link] if s == trial):
            shared(feature, titled, untitled, SHARING_IDS[link])
    unkeyed = set(placed).difference(o for _, o in parts[_SPONSOR]) if placed else placed
    for s, o in parts[_ALT]:
        if s in unkeyed:
            continue
        key = lower_literal(o)
        if key is not None:
            out.append((s, T.alternateNameKey, key))
    spellings: dict[str, dict[str, None]] = {}  # a name key's node: the names with that key
    tested = {o for s, o in parts[_SUBJECT] if s == trial}
    # A trial is {base}trial/NCT... (DESIGN.md); the name nodes are {base}intervention-name/...
    base = trial[1 : trial.rindex("/trial/") + 1 if "/trial/" in trial else trial.rindex("/") + 1]
    for s, o in parts[_NAME]:
        if s in interventions and (key := lower_literal(o)) is not None:
            out.append((s, T.interventionNameKey, key))
            if s in tested:
                spellings.setdefault(name_node(base, key), {})[o] = None
    titled, untitled, ordered, spelled = NAME_SHARING_KEYS
    for node, names in spellings.items():
        shared(node, titled, untitled, ordered)
        out.extend((node, spelled, name) for name in names)
    descriptors = dict.fromkeys(o for p in _DESCRIBED for _, o in parts[p])
    for descriptor in descriptors:
        if descriptor.startswith("<") and (at := descriptor.find(_MESH_PART)) >= 0:
            # LCASE(STRAFTER(STR(?descriptor), "/mesh/")): an IRI has no escapes to keep.
            local = descriptor[at + len(_MESH_PART) : -1]
            out.append((descriptor, T.meshIdKey, _quoted(local.lower())))
    # Cells only where recruiting-near can look: the sites of a recruiting trial (the one concept
    # whose notation is RECRUITING); a trial whose status changes is rebuilt with its cells.
    if (trial, _RECRUITING) not in set(parts[_STATUS]):
        return out
    lat, lon = _objects(parts[_LAT]), _objects(parts[_LON])
    fine: dict[str, dict[tuple[str, str], str]] = {}  # each site's points and their fine cells
    for site, geos in _objects(parts[_GEO]).items():
        points = {
            (y, x): (_number(y), _number(x))
            for geo in geos
            for y in lat.get(geo, ())
            for x in lon.get(geo, ())
        }
        quarter = {geo_cell(y, x, CELLS_PER_DEGREE) for y, x in points.values()}
        out.extend((site, T.geoCell, _quoted(cell)) for cell in sorted(quarter))
        fine[site] = {p: geo_cell(y, x, FINE_CELLS_PER_DEGREE) for p, (y, x) in points.items()}
        out.extend((site, T.fineGeoCell, _quoted(c)) for c in sorted(set(fine[site].values())))
    out.extend(_site_keys(parts, trial, fine))
    return out


CELL_NODES = "https://w3id.org/trialkg/cell/16/"
"""The nodes of 1/16-degree cells that hold recruiting-near's site keys (format 8): ``Y/X``."""


def cell_node(cell: str) -> str:
    """Return the node (rendered IRI) of a 1/16-degree cell key (:func:`geo_cell`).

    >>> cell_node("651 -1185")
    '<https://w3id.org/trialkg/cell/16/651/-1185>'
    """
    return f"<{CELL_NODES}{cell.replace(' ', '/')}>"


def _plain(term: str) -> str:
    """The value of a plain string literal; a value of another kind makes the key irregular."""
    if not term.startswith('"') or not term.endswith('"'):
        raise _IrregularError
    return term_value(term) or ""


def _concepts(terms: Iterable[str]) -> list[str]:
    """The IRIs of the status concepts; a literal is left out (it has no notation to match)."""
    found = []
    for term in terms:
        if term.startswith("<"):
            found.append(term[1:-1])
        elif not term.startswith('"'):
            raise _IrregularError  # a blank node: no key of this graph can name it for a reader
    return found


class _IrregularError(Exception):
    """A value the site key cannot hold as kg writes it: the key says ``false``."""


Objects = Mapping[str, Mapping[str, list[str]]]
"""The objects of each subject by predicate (``objects[p][s]``), in one record."""


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: object) -> str:
    return _JSON.encode(value)


def _trial_part(trial: str, objects: Objects) -> tuple[str, str] | None:
    """The site key's parts of the trial (JSON), or None: irregular.

    Its IRI and status concepts, then its NCT ids and own titles: the site's status concepts go
    between.
    """
    try:
        titles = [_plain(t) for t in objects[_NAME].get(trial, ())]
        ncts = [_plain(n) for n in objects[_IDENTIFIER].get(trial, ())]
        head = _json([trial[1:-1], _concepts(objects[_STATUS].get(trial, ()))])
        return head[1:-1], _json([ncts, titles or None])[1:-1]
    except _IrregularError:
        return None


def _values(terms: Iterable[str]) -> list[str | None]:
    """The plain values of an optional column; [None]: unbound."""
    return [_plain(t) for t in terms] or [None]


def _site_part(site: str, objects: Objects) -> tuple[str, str] | None:
    """The site key's site status concepts, and its facility names and places (JSON)."""
    try:
        places = [  # a literal address has no town or country: both unbound, as in the query
            [city, country]
            for address in objects[_ADDRESS].get(site, ())
            for city in _values(objects[_LOCALITY].get(address, ()))
            for country in _values(objects[_COUNTRY].get(address, ()))
        ]
        statuses = _json(_concepts(objects[_SITE_STATUS].get(site, ())))
        names = [_plain(f) for f in objects[_NAME].get(site, ())]
        return statuses, _json([names, places])[1:-1]
    except _IrregularError:
        return None


_KEY_READS = (_NAME, _STATUS, _SITE_STATUS, _ADDRESS, _LOCALITY, _COUNTRY, _IDENTIFIER)


_DECIMAL_TYPE = f"^^<{XSD}decimal>"
_KEY_ESCAPES = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _site_tail(
    site: str, trial: tuple[str, str] | None, where: tuple[str, str] | None
) -> str | None:
    """The site key after its point, rendered as in a literal (None: a part is irregular).

    The parts are JSON, which has no control character but where a value holds one (then
    escaped as kg escapes any literal): only its quotes and backslashes need escaping.
    """
    if trial is None or where is None:
        return None
    text = f"{_json(site[1:-1])},{trial[0]},{where[0]},{trial[1]},{where[1]}]"
    if _KEY_ESCAPES.search(text):
        return literal(text)[1:-1]
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _point_key(point: tuple[str, str], tail: str | None) -> str:
    """One site key (a rendered literal): the point, then the rest (None: the key is false)."""
    if tail is None or not all(t.endswith(_DECIMAL_TYPE) for t in point):
        return '"false"'
    latitude, longitude = (canonical_decimal(term_value(term) or "") for term in point)
    return f'"[\\"{latitude}\\",\\"{longitude}\\",{tail}"'


def site_key(point: tuple[str, str], site: str, trial: str, objects: Objects) -> str:
    r"""Return recruiting-near's key of one site at one point (format 8), a rendered literal.

    ``point`` is the site's latitude and longitude (rendered literals); ``objects[p][s]`` the
    objects of ``s`` by predicate ``p`` in the record (a predicate left out: none).

    >>> geo = '"43.610"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> read = {SDO.name: {"<http://x/trial/NCT1/site/1>": ['"CHU \\"A\\""']}}
    >>> key = site_key((geo, geo), "<http://x/trial/NCT1/site/1>", "<http://x/trial/NCT1>", read)
    >>> json.loads(term_value(key) or "")[:4]
    ['43.61', '43.61', 'http://x/trial/NCT1/site/1', 'http://x/trial/NCT1']
    >>> json.loads(term_value(key) or "")[4:]
    [[], [], [], None, ['CHU "A"'], []]
    """
    read = {p: objects.get(p, {}) for p in _KEY_READS}
    return _point_key(point, _site_tail(site, _trial_part(trial, read), _site_part(site, read)))


def _site_keys(
    parts: Mapping[str, list[tuple[str, str]]],
    trial: str,
    fine: Mapping[str, Mapping[tuple[str, str], str]],
) -> list[Triple]:
    """The site keys (format 8) of a recruiting trial's sites with coordinates.

    ``fine``: each site's points (rendered latitude and longitude) and their 1/16-degree cells.
    """
    sites = dict.fromkeys(o for s, o in parts[_SITE] if s == trial and not o.startswith('"'))
    if not sites:
        return []
    objects = {p: _objects(parts[p]) for p in _KEY_READS}
    trial_part = _trial_part(trial, objects)
    out: list[Triple] = []
    for site in sites:
        points = fine.get(site)
        if not points:
            continue
        # A blank node site: no key can name it for a reader (false: the query answers).
        tail = _site_tail(site, trial_part, _site_part(site, objects)) if site[0] == "<" else None
        for point, cell in points.items():
            out.append((cell_node(cell), T.recruitingSiteKey, _point_key(point, tail)))
    return out


# The names of sponsors that some graph holds without their keys: a facility keyed by name at a
# place whose IRI is also a sponsor's (see the module's docstring); none in a normal store.
_UNKEYED_SPONSOR_NAMES = f"""
SELECT DISTINCT ?g ?org ?name
WHERE {{
  {{ SELECT DISTINCT ?org WHERE {{ GRAPH ?h {{ ?trial <{SCHEMA}sponsor> ?org }} }} }}
  GRAPH ?g {{ ?org <{SCHEMA}alternateName> ?name }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?org <{TKG}alternateNameKey> ?key }} }}
}}
"""


def add_missing_keys(store: ox.Store, change: Change | None = None) -> int:
    """Key every spelling of every sponsor in every graph of ``store``; return the keys added.

    The build leaves out the keys of facilities keyed by name at a place (no sponsor's node);
    this adds them where such a node is a sponsor's after all, so sponsor-trials' indexed variant
    finds what its scan finds. Run after every write of the store. ``change`` records the quads
    added (kg.void_counts).
    """
    result = store.query(_UNKEYED_SPONSOR_NAMES)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    key = ox.NamedNode(f"{TKG}alternateNameKey")
    quads = {
        ox.Quad(sol["org"], key, ox.Literal(sol["name"].value.lower()), sol["g"])
        for sol in result
        if isinstance(sol["name"], ox.Literal)
        and isinstance(sol["org"], ox.NamedNode | ox.BlankNode)
        and isinstance(sol["g"], ox.NamedNode)
    }
    quads = {q for q in quads if q not in store}
    if change is not None:
        change.added(quads)
    store.extend(quads)
    return len(quads)
