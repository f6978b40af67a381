"""Read NLM/Vancouver citation strings, as ClinicalTrials.gov stores them, into :class:`Citation`.

The parser reads, it never guesses: every field it returns appears verbatim in the input, except for
these normalisations: month names become numbers, an NLM abbreviated page range is expanded
("1572-83" gives page_end "1583"), the dots of APA initials are dropped ("Hammer, W. I." gives
"WI"), and a DOI loses trailing punctuation. A field it cannot read is left None (or empty), and it
never raises.

NLM layout (https://www.nlm.nih.gov/bsd/uniform_requirements.html)::

    Authors; Group. Title. Journal. 2024 Oct 21;83(11):1572-1583. doi: 10.x/y. Epub 2024 Jan 5.

Also read: older "Journal 211:210-215, 1934." sources, APA-style "Family, I. (2016)." heads with
"Journal, 4(1), 7-10." sources, and books ("Place: Publisher; 1984.", "p. 133-50").

>>> c = parse_citation("Pers YM, Jorgensen C; RESPINE consortium. A trial. Ann Rheum Dis. "
...                    "2024 Oct 21;83(11):1572-83. doi: 10.1136/ard-2024-225771.")
>>> [a.name for a in c.authors], c.journal, c.date, c.page_end, c.doi
(['Pers YM', 'Jorgensen C', 'RESPINE consortium'], 'Ann Rheum Dis', PartialDate(year=2024, \
month=10, day=21), '1583', '10.1136/ard-2024-225771')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from kg.model import Author, Citation, PartialDate

__all__ = ["parse_citation"]

# [0-9], not \d: \d also matches other scripts' digits, which a year or a day must not be.
_YEAR = r"(?:1[6-9]|20)[0-9]{2}"
# "Oct", "October", "Sept"; a range ("Mar-Apr") or a season ("Spring") leaves the month unread.
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_abbr[number], calendar.month_name[number])
} | {"sept": 9}

# The date of an NLM source: year, then an optional month or season (or a range), then a day.
_DATE = re.compile(
    rf"(?P<year>{_YEAR})(?:\s+(?P<month>[A-Z][a-z]+)(?P<month_range>\s*[-/]\s*[A-Z][a-z]+)?"
    r"(?:\s+(?P<day>[0-9]{1,2})(?P<day_range>\s*-\s*[0-9]{1,2})?)?)?"
)
# An NLM source: the journal ends with ". ", the date follows, then ";volume(issue):pages". French
# typesetting puts spaces around ";", "(" and ":" ("2012 ; 22 (4) : 175-81"); e-locators take the
# pages' place ("e14561", "2021:205015792110286"); the lookahead stops "2020 Update" being a date.
_NLM_SOURCE = re.compile(
    r"\.\s+(?P<date>" + _DATE.pattern.replace("?P<", "?P<d_") + r")"
    r"(?:\s*;\s*(?P<volume>\w[^;:()]*?)?\s*(?:\((?P<issue>[^()]+)\))?)?"
    r"(?:\s*:\s*(?P<pages>\w+(?:\.\w+)*(?:\s*-\s*\w+(?:\.\w+)*)?))?"
    r"\s*(?=[.;,]|$)"
)
# Older (PDQ) records: "N Engl J Med 211:210-215, 1934." - the journal holds no digit or full stop.
_OLD_SOURCE = re.compile(
    r"(?:^|[.?!\]]\s+)(?P<journal>[A-Z][^.?!\]0-9]*?)\s+(?P<volume>[0-9]+)"
    r"(?:\s*\((?P<issue>[^()]+)\))?\s*:\s*(?P<pages>\w+(?:\s*-\s*\w+)?),\s*"
    rf"(?P<date>{_YEAR})\.?\s*$"
)
# APA: "Journal of X, 4(1), 7-10." after the title.
_APA_SOURCE = re.compile(
    r"(?:^|[.?!]\s+)(?P<journal>[A-Z][^.?!,]*?),\s*(?P<volume>[0-9]+)(?:\s*\((?P<issue>[^()]+)\))?"
    r",\s*(?P<pages>\w+(?:\s*-\s*\w+)?)(?=[.\s]|$)"
)
# A sentence ends at ". ", "? ", "! " or "] " (a bracketed translated title ends with "]").
_SENTENCE_END = re.compile(r"[.?!\]]\s+")
_FULL_STOP = re.compile(r"\.(?:\s+|$)")
# A book's title ends at its full stop, or at "; 2007" when the publisher follows it unstopped.
_BOOK_TITLE_END = re.compile(rf"\.(?:\s+|$)|;\s*(?={_YEAR}\b)")
# "Levetiracetam. 2023 Dec 3. In: StatPearls" is a book chapter: its title looks like a journal.
_IN_BOOK = re.compile(r"\.?\s*In:")
# One word of a dotted journal abbreviation ("Clin. "), a sentence of its own to _SENTENCE_END.
_ABBREVIATION = re.compile(r"[A-Z][a-z]{0,7}\.\s+")
# NLM authors hold no "." or ":", so the first ". " or ": " ends them ("et al.: " in PDQ records).
_AUTHORS_END = re.compile(r"\.:?\s+|:\s+")
# A person as NLM writes one: family name (up to four words, any case: "van de Velde"), initials, an
# optional suffix. The family is lazy so "Smith J III" keeps "III" as a suffix.
_PERSON = re.compile(
    r"(?P<family>[^\W\d_][\w'\u2019\-]*(?:\s+[^\W\d_][\w'\u2019\-]*){0,3}?)\s+"
    r"(?P<initials>[A-Z](?:-?[A-Z]){0,4})(?:\s+(?:Jr|Sr|1st|2nd|3rd|4th|II|III|IV)\.?)?"
)
# A person as APA writes one: "Khan, A. G. S." / "Lee, C.-R.".
_APA_PERSON = re.compile(
    r"(?P<family>[^\W\d_][\w'\u2019\-]*(?: [^\W\d_][\w'\u2019\-]*){0,3}), "
    r"(?P<initials>[A-Z]\.(?: ?-?[A-Z]\.)*)"
)
_APA_SEPARATOR = re.compile(r",? ?(?:& ?)?")
_APA_YEAR = re.compile(rf"\s*\((?P<year>{_YEAR})[a-z]?(?:, (?P<month>[A-Z][a-z]+))?\)\.?\s*")
_ET_AL = re.compile(r"et\.? al\.?", re.IGNORECASE)
# Words that make a name a group author when no person names it (a group-only author list); not
# "study" or "trial", which open many titles of citations without authors.
_GROUP_WORD = re.compile(
    r"\b(?:group|consortium|collaborat\w*|investigators?|committee|network|society|association|"
    r"council|panel|team|task force|trialists|alliance|initiative|organi[sz]ation|foundation|"
    r"institute)\b",
    re.IGNORECASE,
)
# "doi: 10.x/y", "DOI 10.x/y", "https://doi.org/10.x/y"; a DOI runs to a space or "[" (a web page's
# "[Opens in a new window" follows one without a space); parentheses belong to it ("(97)90570-x").
_DOI = re.compile(r"(?:\bdoi\s*:?\s*|doi\.org/)(?P<doi>10\.[0-9]{4,9}/[^\s\[\]\"]+)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID\s*:?\s*(?P<pmid>[0-9]{1,9})\b")
_PMCID = re.compile(r"\b(?P<pmcid>PMC[0-9]{3,9})\b")
_PAGE_RANGE = re.compile(r"(?P<prefix>[A-Za-z]*)(?P<first>[0-9]+)\s*-\s*(?P<last>[0-9]+)")
_BOOK_PAGES = re.compile(r"\bpp?\.\s*(?P<pages>[0-9]+\s*-\s*[0-9]+)")
_ANY_YEAR = re.compile(rf"(?<![\w/.\-]){_YEAR}(?![\w/\-])")


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a journal source starts in the text, and what it says."""

    start: int
    journal: str | None
    date: PartialDate | None
    volume: str | None
    issue: str | None
    pages: str | None


