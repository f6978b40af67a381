"""Places as the registry writes them: ISO country codes, and the key that tells two places apart.

A facility is one organisation only at one place (kg.orgs), so the place key must say when two
spellings are one city ("Taipei" / "Taipei City", "Roma" / "Rome", "Paris Cedex 12" / "Paris",
"Saint Louis" / "St Louis", "Cheng Du" / "Chengdu", "Korea, Republic of" / "South Korea") and never
join two cities. It folds case, accents, punctuation and spaces, drops what only qualifies a city (a
"City", "County", "-shi", "-si", "-ku" or "-gu" suffix, a postal "Cedex", a district number, a
bracketed province, a "Ciudad Autónoma de" prefix, a state after a comma or slash) and writes a few
cities by their English names. Districts and suburbs stay themselves ("Chuo-ku" is not "Tokyo": many
cities have one), unless the city follows the ward ("Kita-ku, Tokyo", "Ilsandong-gu, Goyang-si"): a
site the registry places in two neighbouring towns is two places.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

import pycountry

__all__ = ["COUNTRY_ALIASES", "Place", "city_key", "country_code", "parse_place", "place_key"]

# Country names ClinicalTrials.gov uses that pycountry's lookup does not know.
COUNTRY_ALIASES = {
    "turkey": "TR",
    "turkey (turkiye)": "TR",
    "turkey (türkiye)": "TR",
    "russia": "RU",
    "palestinian territory, occupied": "PS",
    "macedonia, the former yugoslav republic of": "MK",
    "korea, republic of": "KR",
    "south korea": "KR",
    "korea, democratic people's republic of": "KP",
    "iran, islamic republic of": "IR",
    "taiwan": "TW",
    "congo, the democratic republic of the": "CD",
    "kosovo": "XK",
    "former serbia and montenegro": "CS",
    "czech republic": "CZ",
    "swaziland": "SZ",
    "cape verde": "CV",
    "micronesia, federated states of": "FM",
}


@functools.lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code of a country name as the registry writes it.

    >>> country_code("France"), country_code("Korea, Republic of"), country_code("Atlantis")
    ('FR', 'KR', None)
    """
    key = name.strip().casefold()
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        found = pycountry.countries.lookup(name.strip())
    except LookupError:
        return None
    return str(found.alpha_2)


# Local names of cities the shared records also write in English (joined, folded).
_ENGLISH = {
    "roma": "rome", "milano": "milan", "napoli": "naples", "torino": "turin",
    "firenze": "florence", "genova": "genoa", "venezia": "venice", "padova": "padua",
    "bruxelles": "brussels", "brussel": "brussels", "antwerpen": "antwerp", "gent": "ghent",
    "wien": "vienna", "praha": "prague", "warszawa": "warsaw", "krakow": "cracow",
    "munchen": "munich", "koln": "cologne", "lisboa": "lisbon", "sevilla": "seville",
    "athina": "athens", "kobenhavn": "copenhagen", "goteborg": "gothenburg", "berne": "bern",
    "denhaag": "thehague", "sgravenhage": "thehague", "moskva": "moscow",
    "sanktpeterburg": "saintpetersburg", "bucuresti": "bucharest", "beograd": "belgrade",
    "kyiv": "kiev", "bombay": "mumbai", "madras": "chennai", "calcutta": "kolkata",
    "bangalore": "bengaluru", "gurgaon": "gurugram", "cochin": "kochi", "quebeccity": "quebec",
    "mexicocity": "mexico", "cdmx": "mexico", "trivandrum": "thiruvananthapuram",
    "pusan": "busan", "newdelhi": "delhi", "palmademallorca": "palma", "telavivyafo": "telaviv",
    "foxboro": "foxborough", "donostia": "sansebastian", "sp": "saopaulo",
    "salvadordebahia": "salvador",
}  # fmt: skip
# Words that qualify a city rather than name it ("Taipei City", "Nagoya-shi", "Suwon-si",
# "Lyon Cedex 08", "Washington D.C.").
_QUALIFIERS = frozenset({"city", "shi", "si", "ku", "gu", "county", "dist", "cedex", "dc"})
_PREFIXES = re.compile(r"^(?:ciudad autonoma de|ciudad autonoma|ciudad de|city of|the)\s+")
_SHORT = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_WARD = re.compile(r"\w-(?:gu|ku)\s*$")  # a Korean or Japanese city's ward, written before it
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z]+|[0-9]+")


