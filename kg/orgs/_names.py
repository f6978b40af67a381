"""Organisation names: the key that decides which spellings are one organisation.

:func:`org_key` folds case, accents, punctuation, common abbreviations in several languages
("Univ.", "Hôpital", "CHU", "AP-HP", "St."), legal suffixes ("Co., Ltd.", "GmbH", "S.A.S"), an
acronym that only repeats the name ("... Studien (IZKS)"), sponsors' site numbers ("( Site 0302)")
and word order ("University Hospital, Montpellier" / "Montpellier University Hospital"), because the
key is the sorted bag of the name's canonical words.

Precision comes first: two distinct organisations must never share a key because they share a city
or a word. So the key keeps every word that can tell organisations apart: a city after a comma
("University of California, San Francisco" is not "..., Los Angeles"), a campus or department, a
word like "Hospital" ("Nagoya University" is not "Nagoya University Hospital"). Word order is kept
where it is the only difference: names made only of common words ("Institute of Cancer Research" is
not "Cancer Research Institute") and a few known pairs ("University of Washington" is not
"Washington University"). Names are not unique across places, so a facility is keyed by its name
at its place (:meth:`kg.orgs.OrgIndex.node_key`), a sponsor by its name alone; a name that many
towns share ("St. Mary's Medical Center", "Memorial Hospital": :func:`needs_place`) needs its city.
tests/test_orgs.py measures all this on a labelled sample of names from real records
(tests/fixtures/org_sample.tsv).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from kg.orgs._rules import abbreviates_within, drop_parent, fold_kinds
from kg.orgs._rules import proper as _proper
from kg.orgs._typos import Corrector
from kg.orgs._vocab import (
    _ARTICLES,
    _CANON,
    _CARE,
    _COMMON,
    _COUNTRIES,
    _DIRECTIONS,
    _GENERIC,
    _LEGAL,
    _LEGAL_STRONG,
    _LEGAL_WEAK,
    _NETWORK_TAGS,
    _ORDER_MATTERS,
    _PER_TOWN,
    _PREPOSITION,
    _RESEARCH,
    _ROLES,
    _STOP,
)

__all__ = ["Analysis", "analyse", "is_placeholder", "is_research_company", "needs_place", "org_key"]


# --- text clean-up, compiled once ----------------------------------------------------------------
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "\u0131": "i",
        "þ": "th",
        "\u2019": "'",
        "\u2018": "'",
        "`": "'",
        "\u00b4": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\uff0c": ",",
    }
)  # dotless i, curly quotes, acute accent, en and em dashes, fullwidth comma
_PHRASES = [
    (re.compile(p, re.I), r)
    for p, r in (
        (r"\bs/s\b", " SS "),
        (r"\bassistance\s+publique\W+h[oô]pitaux\s+de\s+paris\b", " APHP "),
        (r"\bassistance\s+publique\W+h[oô]pitaux\s+de\s+marseille\b", " APHM "),
        (r"\ba\.?\s?p\.?\s?-\s?h\.?\s?p\b\.?", " APHP "),
        (r"\bcentre\s+hospitalier\s+(?:r[eé]gional\s+(?:et\s+)?)?universitaire\b", " CHU "),
        (r"\bazienda\s+ospedalier[oa]\W+universitari[ao]\b", " AOU "),
        (r"\bazienda\s+ospedaliera\b", " ospedale "),
        (
            r"\buc\s+(?=(?:san diego|davis|irvine|los angeles|san francisco|berkeley|santa cruz|"
            r"riverside|santa barbara|merced)\b)",
            " university of california ",
        ),
        (r"\bucsf\b", " university of california san francisco "),
        (r"\bucla\b", " university of california los angeles "),
        (r"\bucsd\b", " university of california san diego "),
    )
]
_PHRASE_HINT = re.compile(r"assistance|\bap\b|\ba\.p|hospitalier|azienda|\buc|s/s")  # lowercase
_SITE_CODE = re.compile(
    r"\(\s*site\s*(?:number|no\.?|#)?\s*[:#]?\s*\d[\w-]*\s*\)"
    r"|/\s*id\s*#\s*\d+"
    r"|\W*\bsite\s*(?:number|no\.?|#)\s*:?\s*\d[\w-]*",
    re.I,
)
_PLACEHOLDER = re.compile(
    r"^(?:(?:gsk|sb|novartis|novo nordisk|pfizer|astrazeneca|sanofi|bayer|lilly|msd|merck|roche|"
    r"janssen|abbvie|bms|takeda|amgen|woebot|boehringer ingelheim|local)\s+)?"
    r"(?:research|investigational|investigative|investigator|study|clinical(?: research)?|"
    r"clinical trial)?\s*(?:site|center|centre|institution|facility)\b"
    r"(?:\s*(?:number|no\.?|nr|#)?\s*[:#-]?\s*[\w-]*\d[\w-]*)?$"
    r"|^ct-?\d+ study cent(?:er|re)$"
    r"|^(?:\S+\s+){0,3}investigat\w*\s+(?:site|cent(?:er|re))\b",
    re.I,
)
_PAREN = re.compile(r"\(([^()]*)\)")
_POSSESSIVE = re.compile(r"(?<=\w)\s?'\s?[sS]\b|(?<=\w\w) s\b(?![.\w])")
_APOSTROPHE = re.compile(r"(?<=\w)\?(?=\w)")
# A legal form joined to a site's town by a bare hyphen ("Oncology PC-Elkhart") ends the name part,
# as it does when spaced ("Oncology PC - Elkhart").
_LEGAL_HYPHEN = re.compile(r"\b((?:p\.?\s?[ac]|llc|pllc|llp|inc|ltd)\.?)-(?=\w)", re.I)
_SEPARATOR = re.compile(r"\s*[,;|/]\s*|\s+-+\s*|\s*-+\s+|\s+at\s+", re.I)
_TOKEN = re.compile(r"[^\W_]+")
_AMPERSAND = re.compile(r"(?<=[^\W\d_]{2})\s*&\s*(?=[^\W\d_]{2})")


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    if text.isascii():
        return text.replace("`", "'")
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_LETTERS)))


def is_placeholder(name: str) -> bool:
    """Tell whether a facility name is a sponsor's anonymous stand-in, not an organisation.

    Such names ("Research Site", "Local Institution - 007-928-H", "GSK Investigational Site")
    stand for many different places: they must not become one organisation node.

    >>> is_placeholder("Investigational Site Number : 2760003")
    True
    >>> is_placeholder("Northeast Clinical Research Center")
    False
    """
    return bool(_PLACEHOLDER.match(_fold(name).strip()))


class _Token(NamedTuple):
    word: str  # folded lowercase
    caps: bool  # all capitals in the source (an acronym candidate)


def _tokens(text: str) -> list[_Token]:
    raw = _TOKEN.findall(text)
    if all(len(word) > 1 for word in raw):
        return [_Token(word.lower(), word.isupper()) for word in raw]
    out: list[_Token] = []
    run: list[str] = []
    for word in [*raw, ""]:  # join runs of single letters: "M.D." / "M D" -> "md", "S.A.S" -> "sas"
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) > 1:
            joined = "".join(run)
            out.append(_Token(joined.lower(), joined.isupper()))
        elif run:
            out.append(_Token(run[0].lower(), False))
        run = []
        if word:
            out.append(_Token(word.lower(), len(word) > 1 and word.isupper()))
    return out


def _abbreviates(acronym: str, words: list[str], *, strict: bool = False) -> bool:
    """Tell whether ``acronym`` is made of the leading letters of ``words`` (one may be skipped).

    With ``strict`` each word gives at most its initial ("ICESP": Instituto do Cancer do Estado
    de Sao Paulo); otherwise a word may give a longer prefix ("FMABC": Faculdade de Medicina do
    ABC).
    """
    if not 2 <= len(acronym) <= 12 or not words:
        return False
    longest = 1 if strict else 12

    @functools.cache
    def match(i: int, j: int, skipped: int) -> bool:
        if i == len(acronym):
            # Long acronyms may name only the head: "IDOR", Instituto D'Or (de Pesquisa e Ensino).
            rest = [w for w in words[j:] if w not in _STOP]
            return len(acronym) >= 3 or skipped + len(rest) <= 1
        if j == len(words):
            return False
        word = words[j]
        if word in _STOP and match(i, j + 1, skipped):
            return True
        if word not in _STOP and j > 0 and skipped == 0 and match(i, j + 1, 1):
            return True
        n = 0
        while n < min(len(word), longest) and i + n < len(acronym) and word[n] == acronym[i + n]:
            n += 1
            if match(i + n, j + 1, skipped):
                return True
        return False

    return match(0, 0, 0)


def _drop_acronyms(parts: list[list[_Token]]) -> list[list[_Token]]:
    """Drop a part, or a first or last word, that only abbreviates the rest of the name."""

    def rest(skip: _Token) -> list[str]:
        return [t.word for p in parts for t in p if t is not skip]

    kept = [
        p
        for p in parts
        if not (
            len(parts) > 1
            and len(p) == 1
            and _abbreviates(p[0].word, rest(p[0]), strict=not p[0].caps)
        )
    ]
    if len(kept) == 1 and len(kept[0]) > 2:
        only = kept[0]
        for edge in (only[-1], only[0]):
            if edge.caps and len(edge.word) >= 3:
                words = rest(edge)
                if _abbreviates(edge.word, words) or abbreviates_within(edge.word, words):
                    return [[t for t in only if t is not edge]]
    return kept


# Dutch, German and Scandinavian names write "hospital" into one word with the name
# ("Hagaziekenhuis", "HagaZiekenhuis"): split it off, as the spaced spelling has it.
_COMPOUND = re.compile(r"^([a-z]{3,}?)(ziekenhuis|krankenhaus|sjukhuset|sjukhus|sykehus|sygehus)$")


# A German adjective is declined, not renamed: "Konventhospital der Barmherzigen Brüder" is the
# "Konventhospital Barmherzige Brüder", "Evangelisches" the "Evangelische" (Krankenhaus).
_GERMAN_ADJECTIVE = re.compile(r"^(\w+(?:isch|ig|lich))(?:e|en|er|es|em)$")
_FIX = Corrector([*_CANON, *(w for ws in _CANON.values() for w in ws), *_GENERIC])


def _canonical(tokens: list[_Token]) -> list[str]:
    words: list[str] = []
    for t in tokens:
        if t.word not in _CANON and (m := _COMPOUND.match(t.word)):
            words.extend((m.group(1), *_CANON[m.group(2)]))
        else:
            word = _FIX(t.word)
            canon = _CANON.get(word)
            if (
                canon is None
                and len(word) >= 7
                and ("isch" in word or "ig" in word or "lich" in word)
            ):
                if m := _GERMAN_ADJECTIVE.match(word):
                    canon = (m.group(1),)
            words.extend(canon or (word,))
    return words


def _strip_legal(words: list[str]) -> list[str]:
    words = [w for w in words if w not in _LEGAL_STRONG] or words
    end = len(words)  # a weak form closes the part, maybe with a "de" inside: "S.A. de C.V."
    while end > 1 and (words[end - 1] in _LEGAL_WEAK or words[end - 1] in _STOP):
        end -= 1
    while end < len(words) and words[end] in _STOP:
        end += 1
    if 0 < end < len(words) and words[end - 1] != "and":
        return words[:end]
    return words


def org_key(name: str) -> str:
    """Return the key under which organisation names are one organisation.

    >>> org_key("University Hospital, Montpellier") == org_key("CHU de Montpellier")
    True
    >>> org_key("Montpellier University Hospital")
    'montpellier hospital university'
    >>> org_key("Université Montpellier") == org_key("Montpellier University Hospital")
    False
    """
    return analyse(name).key


class Analysis(NamedTuple):
    """What a facility's node depends on: the name's key and the scope of its place."""

    key: str  # org_key
    common: bool  # needs_place: keyed at its town
    research: bool  # is_research_company: one across US states


@functools.lru_cache(maxsize=1 << 17)
def analyse(name: str) -> Analysis:
    """Return the key of a name, whether it needs its town, whether it is a research company's."""
    text = _fold(name)
    if is_placeholder(text):  # its code is all that tells one anonymous site from another
        return Analysis(" ".join(t.word for t in _tokens(text)), True, False)
    low = text.lower()  # cheap tests first: most names need none of the rewrites below
    if "site" in low or "#" in low:
        text = _SITE_CODE.sub(" ", text)
    if "?" in text:
        text = _APOSTROPHE.sub("'", text)
    if "'" in text or " s" in low:
        text = _POSSESSIVE.sub("s", text)
    if "&" in text:  # "Hospital & Research Institute"; "D&H", "C & R" are initials
        text = _AMPERSAND.sub(" and ", text)
    text = _drop_paren_acronyms(text.replace('"', " ").replace("+", " and "))
    if "-" in text:
        text = _LEGAL_HYPHEN.sub(r"\1 - ", text)
    if _PHRASE_HINT.search(low):
        for pattern, replacement in _PHRASES:
            text = pattern.sub(replacement, text)
    parts = [[t for t in _tokens(p) if t.word not in _NETWORK_TAGS] for p in _SEPARATOR.split(text)]
    parts = [p for p in parts if p]
    parts = [p for p in parts if not all(t.word in _ROLES for t in p)] or parts
    parts = _drop_acronyms(parts)
    parts = drop_parent(parts)
    # Italian research hospitals are foundations by law and name it first or not at all:
    # "Fondazione Policlinico Universitario A. Gemelli" is "Policlinico Universitario A. Gemelli".
    if parts and parts[0][0].word == "fondazione" and sum(map(len, parts)) > 2:
        parts = [p for p in (parts[0][1:], *parts[1:]) if p]
    raw = [t.word for p in parts for t in p if t.word not in _LEGAL]
    canon = [_canonical(p) for p in parts]
    # "Linkou Branch" names the branch by "Linkou", as "Linkou Chang Gung Memorial Hospital" does.
    canon = [[w for w in p if w != "branch"] if _proper(p) else p for p in canon]
    # Legal forms close a part ("Texas Oncology, P.A. - Dallas"); a part that is only one goes.
    canon = [p for p in (_strip_legal(p) for p in canon) if not all(w in _LEGAL for w in p)]
    # A trailing country goes when the rest still names something ("..., France"), never from a
    # name made of common words ("National Cancer Center, Japan").
    while len(canon) > 1 and " ".join(w for w in canon[-1] if w not in _STOP) in _COUNTRIES:
        if not _proper(w for p in canon[:-1] for w in p):
            break
        last = _strip_legal(canon[-2])
        canon = [*canon[:-2], last] if last else canon[:-2]
    # A closing part of proper words the name already holds repeats its town ("Shanghai
    # Pulmonary Hospital, Shanghai, China"): it tells nothing apart.
    while (
        len(canon) > 1
        and (tail := _proper(canon[-1]))
        and len(tail) == len([w for w in canon[-1] if w not in _STOP])
    ):
        if not set(tail) <= {w for p in canon[:-1] for w in p}:
            break
        canon = canon[:-1]
    key, common = _assemble(fold_kinds([w for p in canon for w in p]), raw)
    research = False
    if "research" in key or "investigation" in key or "trials" in key:  # cheap test first
        words = set(key.split())
        research = bool(words & _RESEARCH) and not words & _CARE
    return Analysis(key, common or key in _PER_TOWN, research)


