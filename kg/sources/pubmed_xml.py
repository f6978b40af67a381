"""Read PubMed XML (E-utilities ``efetch`` answers, ``<PubmedArticleSet>``) into :class:`Article`.

The format is NLM's PubMed DTD (https://dtd.nlm.nih.gov/ncbi/pubmed/out/); the elements read:

- ``MedlineCitation/PMID``; ``PubmedData/ArticleIdList/ArticleId[@IdType]`` for the DOI and PMCID
  (``Article/ELocationID[@EIdType='doi']`` when the list has no DOI);
- ``Article/ArticleTitle`` (inline markup such as ``<i>`` dropped, NLM's closing full stop too);
- ``Article/Journal``: ``Title``, ``ISOAbbreviation``, ``ISSN[@IssnType]``, ``JournalIssue``
  (``Volume``, ``Issue``, ``PubDate`` as ``Year/Month/Day`` or a free ``MedlineDate``);
  ``MedlineJournalInfo``: ``MedlineTA``, ``NlmUniqueID``, ``ISSNLinking``;
- ``Article/Pagination`` (``StartPage``/``EndPage``, else NLM's abbreviated ``MedlinePgn``);
- ``Article/AuthorList/Author`` (``ValidYN="N"`` skipped): names, ``CollectiveName``,
  ``Identifier[@Source='ORCID']``, ``AffiliationInfo/Affiliation``;
- ``MeshHeadingList``, ``PublicationTypeList``, ``DataBankList`` accession numbers, ``DateRevised``.

Book records (``PubmedBookArticle``) are not articles and are skipped. The parser never fetches
the DTD and resolves no entities.

>>> xml = b'''<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
... <ArticleTitle>A <i>trial</i>.</ArticleTitle><Pagination><MedlinePgn>1572-83</MedlinePgn>
... </Pagination></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>'''
>>> [(a.pmid, a.title, a.page_start, a.page_end) for a in read_pubmed_xml(xml)]
[('1', 'A trial', '1572', '1583')]
"""

from __future__ import annotations

import calendar
import hashlib
import re

from lxml import etree

from kg.errors import InputError
from kg.model import PartialDate
from kg.model_pub import (
    Article,
    ArticleAuthor,
    ArticleSource,
    Journal,
    MeshHeading,
    MeshQualifier,
    PublicationType,
)

__all__ = ["normalise_orcid", "read_pubmed_xml", "split_pages"]

_Element = etree._Element

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_abbr[number], calendar.month_name[number])
}
_MEDLINE_DATE = re.compile(r"(?P<year>[12][0-9]{3})(?:\s+(?P<month>[A-Za-z]{3})[a-z]*\b)?")
_ORCID = re.compile(r"([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X])")
_PAGE_RANGE = re.compile(r"(?P<prefix>[A-Za-z]*)(?P<first>[0-9]+)\s*-\s*(?P<last>[0-9]+)")
_SPACE = re.compile(r"\s+")


def _parser() -> etree.XMLParser:
    # No DTD download (efetch names one), no entity expansion, no network: the input is remote.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def read_pubmed_xml(data: bytes, *, label: str = "PubMed XML") -> list[Article]:
    """Return the articles of a ``<PubmedArticleSet>`` document, in document order.

    Raises:
        InputError: the bytes are not XML, not a PubmedArticleSet, or an article has no PMID.
    """
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc}", file=label) from exc
    if root.tag != "PubmedArticleSet":
        raise InputError(f"expected <PubmedArticleSet>, got <{root.tag}>", file=label)
    return [_article(el, label) for el in root.iterchildren("PubmedArticle")]


