"""Split eligibility criteria text into one string per top-level inclusion / exclusion bullet.

The registry writes criteria as Markdown: a heading line ("Inclusion Criteria:"), then bullets that
nest by indentation. Web pages render the same list without indentation, so a nested bullet can only
be told from its parent by the parent's trailing colon ("has received:") and by conjunctions that
chain siblings (", OR").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["split_criteria", "unescape_markdown"]

_HEADING = re.compile(
    r"^\s*(?:[#*_]+\s*)?(inclusion|exclusion)\s+criteria\b\s*[:*_]*\s*(.*)$", re.I
)
_BULLET = re.compile(r"^(\s*)(?:[*\-+•·▪◦]|\d{1,3}[.)]|[a-zA-Z][.)](?=\s))\s+(.*)$")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=])")
# A sibling ending like this continues the list its parent opened ("within 3 months, OR").
_CHAINS = re.compile(r"(?:,|;|\b(?:or|and|and/or))\s*$", re.I)


def unescape_markdown(text: str) -> str:
    r"""Remove Markdown backslash escapes (the registry writes ``\>`` for ``>``).

    >>> unescape_markdown(r"baseline \> 40 mm")
    'baseline > 40 mm'
    """
    return _MD_ESCAPE.sub(r"\1", text)


@dataclass(slots=True)
class _Item:
    text: str
    indent: int
    children: list[str]

    def render(self) -> str:
        return "\n".join([self.text, *(f"- {c}" for c in self.children)])


def _items(lines: list[str]) -> list[str]:
    """Group one section's lines into top-level items with their nested bullets."""
    items: list[_Item] = []
    base: int | None = None
    open_group = False  # the last top-level item ends with ':' and takes flat children
    label_group = False  # ... and is a plain line ("Smokers:"): it takes every bullet that follows
    for raw in lines:
        if not raw.strip():
            continue
        m = _BULLET.match(raw)
        indent = len(m.group(1).expandtabs(4)) if m else len(raw) - len(raw.lstrip())
        text = unescape_markdown((m.group(2) if m else raw).strip())
        if not text:
            continue
        if not m and items and not open_group and base is not None and indent > base:
            items[-1].text += " " + text  # a wrapped continuation line of the bullet above
            continue
        if base is None:
            base = indent
        if items and indent > base:
            items[-1].children.append(text)
            open_group = False
            continue
        if items and open_group and m:
            items[-1].children.append(text)
            open_group = label_group or bool(_CHAINS.search(text))
            continue
        items.append(_Item(text, indent, []))
        open_group = text.endswith(":")
        label_group = open_group and not m
    return [i.render() for i in items]


def split_criteria(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    r"""Return the (inclusion, exclusion) top-level criteria of a criteria text.

    Text before the first heading, or text without headings, is not split: nothing is invented.

    >>> split_criteria("Inclusion Criteria:\n* adults\n* consent\nExclusion Criteria:\n* pregnancy")
    (('adults', 'consent'), ('pregnancy',))
    """
    if not text:
        return (), ()
    sections: dict[str, list[str]] = {"inclusion": [], "exclusion": []}
    current: list[str] | None = None
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m and not _BULLET.match(line):
            current = sections[m.group(1).lower()]
            if m.group(2).strip():
                current.append(m.group(2))
            continue
        if current is not None:
            current.append(line)
    return tuple(_items(sections["inclusion"])), tuple(_items(sections["exclusion"]))
