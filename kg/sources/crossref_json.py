"""Read a Crossref REST API work (``GET /works/{doi}``) into :class:`Article`.

The answer is ``{"status": "ok", "message-type": "work", "message": {...}}``
(https://api.crossref.org/swagger-ui/index.html, "Works"); the fields read from the message:
``DOI``, ``title``, ``container-title``, ``short-container-title``, ``issn-type`` (else ``ISSN``),
``volume``, ``issue``, ``page``, ``published-print`` (else ``issued``) ``date-parts``,
``author`` (``family``, ``given``, ``suffix``, ``name`` for a group, ``ORCID``, ``affiliation``),
``type`` and ``indexed``. Crossref keeps titles in JATS markup (``<i>``), which is dropped.

>>> work = {"message-type": "work", "message": {"DOI": "10.5555/x", "title": ["A <i>test</i>"],
...         "page": "7-10", "issued": {"date-parts": [[2016, 3]]}, "type": "journal-article"}}
>>> a = read_crossref_work(work)
>>> a.doi, a.title, a.page_end, a.date, a.publication_types[0].name
('10.5555/x', 'A test', '10', PartialDate(year=2016, month=3, day=None), 'Journal Article')
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from kg.errors import InputError
from kg.model import PartialDate
from kg.model_pub import Article, ArticleAuthor, ArticleSource, Journal, PublicationType
from kg.sources.pubmed_xml import normalise_orcid, split_pages

__all__ = ["initials", "read_crossref_work"]

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_NAME_PART = re.compile(r"[^\W\d_]+", re.UNICODE)

# Crossref work types as PubMed publication types (MeSH unique ids), where one is the same thing.
_TYPES = {
    "journal-article": PublicationType("D016428", "Journal Article"),
    "posted-content": PublicationType("D000076942", "Preprint"),
}


def initials(given: str | None) -> str | None:
    """Return NLM initials of given names: the first letter of each name, hyphenated parts too.

    >>> initials("Yves-Marie"), initials("Frank P."), initials("J. Ángel"), initials("")
    ('YM', 'FP', 'JÁ', None)
    """
    letters = "".join(part[0].upper() for part in _NAME_PART.findall(given or ""))
    return letters or None


def _clean(value: object) -> str | None:
    """Return a text without markup and with whitespace collapsed, or None."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return None
    text = _SPACE.sub(" ", _TAG.sub("", value)).strip()
    return text or None


def _date(value: object) -> PartialDate | None:
    """Return the first ``date-parts`` entry of a Crossref date object."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
        return None
    numbers = [p for p in parts[0] if isinstance(p, int)]
    if not numbers:
        return None
    try:
        return PartialDate.parse("-".join(f"{n:02d}" for n in numbers[:3]))
    except ValueError:
        return PartialDate(numbers[0])


def _authors(value: object) -> tuple[ArticleAuthor, ...]:
    if not isinstance(value, list):
        return ()
    out: list[ArticleAuthor] = []
    for a in value:
        if not isinstance(a, dict):
            continue
        affiliations = tuple(
            name
            for aff in a.get("affiliation") or []
            if isinstance(aff, dict) and (name := _clean(aff.get("name")))
        )
        family = _clean(a.get("family"))
        if family is None and (group := _clean(a.get("name"))):
            out.append(ArticleAuthor(collective=group, affiliations=affiliations))
            continue
        given = _clean(a.get("given"))
        if family is None and given is None:
            continue
        orcid = a.get("ORCID")
        out.append(
            ArticleAuthor(
                family=family,
                given=given,
                initials=initials(given),
                suffix=_clean(a.get("suffix")),
                affiliations=affiliations,
                orcid=normalise_orcid(orcid if isinstance(orcid, str) else None),
            )
        )
    return tuple(out)


def _journal(work: dict[str, Any]) -> Journal | None:
    name = _clean(work.get("container-title"))
    short = _clean(work.get("short-container-title"))
    typed = {
        str(i.get("type")): str(i.get("value"))
        for i in work.get("issn-type") or []
        if isinstance(i, dict) and i.get("value")
    }
    plain = [i for i in work.get("ISSN") or [] if isinstance(i, str)]
    print_issn = typed.get("print") or (plain[0] if plain and not typed else None)
    electronic = typed.get("electronic") or (plain[1] if len(plain) > 1 and not typed else None)
    if not (name or short or print_issn or electronic):
        return None
    return Journal(
        name=name, iso_abbreviation=short, issn_print=print_issn, issn_electronic=electronic
    )


def read_crossref_work(value: object, *, label: str = "Crossref work") -> Article:
    """Return the article of a Crossref ``/works/{doi}`` answer (or of its bare message).

    Raises:
        InputError: the value is not a work, or the work has no DOI.
    """
    if isinstance(value, dict) and value.get("message-type") == "work":
        value = value.get("message")
    if not isinstance(value, dict) or not isinstance(value.get("DOI"), str):
        raise InputError("not a Crossref work (no DOI)", file=label, field="message.DOI")
    work: dict[str, Any] = value
    page_start, page_end = split_pages(_clean(work.get("page")))
    kind = _TYPES.get(str(work.get("type")))
    if work.get("type") == "posted-content" and work.get("subtype") != "preprint":
        kind = None
    digest = hashlib.sha256(orjson.dumps(work, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    return Article(
        source=ArticleSource.CROSSREF,
        source_digest=digest,
        doi=work["DOI"],
        title=_clean(work.get("title")),
        journal=_journal(work),
        date=_date(work.get("published-print")) or _date(work.get("issued")),
        volume=_clean(work.get("volume")),
        issue=_clean(work.get("issue")),
        page_start=page_start,
        page_end=page_end,
        authors=_authors(work.get("author")),
        publication_types=(kind,) if kind else (),
        record_date=_date(work.get("indexed")),
    )
