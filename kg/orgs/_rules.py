"""Folds of organisation names that other spellings say otherwise (issue 14, second pass).

Used by :func:`kg.orgs.org_key` (:mod:`kg.orgs._names`): a parent's hospital group after a name of
its own, the kind words a name may add or leave out ("Comprehensive", "... Hospital and
Institute", and "University" beside "Hospital" where a site meets its trial's sponsors), and
acronyms that take letters from inside compound words. Each is pinned in
tests/test_org_recall.py with the names that made it and the look-alikes it keeps apart.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kg.orgs._vocab import _CANON, _GENERIC, _STOP

if TYPE_CHECKING:
    from kg.orgs._names import _Token

__all__ = ["abbreviates_within", "drop_parent", "fold_kinds", "proper", "without_university"]


def proper(words: Iterable[str]) -> list[str]:
    return [w for w in words if w not in _GENERIC and w not in _STOP]


def abbreviates_within(acronym: str, words: list[str]) -> bool:
    """Tell whether every word gives its initial and maybe later letters of it, in order.

    Compound words give letters from inside: "KSGR" is KantonsSpital GRaubunden.
    """
    named = [w for w in words if w not in _STOP]
    if not 3 <= len(acronym) <= 8 or not named or len(named) > len(acronym):
        return False

    @functools.cache
    def match(i: int, j: int) -> bool:  # acronym[i:] from named[j:]
        if j == len(named):
            return i == len(acronym)
        word = named[j]
        if i == len(acronym) or acronym[i] != word[0]:
            return False
        at, end = 1, i + 1
        while True:
            if match(end, j + 1):
                return True
            found = word.find(acronym[end], at) if end < len(acronym) else -1
            if found < 0:
                return False
            at, end = found + 1, end + 1

    return match(0, 0)


_GROUP = frozenset({"grupo", "group", "groupe", "gruppo", "groep"})


def drop_parent(parts: list[list[_Token]]) -> list[list[_Token]]:
    """Drop a closing part that names the site's hospital group, after a name of its own.

    The group ("Hospital Universitari Dexeus - Grupo Quironsalud") said after a name that has a
    word of its own tells nothing apart: the site is the same one without it. After a name of
    kind words only ("Hospital General - Grupo Angeles") it stays: it is all that names the site.
    """
    last = parts[-1] if len(parts) > 1 else []
    if len(last) < 2 or last[0].word not in _GROUP:
        return parts
    rest = [w for p in parts[:-1] for t in p for w in _CANON.get(t.word, (t.word,))]
    return parts[:-1] if proper(rest) else parts


_FOLDED = frozenset({"faculty", "hospital", "comprehensive"})
_HOSPITAL_AND_INSTITUTE = re.compile(
    r"\bhospital and (?:research )?institute\b|\binstitute and hospital\b"
)


def fold_kinds(words: list[str]) -> list[str]:
    """Fold the kind words that a name's other spellings say otherwise, or not at all.

    "Faculty of Medicine" is the "Medical Faculty" (Tip Fakultesi). A cancer center is one with
    or without its "Comprehensive" (the NCI's grade: "VCU Massey Comprehensive Cancer Center"), as
    a hospital named with its own institute ("Sichuan Cancer Hospital and Institute", "... Cancer
    Institute and Hospital") is the hospital; an institute alone ("Sichuan Cancer Institute") is
    not. A name of kind words only ("Comprehensive Cancer Center") keeps all its words. A
    hospital's "University" is kept here: see :func:`without_university`.
    """
    if _FOLDED.isdisjoint(words):
        return words
    if "faculty" in words:
        words = ["medical" if w == "medicine" else w for w in words]
    hospital = "hospital" in words
    if not (hospital or "comprehensive" in words) or not proper(words):
        return words
    if hospital and "institute" in words:
        words = _HOSPITAL_AND_INSTITUTE.sub("hospital", " ".join(words)).split()
    return [w for w in words if w != "comprehensive"]


def without_university(key: str) -> str:
    """Return a hospital's key without "University", where a site meets its trial's sponsors.

    A hospital that a name of its own calls a university hospital is the same hospital without
    the word ("Hospital Universitari Parc Tauli" / "Hospital Parc Tauli", "CHU Saint Antoine" /
    "Hopital Saint Antoine") in one trial, where the sponsor is named one way and its site the
    other. Not in a key: a key is scoped by country, and two hospitals of one country may share
    the rest of a name ("Hospital Arnau de Vilanova", Valencia, and "Hospital Universitari Arnau
    de Vilanova", Lleida). A university is not its hospital ("Nagoya University" keeps its word);
    a name of kind words only ("University Hospital") keeps all its words.

    >>> without_university("montpellier hospital university")
    'montpellier hospital'
    >>> without_university("hospital university"), without_university("nagoya university")
    ('hospital university', 'nagoya university')
    """
    if "university" not in key or "hospital" not in key:  # cheap test first
        return key
    words = key.split()
    if "hospital" not in words or not proper(words):
        return key
    return " ".join(w for w in words if w != "university")