def _drop_paren_acronyms(text: str) -> str:
    """Drop a parenthesis that only abbreviates the name or tags a site network; keep any other."""
    if "(" not in text:
        return text
    outside = [t.word for t in _tokens(_PAREN.sub(" ", text))]
    named = bool(_proper(w for word in outside for w in _CANON.get(word, (word,))))

    def paren(m: re.Match[str]) -> str:
        inner = _tokens(m.group(1))
        joined = "".join(t.word for t in inner)
        if (
            inner
            and (len(inner) == 1 or all(t.caps for t in inner))
            and (joined in _NETWORK_TAGS or _abbreviates(joined, outside))
        ):
            return " "
        # A closing bracketed capitals-only word is the name's own short form, even when its
        # letters follow another word order or language ("(KUCC)", "(PGIMER)", "(NIMS)"), unless
        # the rest is only kind words and it does not abbreviate their end: "Cancer Institute
        # (WIA)" is not any "Cancer Institute", "... Health Clinical Center (CC)" is itself.
        closing = m.end() == len(text.rstrip())
        if closing and len(inner) == 1 and inner[0].caps and 2 <= len(joined) <= 8:
            if named or any(_abbreviates(joined, outside[k:]) for k in range(len(outside))):
                return " "
        return f" {m.group(1)} "

    return _PAREN.sub(paren, text).replace("(", " ").replace(")", " ")


