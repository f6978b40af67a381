"""Read ClinicalTrials.gov API v2 JSON: one study, an array, an API response page, or NDJSON.

Field names and codes follow https://clinicaltrials.gov/data-api/about-api/study-data-structure.
A reader yields a :class:`~kg.model.Trial` per good study and an :class:`~kg.errors.InputError`
object per bad one, so one bad record never stops the others.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from itertools import chain, islice
from typing import Any, BinaryIO, TypeVar

import orjson

from kg import model
from kg.errors import InputError
from kg.mesh_ids import canonical_mesh_id
from kg.sources.citation import parse_citation
from kg.sources.criteria import split_criteria
from kg.sources.officials import read_official
from kg.sources.results_json import read_results

__all__ = ["FORMAT", "iter_studies", "looks_like_json", "parse_study"]

FORMAT = "ctgov-json"

_NCT_ID = re.compile(r"NCT[0-9]{8}")
_BOM = b"\xef\xbb\xbf"
_E = TypeVar("_E", bound=Enum)
# bool before number: True is an int in Python
_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "boolean"),
    ((int, float), "number"),
    (str, "string"),
    (list, "array"),
    (Mapping, "object"),
)
_BAD = object()  # "this line is not JSON", since a JSON line may well be null


def _kind(value: object) -> str:
    """Name a value's JSON type.

    >>> _kind([1]), _kind(True), _kind(2.5), _kind(None)
    ('array', 'boolean', 'number', 'null')
    """
    fallback = "null" if value is None else type(value).__name__
    return next((kind for t, kind in _KINDS if isinstance(value, t)), fallback)


class _Node:
    """A JSON object and its dotted path; getters read null as absent and raise naming the field."""

    __slots__ = ("_data", "path")

    def __init__(self, data: Mapping[str, Any], path: str = "") -> None:
        self._data = data
        self.path = path

    def at(self, key: str) -> str:
        """Return the dotted path of a key of this object."""
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, expected: type | tuple[type, ...], what: str) -> Any:
        value = self._data.get(key)
        # bool is an int in Python, but true is not a count in JSON
        if value is None or (
            isinstance(value, expected) and (expected is bool or not isinstance(value, bool))
        ):
            return value
        raise InputError(f"expected {what}, got {_kind(value)}", field=self.at(key))

    def node(self, key: str) -> _Node:
        value = self._get(key, Mapping, "an object")
        return _Node(value or {}, self.at(key))

    def nodes(self, key: str) -> list[_Node]:
        path = self.at(key)
        out = []
        for i, item in enumerate(self._get(key, list, "an array") or ()):
            if not isinstance(item, Mapping):
                raise InputError(f"expected an object, got {_kind(item)}", field=f"{path}[{i}]")
            out.append(_Node(item, f"{path}[{i}]"))
        return out

    def text(self, key: str) -> str | None:
        value: str | None = self._get(key, str, "a string")
        return (value.strip() or None) if value is not None else None

    def texts(self, key: str) -> tuple[str, ...]:
        items = self._get(key, list, "an array") or ()
        for item in items:
            if not isinstance(item, str):
                raise InputError(f"expected strings, got {_kind(item)}", field=self.at(key))
        return tuple(s for s in (i.strip() for i in items) if s)

    def code(self, enum: type[_E], key: str) -> _E | None:
        text = self.text(key)
        return None if text is None else _code(enum, text, self.at(key))

    def codes(self, enum: type[_E], key: str) -> tuple[_E, ...]:
        return tuple(_code(enum, v, self.at(key)) for v in self.texts(key))

    def date(self, key: str) -> model.PartialDate | None:
        text = self.text(key)
        if text is None:
            return None
        try:
            return model.PartialDate.parse(text)
        except ValueError:
            raise InputError(f"malformed date {text!r}", field=self.at(key)) from None

    def flag(self, key: str) -> bool | None:
        value: bool | None = self._get(key, bool, "true or false")
        return value

    def count(self, key: str) -> int | None:
        value: float | None = self._get(key, (int, float), "an integer")
        if isinstance(value, float) and not value.is_integer():
            raise InputError(f"expected an integer, got {value!r}", field=self.at(key))
        return None if value is None else int(value)

    def number(self, key: str) -> float | None:
        value = self._get(key, (int, float), "a number")
        return None if value is None else float(value)

    def value_text(self, key: str) -> str | None:
        """Return a string, or a number as JSON writes it ("45", "0.05"): values kept as given."""
        value = self._get(key, (str, int, float), "a string or a number")
        if isinstance(value, str):
            return value.strip() or None
        return None if value is None else str(value)

    def present(self) -> bool:
        """Tell whether the object holds any key (an absent object reads as empty)."""
        return bool(self._data)


def _code(enum: type[_E], value: str, field: str) -> _E:
    """Return the member whose value is the registry code, or raise InputError naming the field."""
    try:
        return enum(value)
    except ValueError:
        raise InputError(f"unknown value {value!r}", field=field) from None


def looks_like_json(head: bytes) -> bool:
    r"""Tell whether the first bytes of an input look like JSON (an object or an array).

    >>> looks_like_json(b'  \n{"protocolSection": {}}'), looks_like_json(b"<clinical_study>")
    (True, False)
    """
    return head.removeprefix(_BOM).lstrip()[:1] in (b"{", b"[")


def parse_study(obj: Mapping[str, Any], name: str) -> model.Trial:
    """Map one API v2 study object to a Trial; raise InputError naming file, record and field."""
    if not isinstance(obj, Mapping):
        raise InputError(f"expected a study object, got {_kind(obj)}", file=name)
    record: str | None = None
    try:
        root = _Node(obj)
        record = _nct_id(root.node("protocolSection").node("identificationModule"))
        return _trial(root, record, _source(root, obj, name))
    except InputError as exc:
        raise exc.located(file=name, record=record) from exc


def _nct_id(ident: _Node) -> str:
    nct_id = ident.text("nctId")
    if nct_id is None:
        raise InputError("missing NCT id", field=ident.at("nctId"))
    if not _NCT_ID.fullmatch(nct_id):
        raise InputError(f"invalid NCT id {nct_id!r}", field=ident.at("nctId"))
    return nct_id


def _source(root: _Node, obj: Mapping[str, Any], name: str) -> model.SourceInfo:
    try:
        canonical = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS, default=_plain)
    except orjson.JSONEncodeError as exc:
        raise InputError(f"cannot be encoded as JSON: {exc}") from exc
    digest = hashlib.sha1(canonical, usedforsecurity=False).hexdigest()[:16]
    date = root.node("derivedSection").node("miscInfoModule").date("versionHolder")
    return model.SourceInfo(name=name, format=FORMAT, date=date, digest=digest)


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _trial(root: _Node, nct_id: str, source: model.SourceInfo) -> model.Trial:
    protocol, derived = root.node("protocolSection"), root.node("derivedSection")
    ident, status = protocol.node("identificationModule"), protocol.node("statusModule")
    design = protocol.node("designModule")
    info, enrollment = design.node("designInfo"), design.node("enrollmentInfo")
    description, plan = protocol.node("descriptionModule"), protocol.node("armsInterventionsModule")
    outcomes, places = protocol.node("outcomesModule"), protocol.node("contactsLocationsModule")
    start, start_type = _date_struct(status.node("startDateStruct"))
    primary, primary_type = _date_struct(status.node("primaryCompletionDateStruct"))
    completion, completion_type = _date_struct(status.node("completionDateStruct"))
    topics, cond_browse = protocol.node("conditionsModule"), derived.node("conditionBrowseModule")
    int_browse = derived.node("interventionBrowseModule")
    oversight = protocol.node("oversightModule")
    return model.Trial(
        nct_id=nct_id,
        source=source,
        brief_title=ident.text("briefTitle"),
        official_title=ident.text("officialTitle"),
        acronym=ident.text("acronym"),
        brief_summary=description.text("briefSummary"),
        detailed_description=description.text("detailedDescription"),
        org_study_id=ident.node("orgStudyIdInfo").text("id"),
        secondary_ids=tuple(_secondary_ids(ident)),
        status=status.code(model.Status, "overallStatus"),
        last_known_status=status.code(model.Status, "lastKnownStatus"),
        why_stopped=status.text("whyStopped"),
        status_verified=status.date("statusVerifiedDate"),
        nct_aliases=ident.texts("nctIdAliases"),
        study_type=design.code(model.StudyType, "studyType"),
        phases=design.codes(model.Phase, "phases"),
        allocation=info.code(model.Allocation, "allocation"),
        intervention_model=info.code(model.InterventionModel, "interventionModel"),
        primary_purpose=info.code(model.PrimaryPurpose, "primaryPurpose"),
        masking=info.node("maskingInfo").code(model.Masking, "masking"),
        observational_model=info.code(model.ObservationalModel, "observationalModel"),
        time_perspective=info.code(model.TimePerspective, "timePerspective"),
        enrollment=enrollment.count("count"),
        enrollment_type=enrollment.code(model.DateType, "type"),
        start_date=start,
        start_date_type=start_type,
        primary_completion_date=primary,
        primary_completion_date_type=primary_type,
        completion_date=completion,
        completion_date_type=completion_type,
        first_posted=status.node("studyFirstPostDateStruct").date("date"),
        last_updated=status.node("lastUpdatePostDateStruct").date("date"),
        results_first_posted=status.node("resultsFirstPostDateStruct").date("date"),
        has_results=root.flag("hasResults"),
        results=read_results(root.node("resultsSection")),
        sponsors=tuple(_sponsors(protocol.node("sponsorCollaboratorsModule"))),
        officials=tuple(_officials(places, nct_id)),
        arms=tuple(_arms(plan)),
        interventions=tuple(_interventions(plan)),
        conditions=tuple(model.Condition(c) for c in topics.texts("conditions")),
        keywords=topics.texts("keywords"),
        condition_mesh=tuple(_mesh(cond_browse, "meshes")),
        condition_mesh_ancestors=tuple(_mesh(cond_browse, "ancestors")),
        condition_mesh_leaves=tuple(_leaves(cond_browse)),
        intervention_mesh=tuple(_mesh(int_browse, "meshes")),
        intervention_mesh_ancestors=tuple(_mesh(int_browse, "ancestors")),
        eligibility=_eligibility(protocol.node("eligibilityModule")),
        locations=tuple(_locations(places)),
        outcomes_primary=tuple(_outcomes(outcomes, "primaryOutcomes")),
        outcomes_secondary=tuple(_outcomes(outcomes, "secondaryOutcomes")),
        outcomes_other=tuple(_outcomes(outcomes, "otherOutcomes")),
        references=tuple(_references(protocol.node("referencesModule"))),
        central_contacts=tuple(_contacts(places, "centralContacts")),
        responsible_party=_responsible_party(
            protocol.node("sponsorCollaboratorsModule").node("responsibleParty")
        ),
        ipd=_ipd(protocol.node("ipdSharingStatementModule")),
        has_dmc=oversight.flag("oversightHasDmc"),
        fda_regulated_drug=oversight.flag("isFdaRegulatedDrug"),
        fda_regulated_device=oversight.flag("isFdaRegulatedDevice"),
    )


def _date_struct(node: _Node) -> tuple[model.PartialDate | None, model.DateType | None]:
    return node.date("date"), node.code(model.DateType, "type")


def _secondary_ids(ident: _Node) -> Iterator[model.SecondaryId]:
    for n in ident.nodes("secondaryIdInfos"):
        value = n.text("id")
        if value is not None:
            yield model.SecondaryId(value, n.text("type"), n.text("domain"), n.text("link"))


def _sponsors(module: _Node) -> Iterator[model.Sponsor]:
    parties = [(module.node("leadSponsor"), model.SponsorRole.LEAD)]
    parties += [(n, model.SponsorRole.COLLABORATOR) for n in module.nodes("collaborators")]
    for n, role in parties:
        name = n.text("name")
        if name is not None:
            yield model.Sponsor(name, n.code(model.AgencyClass, "class"), role)


def _officials(module: _Node, nct_id: str) -> Iterator[model.Official]:
    for n in module.nodes("overallOfficials"):
        full = n.text("name")
        if full is None:
            continue
        role = n.code(model.OfficialRole, "role")
        yield read_official(full, role, n.text("affiliation"), where=f"{nct_id}: {n.path}")


def _arms(module: _Node) -> Iterator[model.Arm]:
    for n in module.nodes("armGroups"):
        label = n.text("label")
        if label is not None:
            yield model.Arm(
                label,
                n.code(model.ArmType, "type"),
                n.text("description"),
                n.texts("interventionNames"),
            )


def _interventions(module: _Node) -> Iterator[model.Intervention]:
    for n in module.nodes("interventions"):
        name = n.text("name")
        if name is not None:
            yield model.Intervention(
                name=name,
                type=n.code(model.InterventionType, "type"),
                description=n.text("description"),
                arm_labels=n.texts("armGroupLabels"),
                other_names=n.texts("otherNames"),
            )


def _mesh(module: _Node, key: str) -> Iterator[model.MeshTerm]:
    for n in module.nodes(key):
        mesh_id, term = n.text("id"), n.text("term")
        if mesh_id is not None and term is not None:
            yield model.MeshTerm(canonical_mesh_id(mesh_id), term)


def _leaves(module: _Node) -> Iterator[model.MeshLeaf]:
    for n in module.nodes("browseLeaves"):
        name = n.text("name")
        if name is not None:
            yield model.MeshLeaf(name, n.text("asFound"), n.text("relevance"))


def _eligibility(module: _Node) -> model.Eligibility | None:
    criteria = module.text("eligibilityCriteria")
    inclusion, exclusion = split_criteria(criteria)
    found = model.Eligibility(
        criteria=criteria,
        inclusion=inclusion,
        exclusion=exclusion,
        minimum_age=module.text("minimumAge"),
        maximum_age=module.text("maximumAge"),
        sex=module.code(model.Sex, "sex"),
        healthy_volunteers=module.flag("healthyVolunteers"),
        std_ages=module.texts("stdAges"),
    )
    return None if found == model.Eligibility() else found


def _locations(module: _Node) -> Iterator[model.Location]:
    # Some shared files also carry a non-standard "locations_nested" copy: only "locations" is read.
    for n in module.nodes("locations"):
        point = n.node("geoPoint")
        lat, lon = point.number("lat"), point.number("lon")
        if lat is not None and not -90 <= lat <= 90:
            raise InputError(f"latitude out of range: {lat}", field=point.at("lat"))
        if lon is not None and not -180 <= lon <= 180:
            raise InputError(f"longitude out of range: {lon}", field=point.at("lon"))
        site = model.Location(
            facility=n.text("facility"),
            city=n.text("city"),
            state=n.text("state"),
            zip=n.text("zip"),
            country=n.text("country"),
            status=n.code(model.Status, "status"),
            geo=model.Geo(lat, lon) if lat is not None and lon is not None else None,
            contacts=tuple(_contacts(n)),
        )
        if site != model.Location():
            yield site


def _contacts(node: _Node, key: str = "contacts") -> Iterator[model.Contact]:
    for n in node.nodes(key):
        contact = model.Contact(
            name=n.text("name"),
            role=n.code(model.ContactRole, "role"),
            email=n.text("email"),
            phone=" ext. ".join(p for p in (n.text("phone"), n.text("phoneExt")) if p) or None,
        )
        if contact != model.Contact():
            yield contact


def _responsible_party(module: _Node) -> model.ResponsibleParty | None:
    party = model.ResponsibleParty(
        type=module.code(model.ResponsiblePartyType, "type"),
        investigator_name=module.text("investigatorFullName") or module.text("oldNameTitle"),
        investigator_title=module.text("investigatorTitle"),
        investigator_affiliation=(
            module.text("investigatorAffiliation") or module.text("oldOrganization")
        ),
    )
    return None if party == model.ResponsibleParty() else party


def _ipd(module: _Node) -> model.IpdStatement | None:
    statement = model.IpdStatement(
        sharing=module.code(model.IpdSharing, "ipdSharing"),
        description=module.text("description"),
        info_types=module.codes(model.IpdInfoType, "infoTypes"),
        time_frame=module.text("timeFrame"),
        access_criteria=module.text("accessCriteria"),
        url=module.text("url"),
    )
    return None if statement == model.IpdStatement() else statement


def _outcomes(module: _Node, key: str) -> Iterator[model.Outcome]:
    for n in module.nodes(key):
        measure = n.text("measure")
        if measure is not None:
            yield model.Outcome(measure, n.text("description"), n.text("timeFrame"))


def _references(module: _Node) -> Iterator[model.Reference]:
    for n in module.nodes("references"):
        text, pmid = n.text("citation"), n.text("pmid")
        if text is None and pmid is None:
            continue
        citation = parse_citation(text) if text is not None else None
        yield model.Reference(text, pmid, n.code(model.ReferenceType, "type"), citation)


def iter_studies(stream: BinaryIO, name: str) -> Iterator[model.Trial | InputError]:
    """Yield a Trial per good study and an InputError per bad one from any API v2 JSON container.

    Accepts one study object, an array of studies, an API response ``{"studies": [...]}``, or NDJSON
    (one study per line; blank lines skipped). A whole document is parsed at once with orjson.
    """
    consumed: list[bytes] = []
    first = _next_nonblank(stream, consumed)
    if first is None:
        yield InputError("no JSON document: the input is empty", file=name)
        return
    head = _loads_or(first, _BAD)
    if head is not _BAD:
        if _next_nonblank(stream, consumed) is not None:
            yield from _ndjson(chain(consumed, stream), name)
            return
        del first
        consumed.clear()  # a one-line document: keep only its parsed form
        yield from _document(head, name)
        return
    doc = b"".join(consumed) + stream.read()
    consumed.clear()
    try:
        value = orjson.loads(doc)
    except orjson.JSONDecodeError as exc:
        lines = doc.split(b"\n")
        if _second_line_is_object(lines):
            yield from _ndjson(lines, name)
        else:
            where = f"line {exc.lineno}, column {exc.colno}"
            yield InputError(f"not valid JSON: {exc.msg} ({where})", file=name)
        return
    del doc
    yield from _document(value, name)


def _loads_or(line: bytes, default: object) -> object:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return default


def _next_nonblank(stream: BinaryIO, consumed: list[bytes]) -> bytes | None:
    """Read lines into ``consumed`` up to a non-blank one and return it, or None at the end."""
    for line in iter(stream.readline, b""):
        if not consumed:
            line = line.removeprefix(_BOM)
        consumed.append(line)
        if line.strip():
            return line
    return None


def _second_line_is_object(lines: list[bytes]) -> bool:
    """Tell NDJSON whose first line is bad from a broken multi-line document."""
    first_two = list(islice((line for line in lines if line.strip()), 2))
    return len(first_two) == 2 and isinstance(_loads_or(first_two[1], None), dict)


def _document(value: object, name: str) -> Iterator[model.Trial | InputError]:
    if isinstance(value, dict) and "protocolSection" not in value and "studies" in value:
        value = value.pop("studies")
        if not isinstance(value, list):
            yield InputError(f"expected an array, got {_kind(value)}", file=name, field="studies")
            return
    if isinstance(value, dict):
        yield _parse_one(value, name, "record 1")
    elif isinstance(value, list):
        value.reverse()  # pop from the end so each study is freed once it is mapped
        for i in range(1, len(value) + 1):
            yield _parse_one(value.pop(), name, f"record {i}")
    else:
        message = "expected a study object, an array of studies or an API response"
        yield InputError(f"{message}, got {_kind(value)}", file=name)


def _ndjson(lines: Iterable[bytes], name: str) -> Iterator[model.Trial | InputError]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            message = f"not valid JSON: {exc.msg} (column {exc.colno})"
            yield InputError(message, file=name, record=f"line {number}")
            continue
        yield _parse_one(value, name, f"line {number}")


def _parse_one(value: object, name: str, record: str) -> model.Trial | InputError:
    if not isinstance(value, Mapping):
        return InputError(f"expected a study object, got {_kind(value)}", file=name, record=record)
    try:
        return parse_study(value, name)
    except InputError as exc:
        return exc.located(file=name, record=record)
