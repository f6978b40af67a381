"""Read an overall official's name: a person with degrees and titles, or not a person at all.

The registry's official "name" (API v2 ``overallOfficials[].name``, legacy XML
``overall_official/last_name``, a web page's "Principal Investigators" lines) is free text.
Most are "Jane Doe, MD, PhD", but sponsors also write their own name ("Novartis Pharmaceuticals",
"Janssen Research & Development, LLC Clinical Trial"), a function ("Medical Director", "Clinical
Trials", "Clinical Transparency (dept. 2834)") or a contact note ("Call 1-877-CTLILLY
(1-877-285-4559) or ..."). Those are no person:

- text with a phone number or starting "Call" is a contact note, text with an organisation or
  function word (LLC, Inc, Pharmaceuticals, Research & Development, Director, Clinical Trials,
  Call Center, ...) names an organisation or a post in one, and text that is only degrees ("MD")
  names nobody: the official is then the organisation (the affiliation, else the text itself when
  it names one) and the text is kept as a note (:class:`~kg.model.OfficialKind`);
- after a person's name, each comma-separated part is read against known lists: degrees and
  credentials (MD, PhD, MBBS, FACS, ...) are the honorific suffix; titles (Dr, Prof, Professor,
  Associate Professor, Sir, ...) are an honorific prefix, wherever the registry put them; anything
  else ("Master", "PI", "Internal Medicine") is not guessed at: the whole text is kept as a note
  and a warning is logged.
"""

from __future__ import annotations

import logging
import re

from kg import model
from kg.orgs import org_key

__all__ = ["read_official"]

log = logging.getLogger(__name__)

# Degrees and post-nominal credentials, written without dots, spaces or hyphens, in lower case.
_DEGREES = frozenset(
    """
    md do mbbs mbchb mbbch bmbs mb chb dm dnb mch ms msc mph mhs mba ma ba bs bsc bds mds dds dmd
    phd dphil dsc scd edd drph pharmd rph rn np dnp msn bsn aocn faan pt dpt tdpt mpt mpth ompt dc
    psyd lcsw msw mmed mdsci kmd cmd mdphd mchiromed mm mrcp frcp frcpc frcs frcsc frs facs facp
    facr facc fcp fracp fesc mrcs fmedsci
    """.split()
)
# Titles that go before a name ("Dr", "Prof.", "Associate Professor"), same form.
_TITLES = frozenset(
    """
    dr drs doctor prof professor assocprof associateprofessor assistantprofessor sir mr mrs ms miss
    profdr sirdr
    """.split()
)
# A legal form names an organisation wherever it stands ("Acme, Inc."); short ones only in capitals.
_LEGAL = re.compile(
    r"\b(?:llc|inc|incorporated|ltd|limited|corp|corporation|co\.|gmbh|plc|pty)(?!\w)",
    re.IGNORECASE,
)
_LEGAL_CAPS = re.compile(r"\b(?:AG|SA|S\.A\.|NV|N\.V\.|BV|B\.V\.|A/S|KK|K\.K\.|SpA)(?!\w)")
# A word that names an organisation in the name itself ("Novartis Pharmaceuticals") ...
_ORG_WORDS = re.compile(
    r"\b(?:company|pharmaceuticals?|pharma|pharmaceutica|therapeutics|biotech(?:nology)?|"
    r"biosciences|biopharma(?:ceuticals)?|biologics|laboratories|labs|holdings|"
    r"research\s*(?:&|and)\s*development|r&d|university|hospital|clinic|cent(?:er|re)|college|"
    r"school|institute|foundation|association|consortium|society|agency|ministry|council|"
    r"network|group|organi[sz]ation)\b",
    re.IGNORECASE,
)
# ... or a department or a post in one ("Medical Director", "Clinical Trials").
_POST_WORDS = re.compile(
    r"\b(?:department|dept|clinical|trials?|stud(?:y|ies)|director|leader|manager|management|"
    r"transparency|operations|sponsor|team|office|call\s+cent(?:er|re)|hotline|helpline|"
    r"disclosure|ct\.gov)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"\d{3}\W{0,2}\d{3}\W?\d{4}|^\s*call\b", re.IGNORECASE)
_NOT_ORG = re.compile(r"@|https?://|\d{3}\W{0,2}\d{3}\W?\d{4}")  # an e-mail, a URL, a phone
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)$")


def _compact(text: str) -> str:
    """Fold a degree or title to its list form.

    >>> _compact("Ph. D."), _compact("MD-PhD"), _compact("Assoc.Prof")
    ('phd', 'mdphd', 'assocprof')
    """
    return re.sub(r"[\s.\-*]+", "", text).casefold()


def _is_degree(part: str) -> bool:
    """A degree as written, or one with its field in brackets ("MD (Radiation Oncology)")."""
    m = _PAREN.match(part)
    if m:
        part = m.group(1)
    pieces = re.split(r"[-/]", part)  # "MS-OMPT", "MD/PhD"
    return _compact(part) in _DEGREES or all(_compact(p) in _DEGREES for p in pieces)


