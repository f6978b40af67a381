"""Registry codes of the results modules from the codes or the labels sources write.

The API v2 writes most coded fields as codes (``STANDARD_DEVIATION``) but an outcome measure's
``dispersionType`` as its label ("Standard Deviation"), and the legacy XML writes labels
everywhere ("Count of Participants", "2-Sided"). A label is spelled in capitals with ``_`` for the
rest ("Non-systematic Assessment" -> ``NON_SYSTEMATIC_ASSESSMENT``); the few that do not spell
their code are listed. Anything else is an error, never a guess.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import TypeVar

from kg.errors import InputError
from kg.model_results import AnalysisDispersionType, CiSides, DispersionType

__all__ = ["results_code"]

_E = TypeVar("_E", bound=Enum)
_NON_WORD = re.compile(r"[^A-Z0-9]+")
_CONFIDENCE = re.compile(r"(\d+(?:\.\d+)?)\s*% Confidence Interval", re.I)
_CONFIDENCE_LEVELS = {
    "80": DispersionType.CONFIDENCE_80,
    "90": DispersionType.CONFIDENCE_90,
    "95": DispersionType.CONFIDENCE_95,
    "97.5": DispersionType.CONFIDENCE_975,
    "99": DispersionType.CONFIDENCE_99,
}
_ALIASES: dict[type[Enum], dict[str, Enum]] = {
    DispersionType: {
        "GEOMETRIC_COEFFICIENT_OF_VARIATION": DispersionType.GEOMETRIC_COEFFICIENT,
        "OTHER_CONFIDENCE_INTERVAL_LEVEL": DispersionType.CONFIDENCE_OTHER,
        "NOT_APPLICABLE": DispersionType.NA,
    },
    AnalysisDispersionType: {
        "STANDARD_ERROR_OF_THE_MEAN": AnalysisDispersionType.STANDARD_ERROR_OF_MEAN,
    },
    CiSides: {"1_SIDED": CiSides.ONE_SIDED, "2_SIDED": CiSides.TWO_SIDED},
}


def results_code(enum: type[_E], text: str, field: str) -> _E:
    """Return the code a registry code or label stands for; raise InputError naming the field.

    >>> results_code(DispersionType, "95% Confidence Interval", "f").value
    'CONFIDENCE_95'
    >>> results_code(CiSides, "2-Sided", "f").value, results_code(CiSides, "TWO_SIDED", "f").value
    ('TWO_SIDED', 'TWO_SIDED')
    """
    spelled = _NON_WORD.sub("_", text.strip().upper()).strip("_")
    member = enum.__members__.get(spelled)
    if member is not None:
        return member
    alias = _ALIASES.get(enum, {}).get(spelled)
    if alias is not None:
        assert isinstance(alias, enum)  # noqa: S101 - the table is keyed by its own enum
        return alias
    if enum is DispersionType:
        m = _CONFIDENCE.fullmatch(text.strip())
        if m:
            level = _CONFIDENCE_LEVELS.get(m.group(1), DispersionType.CONFIDENCE_OTHER)
            assert isinstance(level, enum)  # noqa: S101
            return level
    raise InputError(f"unknown value {text!r}", field=field)