def _article(el: _Element, label: str) -> Article:
    citation = el.find("MedlineCitation")
    pmid = _text(citation.find("PMID")) if citation is not None else None
    if citation is None or not pmid:
        raise InputError("a PubmedArticle without PMID", file=label, field="MedlineCitation/PMID")
    art = citation.find("Article")
    ids = {
        (a.get("IdType") or "").lower(): _text(a)
        for a in el.iterfind("PubmedData/ArticleIdList/ArticleId")
    }
    doi = ids.get("doi") or _elocation_doi(art)
    journal_el = art.find("Journal") if art is not None else None
    issue_el = journal_el.find("JournalIssue") if journal_el is not None else None
    page_start, page_end = _pages(art)
    return Article(
        source=ArticleSource.PUBMED,
        source_digest=hashlib.sha256(etree.tostring(el)).hexdigest()[:16],
        pmid=pmid,
        doi=doi,
        pmcid=ids.get("pmc"),
        title=_title(art),
        journal=_journal(journal_el, citation.find("MedlineJournalInfo")),
        date=_pub_date(issue_el.find("PubDate") if issue_el is not None else None),
        volume=_child_text(issue_el, "Volume"),
        issue=_child_text(issue_el, "Issue"),
        page_start=page_start,
        page_end=page_end,
        authors=_authors(art),
        mesh=_mesh(citation),
        publication_types=tuple(
            PublicationType(p.get("UI") or "", _text(p) or "")
            for p in citation.iterfind("Article/PublicationTypeList/PublicationType")
            if p.get("UI")
        ),
        databank_ids=tuple(
            dict.fromkeys(
                t
                for a in citation.iterfind(
                    "Article/DataBankList/DataBank/AccessionNumberList/AccessionNumber"
                )
                if (t := _text(a))
            )
        ),
        record_date=_ymd(citation.find("DateRevised")),
    )


def _text(el: _Element | None) -> str | None:
    """Return an element's whole text (inline markup dropped), whitespace collapsed, or None."""
    if el is None:
        return None
    text = _SPACE.sub(" ", "".join(str(t) for t in el.itertext())).strip()
    return text or None


def _child_text(el: _Element | None, path: str) -> str | None:
    return _text(el.find(path)) if el is not None else None


def _elocation_doi(art: _Element | None) -> str | None:
    if art is None:
        return None
    for loc in art.iterfind("ELocationID"):
        if loc.get("EIdType") == "doi" and loc.get("ValidYN", "Y") == "Y":
            return _text(loc)
    return None


def _title(art: _Element | None) -> str | None:
    """Return the title without NLM's closing full stop (a citation's title has none)."""
    title = _child_text(art, "ArticleTitle") or _child_text(art, "VernacularTitle")
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title or None


def _journal(el: _Element | None, info: _Element | None) -> Journal | None:
    if el is None and info is None:
        return None
    issns: dict[str, str | None] = {}
    if el is not None:
        issns = {(i.get("IssnType") or "").lower(): _text(i) for i in el.iterfind("ISSN")}
    return Journal(
        name=_child_text(el, "Title"),
        iso_abbreviation=_child_text(el, "ISOAbbreviation"),
        medline_abbreviation=_child_text(info, "MedlineTA"),
        issn_print=issns.get("print"),
        issn_electronic=issns.get("electronic"),
        issn_linking=_child_text(info, "ISSNLinking"),
        nlm_id=_child_text(info, "NlmUniqueID"),
    )


def _month(text: str | None) -> int | None:
    """Return a month from "Oct", "October" or "10", or None.

    >>> _month("Oct"), _month("10"), _month("Spring")
    (10, 10, None)
    """
    if not text:
        return None
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(text.lower())


def _ymd(el: _Element | None) -> PartialDate | None:
    """Return a ``Year``/``Month``/``Day`` element as a date; an impossible one is cut short."""
    year = _child_text(el, "Year")
    if year is None or not year.isdigit():
        return None
    month = _month(_child_text(el, "Month"))
    day_text = _child_text(el, "Day")
    day = int(day_text) if day_text and day_text.isdigit() and month else None
    if day is not None and month is not None:
        if not 1 <= day <= calendar.monthrange(int(year), month)[1]:
            day = None
    return PartialDate(int(year), month, day)