def _read_part(part: str) -> tuple[list[str], list[str], str | None]:
    """Read one comma-separated part: (degrees, titles, unread text).

    >>> _read_part("MBBS MS MD"), _read_part("Prof. Dr.")
    ((['MBBS', 'MS', 'MD'], [], None), ([], ['Prof. Dr.'], None))
    >>> _read_part("DNB Radiation Oncology")
    (['DNB'], [], 'Radiation Oncology')
    """
    if _is_degree(part):
        return [part], [], None
    if _compact(part) in _TITLES:
        return [], [part], None
    degrees: list[str] = []
    titles: list[str] = []
    words = part.split()
    for n, word in enumerate(words):
        if _is_degree(word):
            degrees.append(word)
        elif _compact(word) in _TITLES:
            titles.append(word)
        else:
            return degrees, titles, " ".join(words[n:])
    return degrees, titles, None


def _split_titles(name: str) -> tuple[str, list[str]]:
    """Take titles off the start and the end of a name ("Dr. Jane Doe", "Jane Doe Dr.")."""
    words = name.split()
    head: list[str] = []
    while len(words) > 1 and _compact(words[0]) in _TITLES:
        head.append(words.pop(0))
    tail: list[str] = []
    while len(words) > 1 and _compact(words[-1]) in _TITLES:
        tail.insert(0, words.pop())
    return " ".join(words), head + tail


def _organisation(affiliation: str | None) -> str | None:
    """The affiliation when it names an organisation (not an e-mail, a URL, a phone or a title)."""
    if not affiliation or _NOT_ORG.search(affiliation) or _compact(affiliation) in _TITLES:
        return None
    return affiliation


def _names_organisation(text: str) -> bool:
    """Tell whether a text names an organisation (a legal form, or a sector or institution word).

    >>> _names_organisation("ABBVIE INC."), _names_organisation("Nguyen Van Sa")
    (True, False)
    """
    return bool(_LEGAL.search(text) or _LEGAL_CAPS.search(text) or _ORG_WORDS.search(text))


def read_official(
    text: str,
    role: model.OfficialRole | None,
    affiliation: str | None,
    *,
    where: str,
) -> model.Official:
    """Read an official's text into a person, an organisation official or a note.

    ``where`` names the record and field in warnings (``"NCT01234567: overallOfficials[2]"``).

    >>> read_official("Jane Doe, MD, Prof", None, "Acme University", where="x")
    ... # doctest: +NORMALIZE_WHITESPACE
    Official(name='Jane Doe', role=None, affiliation='Acme University', degrees='MD',
             kind=<OfficialKind.PERSON: 'PERSON'>, prefix='Prof', note=None)
    >>> read_official("Medical Director", None, "Acme Pharma LLC", where="x").kind.value
    'ORGANIZATION'
    """
    text = " ".join(text.split())
    org = _organisation(affiliation)
    if affiliation and org is None and _compact(affiliation) not in _TITLES:
        log.warning("%s: affiliation %r is not an organisation: left out", where, affiliation)
    head, _, tail = text.partition(",")
    name, titles = _split_titles(head.strip())
    not_a_name = not name or _is_degree(name) or _compact(name) in _TITLES
    # Words after the name's comma may be an affiliation ("Jane Doe, MD, Mayo Clinic"): only
    # the name itself, a legal form or a phone number make an official no person.
    legal = _LEGAL.search(text) or _LEGAL_CAPS.search(text)
    post = _ORG_WORDS.search(head) or _POST_WORDS.search(head)
    if _CONTACT.search(text) or legal or post or not_a_name:
        return _not_a_person(text, role, org, where)
    degrees: list[str] = []
    unread: list[str] = []
    for part in (p.strip() for p in tail.split(",")):
        if part:
            found, more_titles, rest = _read_part(part)
            degrees += found
            titles += more_titles
            if rest:
                unread.append(rest)
    if affiliation and _compact(affiliation) in _TITLES:
        titles.append(affiliation)
    if unread:
        log.warning(
            "%s: %s of official %r read as neither degree nor title: kept as text",
            where, ", ".join(repr(u) for u in unread), text,
        )
    return model.Official(
        name=name,
        role=role,
        affiliation=org,
        degrees=", ".join(degrees) or None,
        prefix=" ".join(titles) or None,
        note=text if unread else None,
    )


def _not_a_person(
    text: str, role: model.OfficialRole | None, org: str | None, where: str
) -> model.Official:
    """An organisation official (the affiliation, else the text when it names one) or a note."""
    kind = model.OfficialKind.ORGANIZATION
    name = org
    if name is None and _names_organisation(text) and not _CONTACT.search(text):
        name = text
    if name is None:
        log.warning("%s: official %r names no person nor organisation: kept as text", where, text)
        return model.Official(name=text, role=role, kind=model.OfficialKind.NOTE, note=text)
    same = org_key(name) == org_key(text)
    return model.Official(name=name, role=role, kind=kind, note=None if same else text)