_LETTERS = str.maketrans({"\u0131": "i", "\u0142": "l", "\u0153": "oe", "\u00e6": "ae",
                          "\u00df": "ss", "\u00f8": "o", "\u0111": "d"})  # fmt: skip


def _fold(text: str) -> str:
    if text.isascii():  # nothing to translate or decompose: the common case, and the cheap one
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@functools.lru_cache(maxsize=1 << 15)
def city_key(city: str) -> str:
    """Return the key of a city name: one city, however the registry spells it.

    >>> city_key("Taipei City") == city_key("Taipei"), city_key("Paris Cedex 12")
    (True, 'paris')
    >>> city_key("Cheng Du") == city_key("Chengdu"), city_key("St Louis") == city_key("Saint Louis")
    (True, True)
    >>> city_key("Roma") == city_key("Rome"), city_key("Chuo-ku") == city_key("Tokyo")
    (True, False)
    >>> city_key("Kita-ku, Tokyo") == city_key("Tokyo"), city_key("Ilsandong-gu, Goyang-si")
    (True, 'goyang')
    """
    text = _BRACKETS.sub(" ", _fold(city))
    parts = re.split(r"[,/]", text)  # "Salvador, Bahia", "Salvador/BA": the city comes first,
    ward = len(parts) > 1 and _WARD.search(parts[0])  # but after a ward: "Kita-ku, Tokyo"
    text = parts[1] if ward else parts[0]
    text = _PREFIXES.sub("", " ".join(_WORD.findall(text)))
    words = [_SHORT.get(w, w) for w in text.split() if not w.isdigit()]
    words = [w for w in words if w not in _QUALIFIERS and not w.startswith("cedex")] or words
    joined = "".join(words)
    return _ENGLISH.get(joined, joined)


class Place(NamedTuple):
    """A place as keys compare it: the city's key, a US state's key, the country's code."""

    city: str
    region: str
    country: str


@functools.lru_cache(maxsize=1 << 15)
def parse_place(place: str) -> Place:
    """Read a place written "city, country" or "city, state, country" (the country last).

    The state is kept for the United States only, where the registry writes it always and
    always alike; elsewhere regions are free text that varies from record to record.

    >>> parse_place("Springfield, Illinois, United States")
    Place(city='springfield', region='illinois', country='us')
    >>> parse_place("Seoul, Korea, Republic of") == parse_place("Seoul, , South Korea")
    True
    """
    parts = [p.strip() for p in place.split(",")]
    for n in range(1, len(parts) + 1):  # the country may hold commas ("Korea, Republic of")
        code = country_code(", ".join(parts[-n:]))
        if code is not None:
            head = parts[:-n]
            break
    else:
        code, head = None, parts[:-1] if len(parts) > 1 else parts
    country = code.lower() if code else re.sub(r"[^a-z0-9]+", "", _fold(parts[-1]))
    city = city_key(", ".join(head[:2]) if code != "US" else head[0]) if head and head[0] else ""
    region = ""
    if code == "US" and len(head) > 1:
        region = "".join(_WORD.findall(_fold(head[-1])))
    return Place(city, region, country)


def place_key(place: str) -> str:
    """Return the key of a place: "city/state/country", the state for the United States only.

    >>> place_key("Pécs,  Hungary") == place_key("Pecs, HU")
    True
    >>> place_key("Seoul, Korea, Republic of") == place_key("Seoul, South Korea")
    True
    """
    return "/".join(parse_place(place))
