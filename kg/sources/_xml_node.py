"""Read legacy XML elements: a node that knows its path, dates, text blocks and label tables.

Shared by the readers of :mod:`kg.sources.ctgov_xml`: getters read an absent or blank element as
None, a label outside its table is an InputError naming the element's path, never a guess.
"""

from __future__ import annotations

import calendar
import re
import textwrap
from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from lxml import etree

from kg import model
from kg.errors import InputError

__all__ = ["Node", "code", "parse_date", "spelled", "textblock"]

_DATE = re.compile(r"([A-Z][a-z]+)\s+(?:(\d{1,2}),\s*)?(\d{4})")
# Text blocks are cut at 99 columns (the longest line in the shared files); a line that would not
# have fit on the line above was cut from it, unless it starts a list item.
_WIDTH = 99
_ITEM = re.compile(r"\s*(?:[-*•]|\d{1,3}[.)])\s")
_MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
_T = TypeVar("_T")
_NOTHING = etree.Element("nothing")  # stands for an absent element: finds nothing, has no text

_E = TypeVar("_E", bound=Enum)


def spelled(enum: type[_E], *labels: str) -> dict[str, _E]:
    """Map labels to the codes they spell in capitals ("Active, not recruiting" -> ACTIVE_NOT_...).

    >>> spelled(model.ArmType, "No Intervention")
    {'No Intervention': <ArmType.NO_INTERVENTION: 'NO_INTERVENTION'>}
    """
    return {label: enum[re.sub(r"[^A-Z0-9]+", "_", label.upper())] for label in labels}


_DATE_TYPES = spelled(model.DateType, "Actual", "Estimated") | {
    "Anticipated": model.DateType.ESTIMATED,
    "Estimate": model.DateType.ESTIMATED,
}


def code(table: Mapping[str, _T], value: str, field: str) -> _T:
    """Return the code of a label, or raise InputError naming the field."""
    try:
        return table[value]
    except KeyError:
        raise InputError(f"unknown value {value!r}", field=field) from None


def parse_date(text: str) -> model.PartialDate:
    """Parse a legacy date ("March 2019", "March 15, 2019"); raise ValueError on anything else.

    >>> parse_date("March 15, 2019").iso(), parse_date("June 2000").iso()
    ('2019-03-15', '2000-06')
    """
    m = _DATE.fullmatch(text.strip())
    if not m or m.group(1) not in _MONTHS:
        raise ValueError(f"not a date: {text!r}")
    month, day = _MONTHS[m.group(1)], m.group(2)
    iso = f"{m.group(3)}-{month:02d}" + (f"-{int(day):02d}" if day else "")
    return model.PartialDate.parse(iso)


def textblock(text: str) -> str:
    r"""Undo the XML's wrapping at 99 columns and its indentation of a text block.

    >>> textblock("\n    Some\n    lines\r\n\r\n    -  a\n    b")
    'Some\nlines\n\n-  a\nb'
    >>> [len(line) for line in textblock("\n  " + "a" * 96 + "\n  cut here\n").splitlines()]
    [105]
    """
    lines: list[str] = []
    last = ""  # the previous line as written, before it was joined to another
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        word = line.split(maxsplit=1)[0] if line.strip() else ""
        wrapped = len(last.rstrip()) + 1 + len(word) > _WIDTH and not _ITEM.match(line)
        if word and last.strip() and wrapped and _indent(line) >= _indent(last):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line.rstrip())
        last = line
    return textwrap.dedent("\n".join(lines)).strip()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


class Node:
    """An element and its XML path; getters read absent or blank elements as None."""

    __slots__ = ("_el", "path")

    def __init__(self, el: etree._Element, path: str = "") -> None:
        self._el = el
        self.path = path

    def at(self, tag: str) -> str:
        """Return the path of a child element."""
        return f"{self.path}/{tag}" if self.path else tag

    def node(self, tag: str) -> Node:
        found = self._el.find(tag)
        return Node(_NOTHING if found is None else found, self.at(tag))

    def nodes(self, tag: str) -> list[Node]:
        return [Node(el, f"{self.at(tag)}[{i}]") for i, el in enumerate(self._el.findall(tag), 1)]

    def has(self, tag: str) -> bool:
        return self._el.find(tag) is not None

    def text(self, tag: str) -> str | None:
        found = self._el.find(tag)
        return None if found is None else _own_text(found)

    def texts(self, tag: str) -> tuple[str, ...]:
        return tuple(t for t in (_own_text(el) for el in self._el.findall(tag)) if t)

    def block(self, tag: str) -> str | None:
        found = self._el.find(f"{tag}/textblock")
        text = None if found is None else _own_text(found, strip=False)
        return textblock(text) or None if text else None

    def code(self, table: Mapping[str, _T], tag: str) -> _T | None:
        text = self.text(tag)
        return None if text is None else code(table, text, self.at(tag))

    def date(self, tag: str) -> model.PartialDate | None:
        text = self.text(tag)
        if text is None:
            return None
        try:
            return parse_date(text)
        except ValueError:
            raise InputError(f"malformed date {text!r}", field=self.at(tag)) from None

    def date_type(self, tag: str) -> model.DateType | None:
        label = self.node(tag)._el.get("type")
        return None if label is None else code(_DATE_TYPES, label, f"{self.at(tag)}/@type")

    def count(self, tag: str) -> int | None:
        text = self.text(tag)
        if text is None:
            return None
        if not text.isascii() or not text.isdigit():
            raise InputError(f"expected an integer, got {text!r}", field=self.at(tag))
        return int(text)


def _own_text(el: etree._Element, *, strip: bool = True) -> str | None:
    """Return an element's text, stripped; unexpanded entity references are left out."""
    text = el.text or ""
    if len(el):  # comments or entity references inside: keep the text around them
        text += "".join(child.tail or "" for child in el)
    return (text.strip() if strip else text) or None
