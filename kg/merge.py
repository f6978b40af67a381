"""Merge records of one trial from several sources into one record; the newest source wins.

The same trial can arrive as a web page and an API record, or as two downloads of different
dates. Single-valued facts come from the newest source that states them; lists (sites, arms,
outcomes...) come whole from the newest source that has any, so two sources' sites are never
interleaved. Sponsors are the exception: they are united by organisation, so a page's unmarked
sponsors and a registry record's lead and collaborators become one set, each with the most specific
role any source gives. Related trials and references are united too. Every source is kept for
provenance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from kg import model
from kg.terms import name_key

__all__ = ["merge_trials", "source_order"]

# On the same date, a registry record is a better source than the legacy XML, then a web page.
_FORMAT_RANK = {"ctgov-json": 3, "ctgov-xml": 2, "web-page": 1}
_ROLE_RANK = {model.SponsorRole.LEAD: 3, model.SponsorRole.COLLABORATOR: 2,
              model.SponsorRole.UNSPECIFIED: 1}
_UNITED = {"sponsors", "related_trials", "references", "source", "other_sources", "nct_id"}


def source_order(trial: model.Trial) -> tuple[str, int, str]:
    """Sort key that puts older, weaker sources first (the date unknown sorts oldest)."""
    src = trial.source
    return (src.date.iso() if src.date else "", _FORMAT_RANK.get(src.format, 0), src.digest)


def merge_trials(records: Sequence[model.Trial]) -> model.Trial:
    """Merge records of the same trial; the newest source wins every single-valued fact.

    Raises:
        ValueError: no records, or records of different trials.
    """
    if not records:
        raise ValueError("nothing to merge")
    if len({r.nct_id for r in records}) != 1:
        raise ValueError("records of different trials cannot be merged")
    ordered = sorted(records, key=source_order, reverse=True)  # newest first
    if len(ordered) == 1:
        return ordered[0]
    newest = ordered[0]
    changes: dict[str, object] = {}
    for f in dataclasses.fields(model.Trial):
        if f.name in _UNITED:
            continue
        for record in ordered:
            value = getattr(record, f.name)
            if value is not None and value != ():
                changes[f.name] = value
                break
    changes["sponsors"] = _sponsors(ordered)
    changes["related_trials"] = _unique(ordered, "related_trials", lambda r: r.nct_id)
    changes["references"] = _unique(ordered, "references", _reference_key)
    changes["other_sources"] = tuple(
        s for r in ordered for s in (r.source, *r.other_sources) if s != newest.source
    )
    return dataclasses.replace(newest, **changes)  # type: ignore[arg-type]


def _sponsors(ordered: Sequence[model.Trial]) -> tuple[model.Sponsor, ...]:
    merged: dict[str, model.Sponsor] = {}
    for record in ordered:  # newest first: its spelling, class and order lead
        for sponsor in record.sponsors:
            key = name_key(sponsor.name)
            known = merged.get(key)
            if known is None:
                merged[key] = sponsor
                continue
            role = max(known.role, sponsor.role, key=_ROLE_RANK.__getitem__)
            merged[key] = dataclasses.replace(
                known, role=role, agency_class=known.agency_class or sponsor.agency_class
            )
    return tuple(sorted(merged.values(), key=lambda s: -_ROLE_RANK[s.role]))


def _reference_key(ref: model.Reference) -> str:
    doi = ref.citation.doi if ref.citation else None
    return ref.pmid or (doi.lower() if doi else None) or name_key(ref.text or "")


def _unique(ordered: Sequence[model.Trial], field: str, key: object) -> tuple[object, ...]:
    seen: dict[str, object] = {}
    for record in ordered:
        for item in getattr(record, field):
            seen.setdefault(key(item), item)  # type: ignore[operator]
    return tuple(seen.values())
