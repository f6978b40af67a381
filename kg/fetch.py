"""Download study records from the ClinicalTrials.gov API v2 as NDJSON that ``kg build`` reads.

The API (https://clinicaltrials.gov/data-api/api) answers ``GET {url}/studies/NCT...`` with one
study object, and ``GET {url}/studies?query.cond=...&pageSize=...`` with a page
``{"studies": [...], "nextPageToken": "..."}`` whose token, absent on the last page, is sent back as
``pageToken`` for the next one. Study objects are written unchanged, one per line. The base URL is
``$KG_CTGOV_API_URL`` (tests and mirrors), else :data:`DEFAULT_CTGOV_API_URL`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

import orjson

from kg.atomic import atomic_output
from kg.errors import EndpointError, UsageError
from kg.http import HttpClient, HttpStatusError

__all__ = [
    "CTGOV_API_ENV",
    "CTGOV_RATE",
    "DEFAULT_CTGOV_API_URL",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "CtgovApi",
    "FetchReport",
    "Study",
    "StudyNotFoundError",
    "StudySearch",
    "atomic_output",
    "ctgov_api_url",
    "nct_id",
    "write_ndjson",
]

CTGOV_API_ENV = "KG_CTGOV_API_URL"
DEFAULT_CTGOV_API_URL = "https://clinicaltrials.gov/api/v2"
CTGOV_RATE = 0.8
"""Requests a second: ClinicalTrials.gov asks for about 50 a minute per IP address."""
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
"""The largest ``pageSize`` the API accepts."""

Study = dict[str, Any]
"""An API v2 study object, passed through untouched (``kg build`` reads it)."""

_NCT = re.compile(r"NCT\d{8}")


def ctgov_api_url() -> str:
    """Return the API base URL (``$KG_CTGOV_API_URL``, else the public API), no final slash."""
    return (os.environ.get(CTGOV_API_ENV) or DEFAULT_CTGOV_API_URL).rstrip("/")


def nct_id(text: str) -> str:
    """Return an NCT number in canonical form.

    >>> nct_id(" nct03737461 ")
    'NCT03737461'
    >>> nct_id("NCT123")
    Traceback (most recent call last):
    ...
    kg.errors.UsageError: not an NCT number: 'NCT123' (NCT and 8 digits)

    Raises:
        UsageError: the text is not ``NCT`` and 8 digits.
    """
    value = text.strip().upper()
    if not _NCT.fullmatch(value):
        raise UsageError(f"not an NCT number: {text!r} (NCT and 8 digits)")
    return value


@dataclass(frozen=True, slots=True)
class StudySearch:
    """A search of the registry; every given criterion must match."""

    condition: str | None = None
    sponsor: str | None = None
    term: str | None = None
    updated_since: date | None = None
    """Only studies whose last update was posted on or after this day."""

    def params(self) -> list[tuple[str, str]]:
        """Return the API query parameters of the search, in a stable order.

        >>> for pair in StudySearch(condition="lupus", updated_since=date(2024, 1, 1)).params():
        ...     print(*pair)
        query.cond lupus
        filter.advanced AREA[LastUpdatePostDate]RANGE[2024-01-01,MAX]
        """
        out = [
            (name, value)
            for name, value in (
                ("query.cond", self.condition),
                ("query.spons", self.sponsor),
                ("query.term", self.term),
            )
            if value
        ]
        if self.updated_since is not None:
            day = self.updated_since.isoformat()
            out.append(("filter.advanced", f"AREA[LastUpdatePostDate]RANGE[{day},MAX]"))
        return out

    def is_empty(self) -> bool:
        """Return whether no criterion is given (the search would return the whole registry).

        >>> StudySearch().is_empty(), StudySearch(term="aspirin").is_empty()
        (True, False)
        """
        return not self.params()


class StudyNotFoundError(EndpointError):
    """The API has no study with this NCT number (HTTP 404)."""

    def __init__(self, message: str, *, nct_id: str, url: str) -> None:
        """Keep the NCT number and the URL asked beside the message."""
        super().__init__(message)
        self.nct_id = nct_id
        self.url = url


class CtgovApi:
    """The ClinicalTrials.gov API v2: single studies by NCT number and paged searches."""

    def __init__(self, http: HttpClient | None = None, base_url: str | None = None) -> None:
        """Use ``http`` (default: polite at :data:`CTGOV_RATE`) against ``base_url``."""
        self.http = http if http is not None else HttpClient(rate=CTGOV_RATE)
        self.base_url = (base_url or ctgov_api_url()).rstrip("/")
        self._accept = {"Accept": "application/json"}

    def study(self, nct: str) -> Study:
        """Return the study object of one NCT number.

        Raises:
            StudyNotFoundError: the registry has no such study.
            EndpointError: the API failed or answered something that is not a study object.
        """
        url = f"{self.base_url}/studies/{nct_id(nct)}"
        try:
            response = self.http.get(url, headers=self._accept)
        except HttpStatusError as exc:
            if exc.status == 404:
                raise StudyNotFoundError(
                    f"{nct}: no such study ({exc.url}: HTTP 404)", nct_id=nct, url=exc.url
                ) from exc
            raise
        study = response.json()
        if not isinstance(study, dict):
            raise EndpointError(f"{response.url}: expected a study object, got {_kind(study)}")
        return study

    def iter_studies(self, ids: Iterable[str]) -> Iterator[Study | StudyNotFoundError]:
        """Yield the study of each NCT number, or a StudyNotFoundError where the API has none."""
        for nct in ids:
            try:
                yield self.study(nct)
            except StudyNotFoundError as missing:
                yield missing

    def iter_search(
        self,
        search: StudySearch,
        *,
        limit: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        on_total: Callable[[int], None] | None = None,
    ) -> Iterator[Study]:
        """Yield every study a search finds, page after page, up to ``limit`` studies.

        ``on_total`` receives the API's count of matching studies when the first page gives it.

        Raises:
            UsageError: a page size outside 1..1000 or a limit below 1.
            EndpointError: the API failed, or a page is malformed or repeats its token.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise UsageError(f"the page size must be 1 to {MAX_PAGE_SIZE}, got {page_size}")
        if limit is not None and limit < 1:
            raise UsageError(f"the limit must be at least 1, got {limit}")
        size = min(page_size, limit) if limit is not None else page_size
        base = [*search.params(), ("pageSize", str(size))]
        url = f"{self.base_url}/studies"
        token: str | None = None
        seen: set[str] = set()
        count = 0
        while True:
            extra = [("countTotal", "true")] if token is None else [("pageToken", token)]
            response = self.http.get(url, [*base, *extra], headers=self._accept)
            studies, next_token, total = _page(response.json(), response.url)
            if token is None and total is not None and on_total is not None:
                on_total(total if limit is None else min(total, limit))
            for study in studies:
                yield study
                count += 1
                if limit is not None and count >= limit:
                    return
            if next_token is None:
                return
            if next_token in seen:
                raise EndpointError(
                    f"{response.url}: the API sent the page token {next_token!r} a second time; "
                    "stopping rather than looping"
                )
            seen.add(next_token)
            token = next_token


