"""Check ``kg query --param`` names and values before they are bound, and explain empty answers.

A misspelt parameter would otherwise bind a variable the query never reads and answer with every
row or none, silently; a lower-case or spaced NCT id would match no trial. So:

* a parameter the query does not declare is a usage error that lists the ones it does (a query
  file without ``# param:`` lines takes any variable that its text uses);
* a trial id parameter (``nct``) is normalised (``" nct 03737461"`` is ``NCT03737461``) and must
  be an NCT number;
* when the answer is empty, :data:`TRIAL_EXISTS` tells whether the trial named exists at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.errors import UsageError
from kg.fetch import nct_id
from kg.queries import NamedQuery

__all__ = ["NCT_PARAMS", "TRIAL_EXISTS", "check_params", "trial_ids"]

NCT_PARAMS = frozenset({"nct"})
"""Parameters that name a trial by its NCT id."""

TRIAL_EXISTS = NamedQuery(
    name="trial-exists",
    text=(
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?trial WHERE { ?trial dcterms:identifier ?nct } LIMIT 1\n"
    ),
    summary="whether a trial with this NCT id is in the data",
    params=(),
    example="",
)
"""A query whose answer is empty when no trial has the bound ``nct``."""

_WHITESPACE = re.compile(r"\s+")


def _declares(query: NamedQuery) -> bool:
    return bool(query.params) or any(
        line.startswith("# param:") for line in query.text.splitlines()
    )


def _uses(query: NamedQuery, name: str) -> bool:
    return re.search(rf"[?$]{re.escape(name)}\b", query.text) is not None


def check_params(query: NamedQuery, values: Mapping[str, str]) -> dict[str, str]:
    """Return the ``--param`` values with trial ids normalised; refuse unknown names.

    >>> from kg.queries import Param
    >>> q = NamedQuery("trial-sites", "SELECT ?s { ?t ?p ?nct }", "", (Param("nct", "string", ""),),
    ...                "")
    >>> check_params(q, {"nct": " nct 03737461"})
    {'nct': 'NCT03737461'}
    >>> check_params(q, {"nt": "NCT03737461"})
    Traceback (most recent call last):
    ...
    kg.errors.UsageError: query 'trial-sites' has no parameter 'nt'; its parameters: nct

    Raises:
        UsageError: a name the query does not know, or a trial id that is no NCT number.
    """
    known = [p.name for p in query.params]
    out: dict[str, str] = {}
    for name, value in values.items():
        if name not in known and (_declares(query) or not _uses(query, name)):
            if _declares(query):
                listed = ", ".join(known) if known else "none"
                raise UsageError(
                    f"query {query.name!r} has no parameter {name!r}; its parameters: {listed}"
                )
            raise UsageError(f"query {query.name!r} has no variable ?{name} to bind")
        if name in NCT_PARAMS:
            try:
                value = nct_id(_WHITESPACE.sub("", value))
            except UsageError:
                raise UsageError(
                    f"--param {name}: not an NCT number: {value!r} (NCT and 8 digits)"
                ) from None
        out[name] = value
    return out


def trial_ids(values: Mapping[str, str]) -> list[str]:
    """Return the trial ids among checked parameter values."""
    return [v for k, v in values.items() if k in NCT_PARAMS]