def parse_citation(text: str) -> Citation:
    """Read authors, title, journal, date, volume, issue, pages and identifiers from a citation."""
    authors, pos, date = _read_authors(text)
    source = _read_source(text, pos, apa=date is not None)
    title: str | None = None
    volume = issue = pages = journal = None
    if source is not None:
        journal, volume, issue, pages = source.journal, source.volume, source.issue, source.pages
        date = source.date or date
        title = _title(text[pos : source.start], authors_read=bool(authors))
        if title is None and authors:  # NLM always has a title: that "author list" was the title
            authors, title = (), _title(text[: source.start], authors_read=False)
    elif authors:
        title = _title(_BOOK_TITLE_END.split(text[pos:], maxsplit=1)[0], authors_read=True)
        book_pages = _BOOK_PAGES.search(text, pos)
        pages = book_pages["pages"] if book_pages else None
        if date is None and (year := _ANY_YEAR.search(text, pos + len(title or ""))):
            date = _date(text, year.start())
    page_start, page_end = _split_pages(pages)
    return Citation(
        text=text,
        authors=authors,
        title=title,
        journal=journal,
        date=date,
        volume=volume.strip() if volume else None,
        issue=issue.strip() if issue else None,
        page_start=page_start,
        page_end=page_end,
        doi=_doi(text),
        pmid=_first(_PMID, text),
        pmcid=_first(_PMCID, text),
    )


