"""Lines of a trial web page: the page being read (what errors and warnings name), and shapes.

A rendering of the page may use labels the reader has never seen; these helpers tell a value by its
shape (an age, a sex code, yes/no), a heading-like line from a criterion, and the date field an
unknown label names. See :mod:`kg.sources.web_page`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from kg import model
from kg.errors import InputError
from kg.model import PartialDate

__all__ = ["AGE", "YES_NO", "E", "Page", "date_named", "has", "take_tail"]

AGE = re.compile(r"\d+(?:\.\d+)?\s+(?:year|month|week|day|hour|minute)s?", re.I)
YES_NO = {"yes": True, "no": False}
E = TypeVar("E", bound=Enum)
log = logging.getLogger("kg.sources.web_page")


@dataclass(frozen=True, slots=True)
class Page:
    """The page being read: what its errors name."""

    name: str
    nct_id: str | None

    def error(self, field: str, message: str) -> InputError:
        return InputError(message, file=self.name, record=self.nct_id, field=field)

    def code(self, enum: type[E], value: str, field: str) -> E:
        try:
            return enum(value.strip())
        except ValueError:
            raise self.error(field, f"unknown value {value.strip()!r}") from None

    def date(self, value: str | None, field: str) -> PartialDate | None:
        try:
            return PartialDate.parse(value) if value else None
        except ValueError:
            raise self.error(field, f"not a date: {value!r}") from None

    def get(self, enum: type[E], values: dict[str, str], key: str, section: str) -> E | None:
        return self.code(enum, values[key], f"{section}.{key}") if key in values else None

    def skip(self, section: str, line: str, why: str = "unknown label or value") -> None:
        """Log a line left out: a label never seen, or a value of no known shape."""
        log.warning("%s: %s: %s: %s %r skipped", self.name, self.nct_id, section, why, line)


def date_named(label: str) -> str | None:
    """Return the date field an unknown label names, if any.

    >>> date_named("Study Start Date"), date_named("Study Completion Date")
    ('start_date', 'completion_date')
    >>> date_named("Primary Completion (Estimated)"), date_named("First Posted")
    ('primary_completion_date', None)
    """
    words = set(re.findall(r"[a-z]+", label.casefold()))
    if "start" in words:
        return "start_date"
    if "completion" in words:
        return "primary_completion_date" if "primary" in words else "completion_date"
    return None


def has(enum: type[Enum], value: str) -> bool:
    return any(value == m.value for m in enum)


def _bare_value(line: str) -> bool:
    return bool(AGE.fullmatch(line)) or has(model.Sex, line) or line.casefold() in YES_NO


def take_tail(page: Page, rest: list[str], *, labelled_layout: bool) -> list[str]:
    """Take the bare values ("18 Years", "ALL", "No") off the end of the criteria lines.

    A heading-like line right above one of them is its unknown label, skipped with a warning, when
    the section also has known labels or the line above the label is a value too. Each value has at
    most one label, so a short criterion written without a bullet above a labelled value stays.
    """
    tail: list[str] = []
    took_value = False
    while rest and len(tail) < 4:
        above = rest[-2] if len(rest) > 1 else ""
        if _bare_value(rest[-1]):
            tail.insert(0, rest.pop())
            took_value = True
        elif took_value and _label_like(rest[-1]) and (labelled_layout or _bare_value(above)):
            page.skip("Eligibility Criteria", rest.pop())
            took_value = False
        else:
            break
    if rest and took_value and labelled_layout and _label_like(rest[-1]):
        page.skip("Eligibility Criteria", rest.pop())  # the label of the topmost of four values
    return tail


def _label_like(line: str) -> bool:
    """Tell a short heading-like line (a label) from a criterion; criteria headings excluded.

    >>> _label_like("Accepts Healthy Volunteers"), _label_like("* Pregnancy")
    (True, False)
    >>> _label_like("Exclusion Criteria"), _label_like("Able to walk 100 m.")
    (False, False)
    """
    return (
        len(line.split()) <= 5
        and line[:1].isalpha()
        and line[:1].isupper()
        and line[-1:] not in ".;:,)"
        and "criteri" not in line.casefold()
    )