def _pub_date(el: _Element | None) -> PartialDate | None:
    """Return the issue date: ``Year/Month/Day``, or the year and first month of a MedlineDate.

    >>> d = etree.fromstring(b"<PubDate><MedlineDate>2023 Nov-Dec</MedlineDate></PubDate>")
    >>> _pub_date(d)
    PartialDate(year=2023, month=11, day=None)
    """
    if el is None:
        return None
    if (ymd := _ymd(el)) is not None:
        return ymd
    medline = _child_text(el, "MedlineDate")
    m = _MEDLINE_DATE.match(medline or "")
    if m is None:
        return None
    return PartialDate(int(m["year"]), _month(m["month"]))


def split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """Split NLM's page range, expanding an abbreviated last page; an e-locator is a first page.

    >>> split_pages("1572-83"), split_pages("E409-22"), split_pages("e12345"), split_pages(None)
    (('1572', '1583'), ('E409', 'E422'), ('e12345', None), (None, None))
    """
    if not pages or not pages.strip():
        return None, None
    pages = pages.strip().split(",")[0].strip()  # "1-5, 9" (a supplement): its first range
    m = _PAGE_RANGE.fullmatch(pages)
    if m is None:
        first, _, last = pages.partition("-")
        return first.strip() or None, last.strip() or None
    first, last = m["first"], m["last"]
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return m["prefix"] + first, m["prefix"] + last


def _pages(art: _Element | None) -> tuple[str | None, str | None]:
    pagination = art.find("Pagination") if art is not None else None
    if pagination is None:
        return None, None
    start, end = _child_text(pagination, "StartPage"), _child_text(pagination, "EndPage")
    if start:
        return start, end
    return split_pages(_child_text(pagination, "MedlinePgn"))


def normalise_orcid(value: str | None) -> str | None:
    """Return the bare ORCID iD of an identifier, whatever its form, or None.

    >>> normalise_orcid("https://orcid.org/0000-0002-1825-0097")
    '0000-0002-1825-0097'
    >>> normalise_orcid("0000000218250097") is None
    True
    """
    m = _ORCID.search(value or "")
    return m.group(1) if m else None


def _authors(art: _Element | None) -> tuple[ArticleAuthor, ...]:
    if art is None:
        return ()
    out: list[ArticleAuthor] = []
    for a in art.iterfind("AuthorList/Author"):
        if a.get("ValidYN", "Y") == "N":  # an erratum's withdrawn spelling
            continue
        orcid = next(
            (
                found
                for i in a.iterfind("Identifier")
                if (i.get("Source") or "").upper() == "ORCID"
                and (found := normalise_orcid(_text(i)))
            ),
            None,
        )
        author = ArticleAuthor(
            family=_child_text(a, "LastName"),
            given=_child_text(a, "ForeName"),
            initials=_child_text(a, "Initials"),
            suffix=_child_text(a, "Suffix"),
            collective=_child_text(a, "CollectiveName"),
            affiliations=tuple(
                t for f in a.iterfind("AffiliationInfo/Affiliation") if (t := _text(f))
            ),
            orcid=orcid,
        )
        if author.name:
            out.append(author)
    return tuple(out)


def _mesh(citation: _Element) -> tuple[MeshHeading, ...]:
    out: list[MeshHeading] = []
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        if descriptor is None or not descriptor.get("UI"):
            continue
        qualifiers = tuple(
            MeshQualifier(q.get("UI") or "", _text(q) or "", q.get("MajorTopicYN") == "Y")
            for q in heading.iterfind("QualifierName")
            if q.get("UI")
        )
        out.append(
            MeshHeading(
                descriptor.get("UI") or "",
                _text(descriptor) or "",
                descriptor.get("MajorTopicYN") == "Y",
                qualifiers,
            )
        )
    return tuple(out)