def _read_authors(text: str) -> tuple[tuple[Author, ...], int, PartialDate | None]:
    """Return the authors, where the title starts, and an APA head's year, or ((), 0, None)."""
    end = _AUTHORS_END.search(text)
    if end is not None and (authors := _nlm_authors(text[: end.start()])):
        return authors, end.end(), None
    apa: list[Author] = []
    pos = 0
    while person := _APA_PERSON.match(text, pos):
        initials = person["initials"].replace(".", "").replace(" ", "")
        apa.append(Author(name=person.group(), family=person["family"], initials=initials))
        separator = _APA_SEPARATOR.match(text, person.end())
        pos = separator.end() if separator else person.end()
    if not apa:
        return (), 0, None
    year = _APA_YEAR.match(text, pos)
    if year is None:
        return tuple(apa), pos, None
    month = _MONTHS.get((year["month"] or "").lower())
    return tuple(apa), year.end(), PartialDate(int(year["year"]), month)


def _nlm_authors(segment: str) -> tuple[Author, ...]:
    """Return the authors of an NLM author list, or () when the segment is not one.

    >>> [a.family for a in _nlm_authors("Alberca Zaballos M, Mundis GM Jr, et al")]
    ['Alberca Zaballos', 'Mundis']
    """
    authors: list[Author] = []
    persons = 0
    for part in segment.split(";"):
        items = [i for i in map(str.strip, part.split(",")) if i and not _ET_AL.fullmatch(i)]
        matches = [_PERSON.fullmatch(item) for item in items]
        if not items:
            continue
        if not any(matches):  # a group after ";" ("RESPINE consortium"), commas and all
            authors.append(Author(name=part.strip(), is_group=True))
            continue
        for item, match in zip(items, matches, strict=True):
            if match:
                persons += 1
                authors.append(Author(item, match["family"], match["initials"]))
            elif _GROUP_WORD.search(item):  # "Smith J, RESPINE Consortium"
                authors.append(Author(name=item, is_group=True))
            else:
                return ()
    if persons or all(_GROUP_WORD.search(a.name) for a in authors):
        return tuple(authors)
    return ()


