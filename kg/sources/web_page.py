"""Read the text of a trial web page (like the seed page of NCT03737461) into a :class:`Trial`.

The page opens with a title line, ``NCT ID: NCT...`` and ``Last Updated: YYYY-MM-DD``, then
sections. Each section heading is followed by one line of page furniture that explains the section
("Get a concise snapshot of the trial...") and is never data. The site renders sections in two
layouts:

* bare values, one per line ("ACTIVE_NOT_RECRUITING", "PHASE2/PHASE3", "113 participants"), told
  apart by the registry code list each value belongs to, since a section can leave a line out;
* labelled values: a label line ("Recruitment Status") followed by its value, blank lines between.

Both are read, and may be mixed. The page never says which sponsor leads, nor which arm receives
which intervention; the reader does not guess either.

Renderings differ in their labels ("Study Classification", "Study Start Date"). A line the reader
does not know, in Basic Information, Study Design or below the eligibility criteria, is skipped with
a warning naming the file, section and line, and the values around it are read by their shape (a
registry code, a date, "113 participants", "18 Years"). A date right after an unknown label goes to
the date its label names (start, primary completion, completion); after a label that names none of
them ("First Posted") it is left out with a warning rather than taken for the start. A page is
rejected only when its NCT id is missing or a value it does read is malformed (``PHASE9``,
``2019-02-30``): a known field is never filled with a guess.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from enum import Enum
from typing import BinaryIO

from kg import model
from kg.errors import InputError
from kg.model import Trial
from kg.sources._page_lines import AGE, YES_NO, E, Page, date_named, has, take_tail
from kg.sources.citation import parse_citation
from kg.sources.criteria import split_criteria
from kg.sources.officials import read_official

__all__ = ["FORMAT", "SECTIONS", "iter_web_pages", "looks_like_web_page", "parse_web_page"]

FORMAT = "web-page"
SECTIONS: tuple[str, ...] = tuple(
    (
        "Study Results|Basic Information|Brief Summary|Related Clinical Trials|"
        "Detailed Description|Conditions|Study Design|Study Groups|Interventions|"
        "Other Intervention Names|Eligibility Criteria|Sponsors|Responsible Party|"
        "Principal Investigators|Locations|Countries|References|Other Identifiers|"
        "More Related Trials"
    ).split("|")
)
# Bare design codes in page order; a code goes to the first of these whose Enum holds it.
_DESIGN: tuple[tuple[str, type[Enum]], ...] = (
    ("allocation", model.Allocation),
    ("intervention_model", model.InterventionModel),
    ("primary_purpose", model.PrimaryPurpose),
    ("masking", model.Masking),
    ("observational_model", model.ObservationalModel),
    ("time_perspective", model.TimePerspective),
)
_FIELDS = (
    "study_type start_date primary_completion_date completion_date minimum_age maximum_age sex "
    "healthy_volunteers"
).split() + [k for k, _ in _DESIGN]
# Label lines of the labelled layout (case-folded) -> field: the field's name in words, or an alias.
_LABELS = {f.replace("_", " "): f for f in _FIELDS} | {
    "recruitment status": "status",
    "clinical phase": "phase",
    "total enrollment": "enrollment",
}
_NCT = re.compile(r"NCT\d{8}")
_HEADER = re.compile(r"(NCT ID|Last Updated)\s*:?\s*(.*)", re.I)
_DATE_SHAPE = re.compile(r"\d{4}(?:-\d{1,2}){0,2}")
_PARTICIPANTS = re.compile(r"(.*?)\s*participants?", re.I)
_ENROLLMENT = re.compile(r"(\d[\d,]*)(?:\s+participants?)?", re.I)
_PHASES = re.compile(r"NA|[A-Z_]*PHASE\w*(?:\s*/\s*\w+)*")
_NONE = frozenset({"", "-", "N/A"})
log = logging.getLogger(__name__)


def looks_like_web_page(head: bytes) -> bool:
    r"""Tell whether the first bytes of an input look like a trial web page.

    >>> looks_like_web_page(b"A title\nNCT ID: NCT03737461\nLast Updated: 2025-09-30\n")
    True
    >>> looks_like_web_page(b'{"protocolSection": {}}')
    False
    """
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [s.strip() for s in text.splitlines() if s.strip()]
    if not lines or lines[0][0] in "{[<":
        return False
    if any(s.upper().startswith("NCT ID") and _HEADER.fullmatch(s) for s in lines[:10]):
        return True
    return len(set(lines) & set(SECTIONS)) >= 2


def iter_web_pages(stream: BinaryIO, name: str) -> Iterator[Trial | InputError]:
    """Yield the one trial of a page stream, or the InputError that stops it (not raised)."""
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", file=name)
        return
    try:
        yield parse_web_page(text, name)
    except InputError as exc:
        yield exc


def parse_web_page(text: str, name: str) -> Trial:
    """Parse the text of one trial web page; raise InputError naming the section or label."""
    # The page renders nested criteria bullets flat, so stripping indentation loses nothing.
    header, sections = _split([s.strip() for s in text.lstrip("\ufeff").splitlines() if s.strip()])
    title, nct_id, updated = _header(header, name)
    page = Page(name, nct_id)
    last_updated = page.date(updated, "Last Updated")
    basic = _basic(page, sections.get("Basic Information", []))
    design = _design(page, sections.get("Study Design", []))
    interventions = _pairs(sections.get("Interventions", []))
    arms = _arms(sections.get("Study Groups", []), interventions)
    org_study_id, secondary_ids = _identifiers(sections.get("Other Identifiers", []))
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    b = "Basic Information"
    return Trial(
        nct_id=nct_id,
        source=model.SourceInfo(name=name, format=FORMAT, date=last_updated, digest=digest),
        brief_title=title,
        # One line per paragraph: joined with blank lines, as the registry writes paragraphs.
        brief_summary="\n\n".join(sections.get("Brief Summary", [])) or None,
        detailed_description="\n\n".join(sections.get("Detailed Description", [])) or None,
        org_study_id=org_study_id,
        secondary_ids=secondary_ids,
        status=page.get(model.Status, basic, "status", b),
        study_type=page.get(model.StudyType, basic, "study_type", b),
        phases=tuple(
            page.code(model.Phase, p, f"{b}.phase") for p in basic.get("phase", "").split("/") if p
        ),
        enrollment=_enrollment(page, basic["enrollment"]) if "enrollment" in basic else None,
        start_date=page.date(basic.get("start_date"), f"{b}.start_date"),
        primary_completion_date=page.date(
            basic.get("primary_completion_date"), f"{b}.primary_completion_date"
        ),
        completion_date=page.date(basic.get("completion_date"), f"{b}.completion_date"),
        last_updated=last_updated,
        allocation=_pick(design, model.Allocation),
        intervention_model=_pick(design, model.InterventionModel),
        primary_purpose=_pick(design, model.PrimaryPurpose),
        masking=_pick(design, model.Masking),
        observational_model=_pick(design, model.ObservationalModel),
        time_perspective=_pick(design, model.TimePerspective),
        sponsors=_sponsors(page, sections.get("Sponsors", [])),
        officials=_officials(page, sections.get("Principal Investigators", [])),
        arms=arms,
        interventions=_interventions(interventions, arms, sections.get("Other Intervention Names")),
        conditions=tuple(model.Condition(s) for s in sections.get("Conditions", [])),
        eligibility=_eligibility(page, sections.get("Eligibility Criteria", [])),
        locations=tuple(_location(f, a) for f, a in _pairs(sections.get("Locations", []))),
        references=tuple(_reference(s) for s in sections.get("References", [])),
        related_trials=_related(sections.get("Related Clinical Trials", []))
        + _related(sections.get("More Related Trials", [])),
        # "Responsible Party" has no field in the model; "Countries" repeats the locations.
    )


def _split(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Cut the page into its header and sections, dropping each section's explanation line."""
    header: list[str] = []
    sections: dict[str, list[str]] = {}
    current = header
    for line in lines:
        if line in SECTIONS and line not in sections:  # a second "Conditions" line is data
            current = sections[line] = []
        else:
            current.append(line)
    for body in sections.values():
        if body and body[0].partition(":")[0].strip().casefold() not in _LABELS:
            del body[0]
    return header, sections


