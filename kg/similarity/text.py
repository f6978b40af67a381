"""Text terms (content words and word pairs) and eligibility age bands of trial features."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

__all__ = ["age_bands", "fold", "text_terms"]


_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more most
    my no nor not now of off on once only or other our ours out over own same she should so some
    such than that the their theirs them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    versus vs via per within without among whether either neither non due using use used based
    study studies trial trials clinical patient patients subject subjects participant participants
    people individual individuals investigate investigation evaluate evaluation evaluating assess
    assessment assessing compare comparing comparison determine effect effects efficacy safety
    effectiveness purpose aim aims objective objectives primary secondary outcome outcomes result
    results group groups arm arms randomized randomised controlled control open label phase pilot
    single double blind blinded multicenter multicentre center centre prospective retrospective
    observational interventional treatment treat treated therapy therapies receive received
    versus year years month months week weeks day days one two three four first second new well
    may might must shall include including included investigator investigators sponsor
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")
_NCT = re.compile(r"^nct\d{8}$")


def fold(text: str) -> str:
    """Return a text lower-cased, without accents.

    >>> fold("Lésion DISCALE")
    'lesion discale'
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _content(word: str) -> str | None:
    if word in _STOPWORDS or _NCT.match(word) or word.isdigit():
        return None
    if len(word) < 3 and not (any(c.isdigit() for c in word) and any(c.isalpha() for c in word)):
        return None
    stem = _stem(word)
    return None if stem in _STOPWORDS else stem


def text_terms(text: str) -> list[str]:
    """Return the content words of a text and the bigrams of adjacent content words.

    Case, accents and plural "s" do not matter; stopwords, numbers and NCT ids are dropped.

    >>> text_terms("Intradiscal Injection of BM-MSCs in Chronic Low Back Pain (NCT03737461)")
    ['intradiscal', 'injection', 'msc', 'chronic', 'low', 'back', 'pain', 'intradiscal injection', \
'chronic low', 'low back', 'back pain']
    """
    words = [_content(w) for w in _WORD.findall(fold(text))]
    unigrams = [w for w in words if w]
    bigrams = [f"{a} {b}" for a, b in itertools.pairwise(words) if a and b]
    return list(dict.fromkeys(unigrams + bigrams))


# --- eligibility ------------------------------------------------------------------------------

_BANDS = (("child", Decimal(0), Decimal(18)), ("adult", Decimal(18), Decimal(65)),
          ("older adult", Decimal(65), Decimal(1000)))
_STD_AGE = {"CHILD": "child", "ADULT": "adult", "OLDER_ADULT": "older adult"}


def age_bands(
    minimum: Decimal | None, maximum: Decimal | None, std_ages: Iterable[str] = ()
) -> list[str]:
    """Return the age bands (child < 18, adult 18-64, older adult 65+) an eligibility range meets.

    The registry's own age groups are used when the range gives no number.

    >>> age_bands(Decimal(18), Decimal(60))
    ['adult']
    >>> age_bands(None, None, ["ADULT", "OLDER_ADULT"])
    ['adult', 'older adult']
    >>> age_bands(Decimal(12), None)
    ['child', 'adult', 'older adult']
    """
    if minimum is None and maximum is None:
        std = {_STD_AGE[s] for s in std_ages if s in _STD_AGE}
        return [name for name, _, _ in _BANDS if name in std]
    low = minimum if minimum is not None else Decimal(0)
    high = maximum if maximum is not None else Decimal(1000)
    return [name for name, start, end in _BANDS if low < end and high >= start]


