"""A user's mapping of organisation names to ROR ids or preferred IRIs, and the key of a node.

:class:`OrgIndex` is read from a CSV or TSV file (a name or key, and a ROR id or an IRI), loaded
once and carried, immutable, by :class:`kg.terms.Minter`. :meth:`OrgIndex.node_key` decides which
node a name stands for: a registry id when the mapping gives one (every spelling and every place of
it is then one node), else the name's key, and for a facility the name's key at its place.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from kg.errors import InputError
from kg.orgs._names import analyse, org_key
from kg.places import parse_place

__all__ = ["OrgIndex", "OrgTarget", "parse_ror"]

_ROR_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR = re.compile(r"^(?:https?://)?(?:ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6}[0-9]{2})/?$", re.I)
_FOR = re.compile(r" for (?=\w)")
_ABSOLUTE_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", re.I)


def parse_ror(text: str) -> str | None:
    """Return the bare ROR id of a ROR id or URL whose checksum holds, else None.

    >>> parse_ror("https://ror.org/02feahw73")
    '02feahw73'
    >>> parse_ror("02feahw74") is None
    True
    """
    m = _ROR.match(text.strip())
    if not m:
        return None
    ror = m.group(1).lower()
    number = 0
    for char in ror[:7]:
        number = number * 32 + _ROR_ALPHABET.index(char)
    return ror if 98 - (number * 100) % 97 == int(ror[7:]) else None


@dataclass(frozen=True, slots=True)
class OrgTarget:
    """Where the mapping sends an organisation: a ROR id, or a preferred IRI for its node."""

    ror: str | None = None
    iri: str | None = None

    @property
    def same_as(self) -> str | None:
        """Return the ROR URL to state as ``schema:sameAs``, if any."""
        return f"https://ror.org/{self.ror}" if self.ror else None


_NAME_COLUMNS = ("name", "key")
_TARGET_COLUMNS = ("id", "ror", "iri", "target")


class OrgIndex:
    """An immutable mapping from organisation keys to ROR ids or preferred IRIs.

    >>> index = OrgIndex({org_key("CNRS"): OrgTarget(ror="02feahw73")})
    >>> index.node_key("CNRS")
    'ror-02feahw73'
    >>> index.node_key("Université Montpellier") == org_key("Université Montpellier")
    True
    """

    __slots__ = ("_entries",)
    _entries: Mapping[str, OrgTarget]

    def __init__(self, entries: Mapping[str, OrgTarget] | None = None) -> None:
        """Hold ``entries`` (org key -> target), copied."""
        object.__setattr__(self, "_entries", MappingProxyType(dict(entries or {})))

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse: the index is shared by every worker and must not change."""
        raise AttributeError(f"OrgIndex is immutable: cannot set {name!r}")

    def __reduce__(self) -> tuple[type[OrgIndex], tuple[dict[str, OrgTarget]]]:
        """Pickle as the entries, so the index reaches worker processes."""
        return (OrgIndex, (dict(self._entries),))  # a mappingproxy cannot be pickled

    def __len__(self) -> int:
        """Return the number of mapped keys."""
        return len(self._entries)

    def __repr__(self) -> str:
        """Show the size, not the entries."""
        return f"OrgIndex({len(self._entries)} entries)"

    def lookup(self, name: str) -> OrgTarget | None:
        """Return where the mapping sends the organisation named ``name``, if anywhere."""
        if not self._entries:
            return None
        return self._entries.get(org_key(name))

    def node_key(self, name: str, place: str | None = None) -> str:
        """Return the key of the node for ``name``: its ROR id when mapped, else :func:`org_key`.

        ``place`` ("city, country" or "city, state, country") is a facility's. Names are not
        unique across places, so a facility's key is its name's key at its country (and, in the
        United States, its state, except for a clinical research company:
        :func:`is_research_company`); a name that many towns share (:func:`needs_place`: "St.
        Mary's Medical Center", "Memorial Hospital") also at its city. A ROR id from the mapping
        overrides the place: every spelling and place of the organisation is then one node.

        >>> index = OrgIndex()
        >>> index.node_key("St. Mary's Medical Center", "Saginaw, Michigan, United States")
        'marys saint center medical in saginaw/michigan/us'
        >>> index.node_key("Oncomedica", "Guatemala City, Guatemala")
        'oncomedica in //gt'
        """
        target = self.lookup(name)
        if target is not None and target.ror:
            return f"ror-{target.ror}"
        if not place:
            return org_key(name)
        city, region, country = parse_place(place)
        key, common, research = analyse(name)
        if not common:
            city = ""
            if research:  # a research company's sites across US states are one organisation
                region = ""
        elif city:
            # A name of common words keeps its "for" or "of" ("Institute for Cancer Research",
            # Philadelphia, is not the "Institute of Cancer Research", London); at one town the
            # two spellings are one: "The Center for / of Clinical Research", Winston-Salem.
            key = _FOR.sub(" of ", key)
        return f"{key} in {city}/{region}/{country}"

    @classmethod
    def load(cls, path: str | Path) -> OrgIndex:
        """Read a mapping file: CSV, or TSV when it ends in .tsv/.tab or its header has a tab.

        The header names a ``name`` (normalised with :func:`org_key`) or ``key`` (used as is)
        column, and an ``id`` column: a ROR id (``05f82e368`` or ``https://ror.org/...``) or any
        absolute IRI. Lines starting with ``#`` and blank lines are skipped.

        Raises:
            InputError: the file is unreadable, a row is malformed, or a key maps to two targets.
        """
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the organisation mapping: {exc}", file=source) from exc
        return cls.parse(text, source=source, tabs=Path(path).suffix.lower() in {".tsv", ".tab"})

    @classmethod
    def parse(cls, text: str, *, source: str = "<mapping>", tabs: bool | None = None) -> OrgIndex:
        """Read a mapping from text (see :meth:`load`)."""
        lines = [
            (n, line)
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if not lines:
            return cls()
        if tabs is None:
            tabs = "\t" in lines[0][1]
        rows = csv.reader(
            io.StringIO("\n".join(line for _, line in lines)), delimiter="\t" if tabs else ","
        )
        numbers = iter(n for n, _ in lines)
        header = [h.strip().lower() for h in next(rows)]
        header_line = next(numbers)
        name_col = next((h for h in _NAME_COLUMNS if h in header), None)
        target_col = next((h for h in _TARGET_COLUMNS if h in header), None)
        if name_col is None or target_col is None:
            raise InputError(
                "the header needs a 'name' (or 'key') column and an 'id' column",
                file=source,
                record=f"line {header_line}",
            )
        entries: dict[str, OrgTarget] = {}
        for line, row in zip(numbers, rows, strict=True):
            cell = dict(zip(header, (c.strip() for c in row), strict=False))
            where = {"file": source, "record": f"line {line}"}
            name, value = cell.get(name_col, ""), cell.get(target_col, "")
            if not name or not value:
                raise InputError("a row needs a name and an id", **where, field=target_col)
            key = name if name_col == "key" else org_key(name)
            target = _target(value)
            if target is None:
                raise InputError(
                    f"not a ROR id or an absolute IRI: {value!r}", **where, field=target_col
                )
            if entries.setdefault(key, target) != target:
                raise InputError(f"{name!r} is already mapped elsewhere", **where, field=name_col)
        return cls(entries)

    def unused(self, used: Iterable[str]) -> list[str]:
        """Return the mapped keys not in ``used`` (the keys that named something), sorted.

        >>> OrgIndex({"cnrs": OrgTarget(ror="02feahw73"), "x": OrgTarget(iri="urn:x")}).unused(
        ...     ["cnrs"])
        ['x']
        """
        seen = set(used)
        return sorted(k for k in self._entries if k not in seen)

    def items(self) -> Iterator[tuple[str, OrgTarget]]:
        """Yield every (key, target) pair, sorted by key."""
        yield from sorted(self._entries.items())


def _target(value: str) -> OrgTarget | None:
    ror = parse_ror(value)
    if ror is not None:
        return OrgTarget(ror=ror)
    if _ROR.match(value) or "ror.org/" in value.lower():
        return None  # a ROR id whose checksum fails: a typo, not an IRI
    return OrgTarget(iri=value) if _ABSOLUTE_IRI.match(value) else None