def _assemble(words: list[str], raw: list[str]) -> tuple[str, bool]:
    """Make the key: the sorted bag of words, or the words in order where order tells apart."""
    content = [w for w in words if w not in _STOP]
    proper = _proper(content)
    common = all(w in _COMMON or w in _DIRECTIONS for w in proper)
    if not proper:
        # Only common words: keep the source's own words, order and "of" ("Instituto Nacional del
        # Cancer", Chile, is not "Instituto Nacional de Cancer", Brazil); drop articles.
        kept = [_PREPOSITION.get(w, w) for w in raw if w not in _ARTICLES]
        return " ".join(kept or raw or words), True
    if tuple(sorted(proper)) in _ORDER_MATTERS and "university" in content:
        return " ".join(content), common
    bag: list[str] = []
    for i, word in enumerate(content):
        if word in _DIRECTIONS and i + 1 < len(content) and content[i + 1] in proper:
            continue  # joined to the next word below: "North Florida" is not "Florida - North"
        if i > 0 and content[i - 1] in _DIRECTIONS and word in proper:
            word = f"{content[i - 1]}_{word}"
        bag.append(word)
    named = sorted(w for w in bag if w not in _GENERIC)
    return " ".join(named + sorted({w for w in bag if w in _GENERIC})), common


def is_research_company(name: str) -> bool:
    """Tell whether a name is a clinical research company's, whose sites are in many states.

    "Revival Research Institute, LLC" (Michigan and Texas), "Alliance for Multispecialty
    Research" (eleven states), "Clinical Investigation Specialists" (Illinois and Wisconsin) run
    sites under one name across the United States: such a name says research and no hospital,
    university or other place of care, whose research arm stays with it ("Children's Hospital
    Research Institute"), nor an anonymous "Research Site".

    >>> is_research_company("Qualmedica Research, LLC"), is_research_company("Mayo Clinic Research")
    (True, False)
    """
    return analyse(name).research


def needs_place(name: str) -> bool:
    """Tell whether a name is too common to stand for one organisation without its place.

    A sponsor's anonymous site, a name of common words only ("Memorial Hospital", "University
    Hospital") or of words that many places share ("St. Mary's Medical Center") is not one
    organisation across the registry; where a site gives its city, that city is part of the key.

    >>> needs_place("St. Mary's Medical Center"), needs_place("Seoul St. Mary's Hospital")
    (True, False)
    """
    return analyse(name).common