def _page(value: object, url: str) -> tuple[list[Study], str | None, int | None]:
    """Return the studies, next page token and total count of one search page."""
    if not isinstance(value, dict) or not isinstance(value.get("studies"), list):
        raise EndpointError(f'{url}: expected a page {{"studies": [...]}}, got {_kind(value)}')
    studies = value["studies"]
    for position, study in enumerate(studies):
        if not isinstance(study, dict):
            raise EndpointError(f"{url}: studies[{position}] is {_kind(study)}, not an object")
    token = value.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        raise EndpointError(f"{url}: nextPageToken is {_kind(token)}, not a string")
    total = value.get("totalCount")
    return studies, token or None, total if isinstance(total, int) else None


def _kind(value: object) -> str:
    """Name a JSON value's type for a message.

    >>> _kind([]), _kind({"a": 1}), _kind(None), _kind("x")
    ('an array', 'an object with keys a', 'null', 'a string')
    """
    if value is None:
        return "null"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:5])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


@dataclass(slots=True)
class FetchReport:
    """What a fetch wrote: the number of studies and the NCT numbers the API did not have."""

    studies: int = 0
    missing: list[str] = field(default_factory=list)


def write_ndjson(
    items: Iterable[Study | StudyNotFoundError],
    out: BinaryIO,
    *,
    on_study: Callable[[Study], None] | None = None,
    on_missing: Callable[[StudyNotFoundError], None] | None = None,
) -> FetchReport:
    """Write each study as one JSON line to ``out`` (flushed, so a pipe streams); count the rest."""
    report = FetchReport()
    for item in items:
        if isinstance(item, StudyNotFoundError):
            report.missing.append(item.nct_id)
            if on_missing is not None:
                on_missing(item)
            continue
        out.write(orjson.dumps(item) + b"\n")
        out.flush()
        report.studies += 1
        if on_study is not None:
            on_study(item)
    return report


