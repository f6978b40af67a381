"""Made-up words, texts and names for the synthetic registry: nothing here comes from a record.

Names are functions of a pool rank (and of the seed): the same organisation, facility or drug gets
the same name in every trial, and two ranks never share a name, since the name spells the rank in
a seeded alphabet of syllables. Running text is a slice of one corpus of pseudo-English sentences
made once per seed, so making a text costs a slice whatever its length.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from functools import lru_cache

__all__ = ["Lexicon"]

_ONSETS = "b c d f g h j k l m n p r s t v w z br cl dr fl gr pl pr st tr sh th ch".split()
_VOWELS = "a e i o u ai ea ie io ou".split()
_CODAS = ["", "", "", "n", "r", "s", "l", "x", "m", "nd", "st"]
_GIVEN = (
    "Anna Ben Chen Dana Eli Fatima Georg Hana Ivan Julia Kenji Lena Marco Nadia Omar Priya "
    "Quentin Rosa Sven Tomas Ursula Vera Wei Xavier Yusuf Zoe Amara Bruno Chloe Diego Elif Farid "
    "Grace Hugo Ines Jonas Kofi Laila Mateo Noor Oskar Paula Rafael Sara Tariq Uma Victor Wanda"
).split()
# Rare characters as real summaries have them (about 3 per 10,000 characters: "®", "≥", accents),
# and the odd double quote and backslash, so that output escaping is exercised.
_HASHED = 1 << 24
_RARE = ["≥", "®", "±", "µg", "°C", "é", "ü", "™", '"', "\\", "\u2013"]


class Lexicon:
    """Words, texts and names derived from one seed."""

    def __init__(self, seed: int, corpus_chars: int = 400_000) -> None:
        rng = random.Random(f"kg-synth-lexicon:{seed}")  # noqa: S311 - test data, not secrets
        syllables = sorted({o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS})
        rng.shuffle(syllables)
        self._syllables = syllables[:256]
        self._seed = seed
        self.words = sorted({self._spell(rng.randrange(300, 60_000)).lower() for _ in range(6000)})
        rng.shuffle(self.words)
        self.corpus = self._corpus(rng, corpus_chars)
        self.name = lru_cache(maxsize=400_000)(self._name)

    def _spell(self, rank: int) -> str:
        """Spell a number as syllables: distinct numbers, distinct words."""
        out = []
        n = rank
        while True:
            n, digit = divmod(n, len(self._syllables))
            out.append(self._syllables[digit])
            if n == 0:
                break
        return "".join(reversed(out))

    def word(self, kind: str, rank: int) -> str:
        """Return the capitalised word that names ``rank`` in the pool ``kind``."""
        # Offsetting by a per-kind amount keeps the first ranks of two pools apart.
        offset = int.from_bytes(_digest(f"{self._seed}:{kind}")[:2], "big")
        if rank >= _HASHED:  # a rare name: hash it into 5 syllables rather than spell it out
            rank = _HASHED + int.from_bytes(_digest(f"{kind}:{rank}")[:5], "big")
        return self._spell(rank + offset).capitalize()

    def _corpus(self, rng: random.Random, size: int) -> str:
        # Zipf-like word frequencies, accumulated once (choices() would redo it per sentence).
        cumulative = list(itertools.accumulate(1 / (i + 5) for i in range(len(self.words))))
        sentences: list[str] = []
        total = 0
        while total < size:
            words = rng.choices(self.words, cum_weights=cumulative, k=rng.randint(6, 24))
            if rng.random() < 0.3:
                words.insert(
                    rng.randrange(len(words)), str(rng.choice([2, 5, 10, 12, 24, 48, 100]))
                )
            if rng.random() < 0.08:
                words.insert(rng.randrange(len(words)), rng.choice(_RARE))
            if rng.random() < 0.1:
                at = rng.randrange(len(words))
                words[at] = f"({words[at]})"
            sentence = " ".join(words).capitalize() + "."
            sentence += "\n\n" if rng.random() < 0.1 else " "
            sentences.append(sentence)
            total += len(sentence)
        return "".join(sentences)

    def text(self, rng: random.Random, length: int) -> str:
        """Return about ``length`` characters of running text, starting at a sentence."""
        if length <= 0:
            return ""
        corpus = self.corpus
        start = rng.randrange(max(len(corpus) - length - 200, 1))
        start = corpus.find(". ", start) + 2
        end = min(start + length, len(corpus))
        cut = corpus.rfind(" ", start, end)
        piece = corpus[start : cut if cut > start + length // 2 else end].strip()
        return (piece[:1].upper() + piece[1:]) or "Text."

    def title(self, rng: random.Random, length: int) -> str:
        """Return a one-line text of about ``length`` characters, without a final full stop."""
        return self.text(rng, length).replace("\n", " ").rstrip(".")

    def _name(self, kind: str, rank: int) -> str:
        h = _digest(f"{self._seed}:{kind}:{rank}")
        a = self.word(kind, rank)
        b = self.words[(h[0] * 256 + h[1]) % len(self.words)].capitalize()
        pattern = _PATTERNS.get(kind) or _PATTERNS.get(kind.split(":")[0]) or _PATTERNS["other"]
        return pattern[h[2] % len(pattern)].format(a=a, b=b, B=b.upper()[:4], g=_GIVEN[h[3] % 48])


@lru_cache(maxsize=65_536)
def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


# Name patterns by pool; {a} spells the rank (unique), {b} is a common word, {g} a given name.
_PATTERNS: dict[str, list[str]] = {
    "org:INDUSTRY": [
        "{a} Pharmaceuticals",
        "{a} Therapeutics, Inc.",
        "{a} {b} AG",
        "{a} Biosciences",
        "{a} Medical Ltd.",
        "{a} Pharma Co., Ltd.",
        "{a} Health GmbH",
    ],
    "org:NIH": ["National Institute of {a} and {b} ({B})", "National {a} Institute"],
    "org:FED": ["{a} Department of Health Affairs", "Centers for {a} {b}", "{a} Federal Agency"],
    "org:OTHER_GOV": ["Ministry of Health, {a}", "{a} Public Health Agency", "{a} Health Service"],
    "org:NETWORK": ["{a} {b} Study Group", "{a} Oncology Group", "{a} Trials Network"],
    "org:INDIV": ["{g} {a}"],
    "org:OTHER": [
        "University of {a}",
        "{a} University Hospital",
        "{a} Medical Center",
        "{a} Institute of {b}",
        "Hospital {a} {b}",
        "{a} Children's Hospital",
        "{a} Cancer Center",
        "Centre Hospitalier {a}",
    ],
    "facility": [
        "{a} General Hospital",
        "{a} University Hospital",
        "{a} Medical Center",
        "{a} Clinic",
        "{a} Cancer Institute",
        "Hospital {a}",
        "{a} Research Centre",
    ],
    "city": ["{a}", "{a}", "{a}", "San {a}", "{a}ville", "{a} City"],
    "condition": ["{a} Syndrome", "{a} Disease", "{a} Carcinoma", "{a} Disorder", "{a} Infection"],
    "keyword": ["{a}", "{a} {b}", "{a} score"],
    "intervention:DRUG": ["{a}mab", "{a}nib", "{a}vir", "{a}", "{a} tablets", "{a} {b}"],
    "intervention:BIOLOGICAL": ["{a} vaccine", "{a}cel", "anti-{a} antibody"],
    "intervention:DEVICE": ["{a} System", "{a} device", "{a} {b} monitor"],
    "intervention:PROCEDURE": ["{a} surgery", "{a} {b} procedure", "{a}ectomy"],
    "intervention:BEHAVIORAL": ["{a} program", "{a} {b} training", "{a} counselling"],
    "mesh": ["{a}", "{a} {b}", "{a} Diseases", "{a}, {b}"],
    "person": ["{g} {a}"],
    "journal": ["{a} {b} J", "J {a} Med", "{a} Res", "Ann {a}", "{a} Lancet"],
    "other": ["{a}", "{a} {b}"],
}