def _header(lines: list[str], name: str) -> tuple[str | None, str, str | None]:
    """Return the title, NCT id and Last Updated text from the lines before the first section."""
    title = None
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if m := _HEADER.fullmatch(line):
            value = m.group(2).strip() or (lines[i + 1] if i + 1 < len(lines) else "")
            found.setdefault(m.group(1).upper(), value.strip())
        elif i == 0:
            title = line
    nct_id = found.get("NCT ID")
    if not nct_id:
        raise InputError("no NCT ID on the page", file=name, field="NCT ID")
    if not _NCT.fullmatch(nct_id):
        raise InputError(f"not an NCT id: {nct_id!r}", file=name, field="NCT ID")
    return title, nct_id, found.get("LAST UPDATED")


def _labelled(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Take label + value line pairs (or "Label: value" lines) out of a section; return the rest."""
    values: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(lines):
        head, _, tail = lines[i].partition(":")
        key = _LABELS.get(head.strip().casefold())
        if key and tail.strip():
            values[key] = tail.strip()
        elif key:  # the value is the next line
            values[key] = lines[i + 1] if i + 1 < len(lines) else ""
            i += 1
        else:
            rest.append(lines[i])
        i += 1
    return {k: v for k, v in values.items() if v not in _NONE}, rest


def _basic(page: Page, lines: list[str]) -> dict[str, str]:
    """Return Basic Information values by field, from their labels or the shape of bare values."""
    b = "Basic Information"
    values, rest = _labelled(lines)
    labelled_layout = bool(values)
    dates: list[str] = []
    unknown: str | None = None  # the unknown line just before this one
    for line in rest:
        if has(model.Status, line):
            values.setdefault("status", line)
        elif has(model.StudyType, line):
            values.setdefault("study_type", line)
        elif _PHASES.fullmatch(line):
            values.setdefault("phase", line)
        elif m := _PARTICIPANTS.fullmatch(line):
            values.setdefault("enrollment", m.group(1))
        elif _DATE_SHAPE.fullmatch(line):
            named = date_named(unknown) if unknown is not None else None
            if named is not None and named not in values:
                values[named] = line
            elif unknown is not None and labelled_layout:
                page.skip(b, line, f"date under the unknown label {unknown!r}:")
            else:
                dates.append(line)
        else:
            page.skip(b, line)
            unknown = line
            continue
        unknown = None
    # Bare dates are start, then end, in the free ones of these. A lone one is the start: of the
    # 594 API records we hold, 593 give both dates and 1 gives only a start date.
    free = [k for k in ("start_date", "completion_date") if k not in values]
    for i, value in enumerate(dates):
        if i < len(free):
            values[free[i]] = value
        else:
            page.skip(b, value, "date with no free date field:")
    return values


def _enrollment(page: Page, value: str) -> int:
    if not (m := _ENROLLMENT.fullmatch(value.strip())):
        raise page.error("Basic Information.enrollment", f"not a number of participants: {value!r}")
    return int(m.group(1).replace(",", ""))


def _pick(codes: dict[str, Enum], enum: type[E]) -> E | None:
    return next((c for c in codes.values() if isinstance(c, enum)), None)


def _design(page: Page, lines: list[str]) -> dict[str, Enum]:
    """Return design codes by field: bare codes go where their Enum says, page order breaks ties."""
    labelled, rest = _labelled(lines)
    enums = dict(_DESIGN)
    codes = {
        k: page.code(enums[k], v, f"Study Design.{k}") for k, v in labelled.items() if k in enums
    }
    last = -1
    for line in rest:
        # "OTHER" is a purpose, an observational model and a time perspective: take the first free
        # field after the one the line before filled.
        free = [i for i, (k, e) in enumerate(_DESIGN) if k not in codes and has(e, line)]
        if not free:
            page.skip("Study Design", line)
            continue
        last = next((j for j in free if j > last), free[0])
        key, enum = _DESIGN[last]
        codes[key] = enum(line)
    return codes


def _eligibility(page: Page, lines: list[str]) -> model.Eligibility | None:
    """Return the eligibility: criteria bullets, then ages, sex and healthy volunteers."""
    if not lines:
        return None
    values, rest = _labelled(lines)
    tail = take_tail(page, rest, labelled_layout=bool(values))
    ages = [s for s in tail if AGE.fullmatch(s)]
    # A lone bare age is the minimum: of the 594 API records, 276 give only a minimum age, 1 only
    # a maximum.
    for key, age in zip(("minimum_age", "maximum_age"), ages, strict=False):
        values.setdefault(key, age)
    for s in (s for s in tail if s not in ages):
        values.setdefault("sex" if has(model.Sex, s) else "healthy_volunteers", s)
    hv = values.get("healthy_volunteers", "")
    if hv and hv.casefold() not in YES_NO:
        raise page.error("Eligibility Criteria.healthy_volunteers", f"unknown value {hv!r}")
    criteria = "\n".join(rest) or None
    inclusion, exclusion = split_criteria(criteria)
    return model.Eligibility(
        criteria=criteria,
        inclusion=inclusion,
        exclusion=exclusion,
        minimum_age=values.get("minimum_age"),
        maximum_age=values.get("maximum_age"),
        sex=page.get(model.Sex, values, "sex", "Eligibility Criteria"),
        healthy_volunteers=YES_NO[hv.casefold()] if hv else None,
    )


def _pairs(lines: list[str]) -> list[tuple[str, str | None]]:
    """Pair name and description lines; a last name without a description gets None."""
    return [
        (lines[i], lines[i + 1] if i + 1 < len(lines) else None) for i in range(0, len(lines), 2)
    ]


def _arms(lines: list[str], interventions: list[tuple[str, str | None]]) -> tuple[model.Arm, ...]:
    """Read label + description pairs; the page also lists each arm's interventions under it."""
    names = {n for n, _ in interventions}
    arms: list[model.Arm] = []
    for label, description in _pairs(lines):
        if arms and (label, description) in interventions:
            continue  # an intervention shown under the arm above (same name and text), not an arm
        # Linked only when the arm's label is exactly an intervention's name: nothing else on the
        # page says which arm receives which intervention.
        linked = (label,) if label in names else ()
        arms.append(model.Arm(label, description=description, intervention_names=linked))
    return tuple(arms)


def _interventions(
    pairs: list[tuple[str, str | None]], arms: tuple[model.Arm, ...], other_names: list[str] | None
) -> tuple[model.Intervention, ...]:
    """Read interventions, linked to the arms whose label is exactly their name."""
    if other_names and len(pairs) != 1:  # with one intervention, they can only be its names
        log.warning(
            "%d other intervention names left out: whose they are is not said", len(other_names)
        )
    return tuple(
        model.Intervention(
            name,
            description=description,
            arm_labels=tuple(a.label for a in arms if a.label == name),
            other_names=tuple(other_names or ()) if len(pairs) == 1 else (),
        )
        for name, description in pairs
    )


def _sponsors(page: Page, lines: list[str]) -> tuple[model.Sponsor, ...]:
    """Read name + agency class pairs; the page does not say which sponsor leads, so none does."""
    unspecified = model.SponsorRole.UNSPECIFIED
    return tuple(
        model.Sponsor(
            name, page.code(model.AgencyClass, c, "Sponsors.class") if c else None, unspecified
        )
        for name, c in _pairs(lines)
    )


def _officials(page: Page, lines: list[str]) -> tuple[model.Official, ...]:
    """Read "Name, Degrees", "Role: CODE" and affiliation lines (kg.sources.officials)."""
    people: list[dict[str, str]] = []
    for i, line in enumerate(lines):
        head, _, tail = line.partition(":")
        next_is_role = lines[i + 1 : i + 2] and lines[i + 1].casefold().startswith("role:")
        has_role = people and "role" in people[-1]
        if head.strip().casefold() == "role" and people:
            people[-1]["role"] = tail.strip()
        elif has_role and "affiliation" not in people[-1] and not next_is_role:
            people[-1]["affiliation"] = line
        else:
            people.append({"text": line})
    role = "Principal Investigators.role"
    return tuple(
        read_official(
            p["text"],
            page.code(model.OfficialRole, p["role"], role) if p.get("role") else None,
            p.get("affiliation"),
            where=f"{page.nct_id}: Principal Investigators[{n}]",
        )
        for n, p in enumerate(people, 1)
    )


def _location(facility: str, address: str | None) -> model.Location:
    """Read a facility line and its "City, State, Country" line; empty parts become None."""
    parts = [p.strip() or None for p in (address or "").split(",")]
    state = country = zip_code = None
    if len(parts) == 2:
        country = parts[1]
    elif len(parts) >= 3:
        state, country = parts[1], parts[-1]
        zip_code = ", ".join(p for p in parts[2:-1] if p) or None
    return model.Location(facility, city=parts[0], state=state, zip=zip_code, country=country)


def _reference(text: str) -> model.Reference:
    citation = parse_citation(text)
    return model.Reference(text, pmid=citation.pmid, citation=citation)


def _related(lines: list[str]) -> tuple[model.RelatedTrial, ...]:
    """Read title + NCT id line pairs; an NCT line with no title line before it has no title."""
    related: list[model.RelatedTrial] = []
    title: str | None = None
    for line in lines:
        if _NCT.fullmatch(line):
            related.append(model.RelatedTrial(line, title))
            title = None
        else:
            title = line
    return tuple(related)


def _identifiers(lines: list[str]) -> tuple[str | None, tuple[model.SecondaryId, ...]]:
    """Read value, "Identifier Type: X", "Identifier Source: Y" groups; type "-" is none."""
    groups: list[dict[str, str]] = []
    for line in lines:
        head, _, tail = line.partition(":")
        key = head.strip().casefold()
        if key in ("identifier type", "identifier source") and groups:
            groups[-1][key] = tail.strip()
        else:
            groups.append({"value": line})
    org_study_id: str | None = None
    secondary: list[model.SecondaryId] = []
    for g in groups:
        if g.get("identifier source") == "org_study_id" and org_study_id is None:
            org_study_id = g["value"]
        else:
            kind = g.get("identifier type", "-")
            secondary.append(model.SecondaryId(g["value"], type=None if kind in _NONE else kind))
    return org_study_id, tuple(secondary)
