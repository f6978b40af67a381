"""Crossref's REST API: the metadata of a work by its DOI (``GET {url}/works/{doi}``).

https://api.crossref.org/swagger-ui/index.html. Crossref's "polite pool" serves clients that name
a contact: kg sends ``mailto`` (``$KG_CONTACT_EMAIL``) as a parameter and in its User-Agent. The
base URL is ``$KG_CROSSREF_URL`` (tests and mirrors), else :data:`DEFAULT_CROSSREF_URL`. A DOI
Crossref does not know (HTTP 404; DataCite and other agencies register DOIs too) gives None.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from kg.errors import EndpointError, InputError
from kg.http import CONTACT_ENV, HttpClient, HttpStatusError
from kg.model_pub import Article
from kg.sources.crossref_json import read_crossref_work

__all__ = [
    "CROSSREF_ENV",
    "CROSSREF_RATE",
    "DEFAULT_CROSSREF_URL",
    "SECRET_PARAMS",
    "Crossref",
    "crossref_url",
    "work_path",
]

CROSSREF_ENV = "KG_CROSSREF_URL"
DEFAULT_CROSSREF_URL = "https://api.crossref.org"
CROSSREF_RATE = 5.0
"""Requests a second: well under what Crossref's polite pool allows, single works are cheap."""
SECRET_PARAMS = ("mailto",)
"""Query parameters masked in messages and left out of cache keys."""


def crossref_url() -> str:
    """Return the Crossref API base URL (``$KG_CROSSREF_URL``, else Crossref's), no final slash."""
    return (os.environ.get(CROSSREF_ENV) or DEFAULT_CROSSREF_URL).rstrip("/")


def work_path(doi: str) -> str:
    """Return the path of a DOI's work; the DOI's own slashes stay, other specials are escaped.

    >>> work_path("10.1016/s0278-2391(97)90570-x")
    '/works/10.1016/s0278-2391%2897%2990570-x'
    """
    return "/works/" + quote(doi.strip(), safe="/")


class Crossref:
    """Crossref works by DOI, from the polite pool."""

    def __init__(
        self,
        http: HttpClient | None = None,
        base_url: str | None = None,
        *,
        mailto: str | None = None,
    ) -> None:
        """Use ``http`` (default: :data:`CROSSREF_RATE`) against ``base_url``."""
        self.mailto = mailto if mailto is not None else os.environ.get(CONTACT_ENV) or None
        self.http = (
            http
            if http is not None
            else HttpClient(rate=CROSSREF_RATE, secret_params=SECRET_PARAMS)
        )
        self.base_url = (base_url or crossref_url()).rstrip("/")

    def work(self, doi: str) -> Article | None:
        """Return the work registered under ``doi``, or None when Crossref has no such DOI.

        Raises:
            EndpointError: the API failed or answered something that is not a work.
        """
        params = [("mailto", self.mailto)] if self.mailto else None
        try:
            response = self.http.get(
                self.base_url + work_path(doi), params, headers={"Accept": "application/json"}
            )
        except HttpStatusError as exc:
            if exc.status == 404:
                return None
            raise
        try:
            return read_crossref_work(response.json(), label=response.url)
        except InputError as exc:
            raise EndpointError(f"{response.url}: {exc.message}") from exc
