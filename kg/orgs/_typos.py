"""Typing slips in the words that say what kind of organisation a name is.

A name misspells a kind word now and then ("The Univerrsity of Texas", "The First Afffiliated
Hospital"): the slip would make a second key for one organisation. :func:`correct` sends a word to
the one vocabulary word ("university", "affiliated") that it misses by one letter (one letter
added, dropped, or two neighbours swapped). Only long words (8 letters or more) on both sides are
compared, so short names and proper names ("Provena", "Mercy") are never changed; a changed
letter or an edit of the last two letters makes another word, not a slip ("Hepatology" is not
"Hematology", "Affiliates" not "Affiliated"); and a word that misses two vocabulary words by one
letter is kept as written.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

__all__ = ["Corrector"]

_MIN = 8  # letters: shorter words are too often real names a letter away from a kind word


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Tell whether ``a`` and ``b`` differ by one letter added, dropped or swapped, not at the end.

    A changed letter ("hepatology" / "hematology", "provence" / "province") and an edit in the
    last two letters ("nationales", "affiliates", "australia": inflections, other words) are not
    slips but other words.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if a == b or len(long) - len(short) > 1:
        return False
    i = next(i for i in range(len(long)) if i == len(short) or short[i] != long[i])
    if i >= len(short) - 2:
        return False
    if len(short) < len(long):
        return short[i:] == long[i + 1 :]
    return short[i] == long[i + 1] and short[i + 1] == long[i] and short[i + 2 :] == long[i + 2 :]


class Corrector:
    """Send a misspelt long word to the one vocabulary word it misses by one letter.

    >>> fix = Corrector(["university", "affiliated", "hospital"])
    >>> fix("univerrsity"), fix("afffiliated"), fix("hosiptal"), fix("hospitol")
    ('university', 'affiliated', 'hospital', 'hospitol')
    """

    __slots__ = ("_by_deletion", "_vocabulary", "correct")

    def __init__(self, vocabulary: Iterable[str]) -> None:
        """Index the long words of ``vocabulary`` by their one-letter deletions."""
        self._vocabulary = frozenset(w for w in vocabulary if len(w) >= _MIN)
        index: dict[str, set[str]] = {}
        for word in self._vocabulary:
            for key in {word, *_deletions(word)}:
                index.setdefault(key, set()).add(word)
        self._by_deletion: Mapping[str, frozenset[str]] = {
            k: frozenset(v) for k, v in index.items()
        }
        self.correct = functools.lru_cache(maxsize=1 << 14)(self._correct)

    def __call__(self, word: str) -> str:
        """Return the vocabulary word ``word`` misspells, or ``word`` itself."""
        if len(word) < _MIN or word in self._vocabulary:
            return word
        return self.correct(word)

    def _correct(self, word: str) -> str:
        candidates: set[str] = set()
        for key in {word, *_deletions(word)}:
            candidates.update(self._by_deletion.get(key, ()))
        found = [c for c in candidates if _one_edit(word, c)]
        return found[0] if len(found) == 1 else word