def _read_source(text: str, pos: int, *, apa: bool) -> _Source | None:
    """Find the journal source after ``pos``: NLM, then the older form, then APA's."""
    for m in _NLM_SOURCE.finditer(text, pos):
        date = _date(m["date"])
        # "Report. 2016." is a book or a report, not a journal: NLM journals give more than a year.
        if _IN_BOOK.match(text, m.end()):
            continue
        if date is not None and (m["volume"] or m["pages"] or date.month or m["d_month"]):
            journal_start = _journal_start(text, pos, m.start())
            journal = text[journal_start : m.start()].strip() or None
            return _Source(journal_start, journal, date, m["volume"], m["issue"], m["pages"])
    old = _OLD_SOURCE.search(text, pos)
    if old is None and apa:
        old = _APA_SOURCE.search(text, pos)
    if old is None:
        return None
    date = PartialDate(int(old["date"])) if "date" in old.groupdict() else None
    journal = old["journal"]
    return _Source(old.start("journal"), journal, date, old["volume"], old["issue"], old["pages"])


def _journal_start(text: str, pos: int, end: int) -> int:
    """Return where the journal ending at ``end`` starts: after the last sentence end before it.

    Dotted abbreviations ("J. Clin. Oncol.") are sentences of one short word, so they are joined.
    """
    starts = [m.end() for m in _SENTENCE_END.finditer(text, pos, end)]
    while len(starts) >= 2 and _ABBREVIATION.fullmatch(text, starts[-2], starts[-1]):
        starts.pop()
    return starts[-1] if starts else pos


def _title(region: str, *, authors_read: bool) -> str | None:
    """Return the title in ``region`` (between the authors and the journal), without its full stop.

    >>> _title("Is it safe? A trial (RESPINE study). ", authors_read=True)
    'Is it safe? A trial (RESPINE study)'
    """
    title = region.strip()
    title = title.removesuffix(".").rstrip() if title.endswith(".") else title
    # Without authors, a region of several sentences may start with an unread author list.
    if not title or (not authors_read and _FULL_STOP.search(title)):
        return None
    return title


def _date(text: str, pos: int = 0) -> PartialDate | None:
    """Read an NLM date at ``pos``; keep a month or a day only when it is one month or one day.

    >>> _date("2024 Oct 21"), _date("2019 Mar-Apr"), _date("2019 Spring")
    (PartialDate(year=2024, month=10, day=21), PartialDate(year=2019, month=None, day=None), \
PartialDate(year=2019, month=None, day=None))
    """
    m = _DATE.match(text, pos)
    if m is None:
        return None
    year = int(m["year"])
    month = None if m["month_range"] else _MONTHS.get((m["month"] or "").lower())
    day = int(m["day"]) if m["day"] and month and not m["day_range"] else None
    if day is not None and month is not None and day > calendar.monthrange(year, month)[1]:
        day = None
    return PartialDate(year, month, day)


def _split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """Split a page range, expanding NLM's abbreviated last page; an e-locator is a first page only.

    >>> _split_pages("1572-83"), _split_pages("E409-22"), _split_pages("e12345")
    (('1572', '1583'), ('E409', 'E422'), ('e12345', None))
    """
    if not pages:
        return None, None
    pages = pages.strip()
    m = _PAGE_RANGE.fullmatch(pages)
    if m is None:
        first, _, last = pages.partition("-")
        return first.strip() or None, last.strip() or None
    first, last = m["first"], m["last"]
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return m["prefix"] + first, m["prefix"] + last


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    """Return the first match's only named group, or None."""
    m = pattern.search(text)
    return m.group(1) if m else None


def _doi(text: str) -> str | None:
    """Return the first DOI, without trailing punctuation or an unmatched closing bracket.

    >>> _doi("doi: 10.1016/s0278-2391(97)90570-x. Epub"), _doi("(https://doi.org/10.1000/a).")
    ('10.1016/s0278-2391(97)90570-x', '10.1000/a')
    """
    m = _DOI.search(text)
    if m is None:
        return None
    doi = m["doi"]
    while doi[-1] in ".,;:" or (doi[-1] == ")" and doi.count(")") > doi.count("(")):
        doi = doi[:-1]
    return doi
