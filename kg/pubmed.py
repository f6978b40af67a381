"""PubMed through NCBI E-utilities: search (``esearch``) and PubMed XML records (``efetch``).

https://www.ncbi.nlm.nih.gov/books/NBK25499/: ``GET {url}/esearch.fcgi?db=pubmed&term=...`` gives
the PMIDs matching a query (JSON with ``retmode=json``, else XML); ``GET {url}/efetch.fcgi?db=pubmed
&id=1,2&retmode=xml`` gives their records. NCBI allows 3 requests a second, 10 with an API key
(``$NCBI_API_KEY``), and asks for ``tool`` and ``email`` parameters naming the program and a
contact (``$KG_CONTACT_EMAIL``). The base URL is ``$KG_EUTILS_URL`` (tests and mirrors), else
:data:`DEFAULT_EUTILS_URL`. Requests go through :class:`kg.http.HttpClient` (retries, rate limit,
cache); the API key and e-mail are masked in messages and left out of cache keys.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

import orjson
from lxml import etree

from kg.errors import EndpointError, InputError
from kg.http import CONTACT_ENV, HttpClient
from kg.model_pub import Article
from kg.sources.pubmed_xml import read_pubmed_xml

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_EUTILS_URL",
    "EFETCH_BATCH",
    "EUTILS_ENV",
    "SECRET_PARAMS",
    "PubMed",
    "doi_term",
    "eutils_rate",
    "eutils_url",
    "parse_esearch",
    "title_term",
    "trial_term",
]

EUTILS_ENV = "KG_EUTILS_URL"
DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
API_KEY_ENV = "NCBI_API_KEY"
EFETCH_BATCH = 200
"""PMIDs per efetch request (NCBI suggests at most 200 ids in a GET)."""
TOOL = "kg"
SECRET_PARAMS = ("api_key", "email")
"""Query parameters masked in messages and left out of cache keys."""

_PMID = re.compile(r"[1-9][0-9]{0,9}")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# PubMed's stopwords (https://pubmed.ncbi.nlm.nih.gov/help/#help-stopwords), the common ones; a
# title's other words, each searched in [ti], find the article whatever the phrase index holds.
_STOPWORDS = frozenset(
    "a about after all also an and any are as at be been but by can do does during each for from "
    "had has have how in into is it its may more most no not of on or our over such than that the "
    "their them then there these they this those through to under up upon versus vs was were what "
    "when where which while who with within without".split()
)
_TITLE_WORDS = 12


def eutils_url() -> str:
    """Return the E-utilities base URL (``$KG_EUTILS_URL``, else NCBI's), no final slash."""
    return (os.environ.get(EUTILS_ENV) or DEFAULT_EUTILS_URL).rstrip("/")


def eutils_rate(api_key: str | None) -> float:
    """Return NCBI's request rate limit: 10 a second with an API key, else 3.

    >>> eutils_rate(None), eutils_rate("abc")
    (3.0, 10.0)
    """
    return 10.0 if api_key else 3.0


def trial_term(nct: str) -> str:
    """Return the query for articles listing an NCT number in their databank list.

    >>> trial_term("NCT03737461")
    'NCT03737461[si]'
    """
    return f"{nct}[si]"


def doi_term(doi: str) -> str:
    """Return the query for the article with a DOI (quoted: DOIs hold brackets and colons).

    >>> doi_term("10.1016/s0278-2391(97)90570-x")
    '"10.1016/s0278-2391(97)90570-x"[doi]'
    """
    return '"' + doi.replace('"', "") + '"[doi]'


def title_term(title: str, year: int | None = None) -> str | None:
    """Return a query for the words of a title, each in [ti], and the year; None without words.

    >>> title_term("Allogenic bone marrow-derived cells: a trial (RESPINE study).", 2024)
    'allogenic[ti] AND bone[ti] AND marrow[ti] AND derived[ti] AND cells[ti] AND trial[ti] AND \
respine[ti] AND study[ti] AND 2024[dp]'
    """
    words = [w.lower() for w in _WORD.findall(title)]
    kept = list(dict.fromkeys(w for w in words if w not in _STOPWORDS and len(w) > 1))
    if not kept:
        return None
    parts = [f"{w}[ti]" for w in kept[:_TITLE_WORDS]]
    if year is not None:
        parts.append(f"{year}[dp]")
    return " AND ".join(parts)


def parse_esearch(body: bytes, *, url: str = "esearch") -> list[str]:
    """Return the PMIDs of an esearch answer, JSON (``retmode=json``) or XML.

    >>> parse_esearch(b'{"esearchresult": {"count": "1", "idlist": ["39393844"]}}')
    ['39393844']
    >>> parse_esearch(b"<eSearchResult><Count>0</Count><IdList/></eSearchResult>")
    []

    Raises:
        EndpointError: the answer is an error, or neither an esearch JSON nor XML result.
    """
    head = body.lstrip()[:1]
    if head == b"{":
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise EndpointError(f"{url}: the esearch answer is not valid JSON ({exc})") from exc
        result = value.get("esearchresult") if isinstance(value, dict) else None
        if not isinstance(result, dict):
            problem = value.get("error") if isinstance(value, dict) else None
            raise EndpointError(f"{url}: not an esearch result ({problem or 'no esearchresult'})")
        if "ERROR" in result:
            raise EndpointError(f"{url}: PubMed refused the search: {result['ERROR']}")
        ids = result.get("idlist") or []
    else:
        try:
            root = etree.fromstring(
                body, parser=etree.XMLParser(resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError as exc:
            raise EndpointError(f"{url}: the esearch answer is neither JSON nor XML") from exc
        if root.tag != "eSearchResult":
            raise EndpointError(f"{url}: expected <eSearchResult>, got <{root.tag}>")
        error = root.findtext("ERROR")
        if error:
            raise EndpointError(f"{url}: PubMed refused the search: {error}")
        ids = [el.text or "" for el in root.iterfind("IdList/Id")]
    pmids = [str(i).strip() for i in ids]
    bad = [i for i in pmids if not _PMID.fullmatch(i)]
    if bad:
        raise EndpointError(f"{url}: the esearch answer lists {bad[0]!r}, not a PMID")
    return list(dict.fromkeys(pmids))


class PubMed:
    """Search PubMed and fetch its records, politely (rate, ``tool``, ``email``, API key)."""

    def __init__(
        self,
        http: HttpClient | None = None,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        email: str | None = None,
    ) -> None:
        """Use ``http`` (default: at NCBI's rate for the key) against ``base_url``.

        ``api_key`` and ``email`` default to ``$NCBI_API_KEY`` and ``$KG_CONTACT_EMAIL``; a client
        made by the caller should mask them (``secret_params=SECRET_PARAMS``).
        """
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None
        self.email = email if email is not None else os.environ.get(CONTACT_ENV) or None
        self.http = (
            http
            if http is not None
            else HttpClient(rate=eutils_rate(self.api_key), secret_params=SECRET_PARAMS)
        )
        self.base_url = (base_url or eutils_url()).rstrip("/")

    def _params(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        out = [("db", "pubmed"), *pairs, ("tool", TOOL)]
        if self.email:
            out.append(("email", self.email))
        if self.api_key:
            out.append(("api_key", self.api_key))
        return out

    def search(self, term: str, *, retmax: int = 100) -> list[str]:
        """Return the PMIDs of the articles a PubMed query finds (at most ``retmax``).

        Raises:
            EndpointError: E-utilities failed or answered something else than a search result.
        """
        params = self._params([("term", term), ("retmode", "json"), ("retmax", str(retmax))])
        response = self.http.get(f"{self.base_url}/esearch.fcgi", params)
        return parse_esearch(response.body, url=response.url)

    def search_trial(self, nct: str) -> list[str]:
        """Return the PMIDs of articles listing ``nct`` as a secondary source id (databank)."""
        return self.search(trial_term(nct), retmax=1000)

    def search_doi(self, doi: str) -> list[str]:
        """Return the PMIDs of the article with this DOI (none, or one)."""
        return self.search(doi_term(doi), retmax=5)

    def search_title(self, title: str, year: int | None = None, *, retmax: int = 5) -> list[str]:
        """Return the PMIDs of the articles whose title holds the words of ``title``."""
        term = title_term(title, year)
        return self.search(term, retmax=retmax) if term else []

    def fetch(self, pmids: Sequence[str]) -> list[Article]:
        """Return the PubMed records of ``pmids`` (in PubMed's order; unknown PMIDs are absent).

        Raises:
            EndpointError: E-utilities failed or answered something that is not PubMed XML.
        """
        wanted = list(dict.fromkeys(pmids))
        out: list[Article] = []
        for start in range(0, len(wanted), EFETCH_BATCH):
            batch = wanted[start : start + EFETCH_BATCH]
            params = self._params([("id", ",".join(batch)), ("retmode", "xml")])
            response = self.http.get(f"{self.base_url}/efetch.fcgi", params)
            try:
                out += read_pubmed_xml(response.body, label=response.url)
            except InputError as exc:
                raise EndpointError(f"{response.url}: {exc.message}") from exc
        return out
