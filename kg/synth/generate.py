"""Generate API v2 study objects from fitted parameters: seeded, any size, in constant memory.

Study ``i`` depends only on the seed, ``i`` and the parameters, so a registry of 1,000 studies is
the first 1,000 studies of a registry of 100,000. Names come from pools shared by all studies (one
organisation has one name and one agency class; one facility has one address and one position).
Identifiers are ``NCT9xxxxxxx``, a range the real registry has not reached, so synthetic records
never pass for real ones.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import itertools
import math
import random
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from kg.synth._dist import sample_rank, sample_spliced
from kg.synth._text import Lexicon
from kg.synth.observe import sites_bucket
from kg.synth.results import results_section

__all__ = ["FIRST_NCT", "Generator", "nct_id"]

FIRST_NCT = 90_000_000

Study = dict[str, Any]

_INTERVENTION_LABELS = {
    "DRUG": "Drug",
    "DEVICE": "Device",
    "BIOLOGICAL": "Biological",
    "PROCEDURE": "Procedure",
    "RADIATION": "Radiation",
    "BEHAVIORAL": "Behavioral",
    "GENETIC": "Genetic",
    "DIETARY_SUPPLEMENT": "Dietary Supplement",
    "COMBINATION_PRODUCT": "Combination Product",
    "DIAGNOSTIC_TEST": "Diagnostic Test",
    "OTHER": "Other",
}
# MeSH tree categories (a public vocabulary) for the browse modules.
_BRANCHES = [
    ("BC04", "Neoplasms"),
    ("BC23", "Symptoms and General Pathology"),
    ("BC10", "Nervous System Diseases"),
    ("BC14", "Heart and Blood Diseases"),
    ("BC01", "Infections"),
    ("BC18", "Nutritional and Metabolic Diseases"),
]
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_MESH_OFFSETS = {
    "condition_mesh": 0,
    "condition_ancestor": 600_000,
    "intervention_mesh": 300_000,
    "intervention_ancestor": 800_000,
}


def nct_id(index: int) -> str:
    """Return the NCT id of synthetic study ``index`` (0-based).

    >>> nct_id(0), nct_id(1234)
    ('NCT90000000', 'NCT90001234')
    """
    if not 0 <= index < 10_000_000:
        raise ValueError(f"synthetic study index out of range: {index}")
    return f"NCT{FIRST_NCT + index:08d}"


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


class Generator:
    """Make synthetic studies from fitted parameters and a seed."""

    def __init__(self, params: dict[str, Any], seed: int = 0) -> None:
        """Prepare the pools, the lexicon of the seed and the sampling tables."""
        self.params = params
        self.seed = seed
        self.lexicon = Lexicon(seed)
        self._s: dict[str, dict[str, Any]] = params["spliced"]
        self._c: dict[str, dict[str, int]] = params["codes"]
        self._p: dict[str, dict[str, Any]] = params["pools"]
        self._countries: dict[str, dict[str, float]] = params["countries"]
        self._facility = lru_cache(maxsize=300_000)(self._make_facility)
        self._city = lru_cache(maxsize=100_000)(self._make_city)
        # Cumulative weights once, so a draw is one bisection (sites draw four codes each).
        self._tables: dict[str, tuple[list[str], list[int]]] = {
            name: (list(weights), list(itertools.accumulate(weights.values())))
            for name, weights in self._c.items()
            if weights
        }

    def studies(self, n: int, start: int = 0) -> Iterator[Study]:
        """Yield studies ``start`` to ``start + n - 1``."""
        for i in range(start, start + n):
            yield self.study(i)

    def study(self, index: int) -> Study:
        """Return synthetic study ``index``."""
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 - test data, not secrets
        return _Study(self, rng, nct_id(index)).build()

    # Sampling helpers shared by the study builder.
    def count(self, name: str, rng: random.Random) -> int:
        """Draw a count per trial (or a length) from its fitted model."""
        model = self._s.get(name)
        return int(sample_spliced(model, rng)) if model else 0

    def code(self, name: str, rng: random.Random) -> str:
        """Draw a coded value (``""``: absent)."""
        table = self._tables.get(name)
        if table is None:
            return ""
        values, cumulative = table
        return values[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]

    def weight(self, name: str, value: str) -> int:
        """Return the observed weight of one coded value (1 when it was never seen)."""
        return self._c.get(name, {}).get(value, 1)

    def rank(self, pool: str, rng: random.Random) -> int:
        """Draw a name's rank in a pool."""
        return sample_rank(self._p[pool], rng)

    def facility(self, country: str, rank: int) -> dict[str, Any]:
        """Return the facility of ``rank`` in ``country``: always the same name and place."""
        return dict(self._facility(country, rank))

    def _make_facility(self, country: str, rank: int) -> tuple[tuple[str, Any], ...]:
        h = _hash(f"{self.seed}:facility:{country}:{rank}")
        # Cities are few and skewed: most facilities of a country sit in its first cities.
        city, state, lat, lon = self._city(country, 1 + int(2000 * ((h & 0xFFFF) / 0xFFFF) ** 3))
        entry: list[tuple[str, Any]] = [
            ("facility", self.lexicon.name(f"facility:{country}", rank)),
            ("city", city),
        ]
        if state is not None:
            entry.append(("state", state))
        entry.append(("zip", f"{(h >> 16) % 100000:05d}"))
        if lat is not None and lon is not None:
            lat = max(-89.9, min(89.9, lat + ((h >> 32) % 200 - 100) / 5000))
            lon = (lon + ((h >> 44) % 200 - 100) / 5000 + 180) % 360 - 180
            entry.append(("geoPoint", (round(lat, 5), round(lon, 5))))
        return tuple(entry)

    def _make_city(
        self, country: str, rank: int
    ) -> tuple[str, str | None, float | None, float | None]:
        """Return a city's name, state and centre: drawn around its country's fitted centre."""
        h = _hash(f"{self.seed}:city:{country}:{rank}")
        info = self._countries.get(country, {})
        state = None
        if (h & 0xFFFF) / 0xFFFF < info.get("state", 0.0):
            state = self.lexicon.name(f"state:{country}", 1 + (h >> 16) % 40)
        if "lat" not in info:
            return self.lexicon.name(f"city:{country}", rank), state, None, None
        lat = info["lat"] + info["sd_lat"] * _normal(h >> 20)
        lon = info["lon"] + info["sd_lon"] * _normal(h >> 40)
        return self.lexicon.name(f"city:{country}", rank), state, lat, lon

    def org(self, cls: str, rank: int) -> str:
        """Return the name of the organisation of ``rank`` in the pool of its agency class."""
        return self.lexicon.name(f"org:{cls}", rank)


def _normal(bits: int) -> float:
    """Return a standard normal value made from 40 bits (Box-Muller), clipped to 3 sigmas."""
    u1 = ((bits & 0xFFFFF) + 1) / 0x100001
    u2 = ((bits >> 20) & 0xFFFFF) / 0xFFFFF
    z = math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
    return max(-3.0, min(3.0, z))


def _day(d: datetime.date, precision: str) -> str:
    return d.isoformat()[:7] if precision == "7" else d.isoformat()


def _shift(d: datetime.date, days: int) -> datetime.date:
    try:
        return d + datetime.timedelta(days=days)
    except OverflowError:
        return d


class _Study:
    """Build one study: each part draws from the shared generator with this study's RNG."""

    def __init__(self, gen: Generator, rng: random.Random, nct: str) -> None:
        self.g = gen
        self.rng = rng
        self.nct = nct
        self.lex = gen.lexicon
        self.version = datetime.date(2025, 7, 7)  # the snapshot date; drawn in build()

    def text(self, name: str) -> str:
        return self.lex.text(self.rng, self.g.count(name, self.rng))

    def build(self) -> Study:
        g, rng = self.g, self.rng
        status = g.code("status", rng) or "COMPLETED"
        kind = g.code("study_type", rng) or "INTERVENTIONAL"
        has_results = g.code(f"has_results:{status}", rng) == "True"
        lead_class = g.code("lead_class", rng) or "OTHER"
        lead = g.org(lead_class, g.rank("sponsor", rng))
        self.version = datetime.date.fromisoformat(g.code("version_holder", rng) or "2025-07-07")
        protocol: Study = {
            "identificationModule": self.identification(lead, lead_class),
            "statusModule": self.status(status, has_results),
            "sponsorCollaboratorsModule": self.sponsors(lead, lead_class),
            "oversightModule": {"oversightHasDmc": rng.random() < 0.5},
            "descriptionModule": self.description(),
            "conditionsModule": self.conditions(),
            "designModule": self.design(kind),
        }
        arms = self.arms_interventions()
        if arms:
            protocol["armsInterventionsModule"] = arms
        protocol["outcomesModule"] = self.outcomes()
        protocol["eligibilityModule"] = self.eligibility()
        protocol["contactsLocationsModule"] = self.places(lead, lead_class)
        references = self.references()
        if references:
            protocol["referencesModule"] = {"references": references}
        study: Study = {"protocolSection": protocol}
        if has_results:
            study["resultsSection"] = self.results(max(g.count("results_bytes", rng), 2000))
        study["derivedSection"] = self.derived()
        study["hasResults"] = has_results
        return study

    def identification(self, lead: str, lead_class: str) -> Study:
        g, rng, lex = self.g, self.rng, self.lex
        out: Study = {
            "nctId": self.nct,
            "orgStudyIdInfo": {
                "id": f"{lex.words[rng.randrange(500)].upper()}-{rng.randrange(10**5)}"
            },
        }
        ids = []
        for _ in range(g.count("secondary_ids", rng)):
            item = {"id": f"{rng.randrange(10**4, 10**8)}-{lex.words[rng.randrange(100)]}"}
            kind = g.code("secondary_id_type", rng)
            if kind:
                item["type"] = kind
            ids.append(item)
        if ids:
            out["secondaryIdInfos"] = ids
        out["organization"] = {"fullName": lead, "class": lead_class}
        out["briefTitle"] = lex.title(rng, g.count("brief_title_chars", rng))
        official = g.count("official_title_chars", rng)
        if official:
            out["officialTitle"] = lex.title(rng, official)
        acronym = g.count("acronym_chars", rng)
        if acronym:
            out["acronym"] = lex.words[rng.randrange(2000)][:acronym].upper()
        return out

    def status(self, status: str, has_results: bool) -> Study:
        g, rng = self.g, self.rng
        version = self.version
        year = int(g.code("start_year", rng) or 2015)
        precision = g.code("start_precision", rng) or "10"
        start = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        primary = _shift(start, g.count("days_start_to_primary", rng))
        completion = _shift(primary, max(g.count("days_primary_to_completion", rng), 0))
        first = min(_shift(start, g.count("days_start_to_first_post", rng)), version)
        update = min(_shift(first, max(g.count("days_first_post_to_update", rng), 0)), version)
        out: Study = {
            "statusVerifiedDate": update.isoformat()[:7],
            "overallStatus": status,
            "expandedAccessInfo": {"hasExpandedAccess": False},
            "startDateStruct": _struct(_day(start, precision), g.code("start_type", rng)),
            "primaryCompletionDateStruct": _struct(
                _day(primary, precision), g.code("primary_completion_type", rng)
            ),
            "completionDateStruct": _struct(
                _day(completion, precision), g.code("primary_completion_type", rng)
            ),
            "studyFirstSubmitDate": first.isoformat(),
            "studyFirstSubmitQcDate": first.isoformat(),
            "studyFirstPostDateStruct": {"date": first.isoformat(), "type": "ACTUAL"},
        }
        if has_results:
            posted = min(_shift(completion, 365), version)
            out["resultsFirstSubmitDate"] = posted.isoformat()
            out["resultsFirstPostDateStruct"] = {"date": posted.isoformat(), "type": "ACTUAL"}
        out["lastUpdateSubmitDate"] = update.isoformat()
        out["lastUpdatePostDateStruct"] = {"date": update.isoformat(), "type": "ACTUAL"}
        return out

    def sponsors(self, lead: str, lead_class: str) -> Study:
        g, rng = self.g, self.rng
        out: Study = {
            "responsibleParty": {"type": g.code("responsible_party", rng) or "SPONSOR"},
            "leadSponsor": {"name": lead, "class": lead_class},
        }
        seen = {lead}
        collaborators = []
        for _ in range(g.count("collaborators", rng)):
            cls = g.code("collaborator_class", rng) or "OTHER"
            name = g.org(cls, g.rank("sponsor", rng))
            if name not in seen:
                seen.add(name)
                collaborators.append({"name": name, "class": cls})
        if collaborators:
            out["collaborators"] = collaborators
        return out

    def description(self) -> Study:
        out: Study = {"briefSummary": self.text("brief_summary_chars") or "Summary."}
        detailed = self.text("detailed_description_chars")
        if detailed:
            out["detailedDescription"] = detailed
        return out

    def conditions(self) -> Study:
        g, rng, lex = self.g, self.rng, self.lex
        names = [
            lex.name("condition", g.rank("condition", rng))
            for _ in range(g.count("conditions", rng))
        ]
        out: Study = {"conditions": list(dict.fromkeys(names)) or [lex.name("condition", 1)]}
        keywords = [
            lex.name("keyword", g.rank("keyword", rng)) for _ in range(g.count("keywords", rng))
        ]
        if keywords:
            out["keywords"] = list(dict.fromkeys(keywords))
        return out

    def design(self, kind: str) -> Study:
        g, rng = self.g, self.rng
        out: Study = {"studyType": kind}
        info: Study = {}
        if kind == "INTERVENTIONAL":
            phases = g.code(f"phases:{kind}", rng)
            if phases:
                out["phases"] = phases.split("/")
            for key, code in (
                ("allocation", "allocation"),
                ("interventionModel", "intervention_model"),
                ("primaryPurpose", "primary_purpose"),
            ):
                value = g.code(f"{code}:{kind}", rng)
                if value:
                    info[key] = value
            masking = g.code(f"masking:{kind}", rng)
            if masking:
                info["maskingInfo"] = {"masking": masking}
        else:
            for key, code in (
                ("observationalModel", "observational_model"),
                ("timePerspective", "time_perspective"),
            ):
                value = g.code(f"{code}:{kind}", rng)
                if value:
                    info[key] = value
        if info:
            out["designInfo"] = info
        enrollment: Study = {"count": g.count("enrollment", rng)}
        kind_code = g.code("enrollment_type", rng)
        if kind_code:
            enrollment["type"] = kind_code
        out["enrollmentInfo"] = enrollment
        return out

    def arms_interventions(self) -> Study:
        g, rng, lex = self.g, self.rng, self.lex
        n_arms = g.count("arms", rng)
        labels = [f"Arm {chr(65 + i)}: {lex.title(rng, rng.randint(8, 40))}" for i in range(n_arms)]
        arm_interventions: list[list[str]] = [[] for _ in labels]
        interventions = []
        for j in range(g.count("interventions", rng)):
            kind = g.code("intervention_type", rng) or "OTHER"
            name = lex.name(f"intervention:{kind}", g.rank("intervention", rng))
            item: Study = {"type": kind, "name": name}
            description = self.text("intervention_description_chars")
            if description:
                item["description"] = description
            if labels:
                chosen = {j % len(labels)}
                if rng.random() < 0.3:
                    chosen.add(rng.randrange(len(labels)))
                item["armGroupLabels"] = [labels[a] for a in sorted(chosen)]
                for a in chosen:
                    arm_interventions[a].append(
                        f"{_INTERVENTION_LABELS.get(kind, 'Other')}: {name}"
                    )
            others = g.count("intervention_other_names", rng)
            if others:
                item["otherNames"] = [
                    f"{name}-{lex.words[rng.randrange(3000)]}" for _ in range(others)
                ]
            interventions.append(item)
        out: Study = {}
        if labels:
            arms = []
            for label, names in zip(labels, arm_interventions, strict=True):
                arm: Study = {"label": label}
                arm_type = g.code("arm_type", rng)
                if arm_type:
                    arm["type"] = arm_type
                description = self.text("arm_description_chars")
                if description:
                    arm["description"] = description
                if names:
                    arm["interventionNames"] = names
                arms.append(arm)
            out["armGroups"] = arms
        if interventions:
            out["interventions"] = interventions
        return out

    def outcomes(self) -> Study:
        out: Study = {}
        for key, name in (
            ("primaryOutcomes", "primary_outcomes"),
            ("secondaryOutcomes", "secondary_outcomes"),
            ("otherOutcomes", "other_outcomes"),
        ):
            items = []
            for _ in range(self.g.count(name, self.rng)):
                item: Study = {
                    "measure": self.lex.title(
                        self.rng, self.g.count("outcome_measure_chars", self.rng)
                    )
                }
                description = self.text("outcome_description_chars")
                if description:
                    item["description"] = description
                item["timeFrame"] = self.lex.title(
                    self.rng, self.g.count("outcome_time_frame_chars", self.rng)
                )
                items.append(item)
            if items:
                out[key] = items
        return out

    def eligibility(self) -> Study:
        g, rng, lex = self.g, self.rng, self.lex
        length = g.count("eligibility_chars", rng)
        n_in, n_ex = g.count("inclusion_criteria", rng), g.count("exclusion_criteria", rng)
        if n_in + n_ex == 0:
            criteria = lex.text(rng, length)
        else:
            each = max((length - 45) // (n_in + n_ex) - 3, 12)
            parts = []
            for heading, n in (("Inclusion Criteria", n_in), ("Exclusion Criteria", n_ex)):
                if n:
                    bullets = (
                        "* " + lex.title(rng, int(each * rng.uniform(0.4, 1.6))).replace(":", ",")
                        for _ in range(n)
                    )
                    parts.append(f"{heading}:\n\n" + "\n".join(bullets))
            criteria = "\n\n".join(parts)
        out: Study = {"eligibilityCriteria": criteria}
        healthy = g.code("healthy_volunteers", rng)
        if healthy:
            out["healthyVolunteers"] = healthy == "True"
        out["sex"] = g.code("sex", rng) or "ALL"
        for key, code in (("minimumAge", "minimum_age"), ("maximumAge", "maximum_age")):
            value = g.code(code, rng)
            if value:
                out[key] = value
        ages = g.code("std_ages", rng)
        if ages:
            out["stdAges"] = ages.split("/")
        return out

    def person(self) -> tuple[str, str]:
        """Return a person's name and the e-mail it would have."""
        name = self.lex.name("person", self.g.rank("person", self.rng))
        return name, name.lower().replace(" ", ".") + "@example.org"

    def contact(self) -> Study:
        name, email = self.person()
        return {
            "name": name,
            "role": "CONTACT",
            "phone": f"555-{self.rng.randrange(10**4):04d}",
            "email": email,
        }

    def places(self, lead: str, lead_class: str) -> Study:
        g, rng = self.g, self.rng
        out: Study = {}
        contacts = [self.contact() for _ in range(g.count("central_contacts", rng))]
        if contacts:
            out["centralContacts"] = contacts
        officials = []
        for _ in range(g.count("officials", rng)):
            name, _ = self.person()
            degrees = g.code("official_degrees", rng)
            affiliation = (
                lead
                if g.code("official_affiliation_is_lead", rng) == "True"
                else g.org("OTHER", g.rank("sponsor", rng))
            )
            item: Study = {
                "name": f"{name}, {degrees}" if degrees else name,
                "affiliation": affiliation,
            }
            role = g.code("official_role", rng)
            if role:
                item["role"] = role
            officials.append(item)
        if officials:
            out["overallOfficials"] = officials
        locations = self.locations(lead, lead_class)
        if locations:
            out["locations"] = locations
        return out

    def locations(self, lead: str, lead_class: str) -> list[Study]:
        g, rng = self.g, self.rng
        n = g.count("sites", rng)
        if n == 0:
            return []
        wanted = min(max(g.count(f"countries:{sites_bucket(n)}", rng), 1), n)
        countries: list[str] = []
        for _ in range(wanted * 4):
            country = g.code("trial_country", rng)
            if country and country not in countries:
                countries.append(country)
            if len(countries) == wanted:
                break
        countries = countries or ["United States"]
        cumulative = list(itertools.accumulate(g.weight("trial_country", c) for c in countries))
        generic = g.code(f"generic_sites:{lead_class == 'INDUSTRY'}", rng) == "True"
        generic_name = (
            "Research Site" if rng.random() < 0.6 else f"{lead.split()[0]} Investigational Site"
        )
        out = []
        for i in range(n):
            if i < len(countries):
                country = countries[i]
            else:
                at = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
                country = countries[at]
            place = g.facility(country, g.rank("facility", rng))
            if generic:
                place["facility"] = generic_name
            site: Study = {"facility": place["facility"]}
            status = g.code("site_status", rng)
            if status:
                site["status"] = status
            site["city"] = place["city"]
            if "state" in place:
                site["state"] = place["state"]
            if g.code("site_has_zip", rng) == "True":
                site["zip"] = place["zip"]
            site["country"] = country
            contacts = int(g.code("site_contacts", rng) or 0)
            if contacts:
                site["contacts"] = [self.contact() for _ in range(contacts)]
            if "geoPoint" in place and g.code("site_has_geo", rng) == "True":
                lat, lon = place["geoPoint"]
                site["geoPoint"] = {"lat": lat, "lon": lon}
            out.append(site)
        return out

    def references(self) -> list[Study]:
        g, rng = self.g, self.rng
        out = []
        for _ in range(g.count("references", rng)):
            ref: Study = {}
            pmid = g.code("reference_has_pmid", rng) == "True"
            if pmid:
                ref["pmid"] = str(10_000_000 + rng.randrange(30_000_000))
            ref["type"] = g.code("reference_type", rng) or "BACKGROUND"
            ref["citation"] = self.citation(g.count("citation_chars", rng), ref.get("pmid"))
            out.append(ref)
        return out

    def citation(self, length: int, pmid: str | None) -> str:
        g, rng, lex = self.g, self.rng, self.lex
        authors = []
        for _ in range(rng.randint(1, 6)):
            family = lex.name("person", g.rank("person", rng)).split()[-1]
            authors.append(f"{family} {chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}")
        journal = lex.name("journal", 1 + int(rng.paretovariate(1.2)))
        year = rng.randint(1985, 2025)
        first_page = rng.randint(1, 2000)
        source = (
            f"{journal}. {year} {_MONTHS[rng.randrange(12)]};{rng.randint(1, 120)}"
            f"({rng.randint(1, 12)}):{first_page}-{first_page + rng.randint(2, 15)}."
        )
        prefix = rng.randint(1000, 9999)  # drawn before the word: the order fixes the output
        doi = f" doi: 10.{prefix}/{lex.words[rng.randrange(3000)]}.{year}.{first_page}."
        head = ", ".join(authors) + ". "
        room = length - len(head) - len(source) - len(doi) - 2
        title = lex.title(rng, max(room, 20)).replace(". ", ", ")
        return f"{head}{title}. {source}{doi}"

    def derived(self) -> Study:
        g, rng = self.g, self.rng
        out: Study = {"miscInfoModule": {"versionHolder": self.version.isoformat()}}
        for kind in ("condition", "intervention"):
            meshes = self.mesh_terms(f"{kind}_mesh", g.count(f"{kind}_meshes", rng))
            ancestors = self.mesh_terms(f"{kind}_ancestor", g.count(f"{kind}_ancestors", rng))
            if not meshes and not ancestors:
                continue
            leaves = [
                {"id": f"M{int(m['id'][1:]) % 10**5}", "name": m["term"], "relevance": rel}
                for terms, rel in ((meshes, "HIGH"), (ancestors, "LOW"))
                for m in terms
            ]
            branches = rng.sample(_BRANCHES, rng.randint(1, 3))
            out[f"{kind}BrowseModule"] = {
                "meshes": meshes,
                "ancestors": ancestors,
                "browseLeaves": leaves,
                "browseBranches": [{"abbrev": a, "name": n} for a, n in branches],
            }
        return out

    def mesh_terms(self, pool: str, n: int) -> list[Study]:
        out: dict[str, Study] = {}
        for _ in range(n):
            rank = self.g.rank(pool, self.rng)
            offset = _MESH_OFFSETS[pool]
            mesh = (
                f"D{offset + rank:06d}"
                if rank < 200_000
                else f"C{_hash(f'{pool}:{rank}') % 10**9:09d}"
            )
            out[mesh] = {"id": mesh, "term": self.lex.name(f"mesh:{pool}", rank)}
        return list(out.values())

    def results(self, size: int) -> Study:
        """Return a results section of about ``size`` bytes once written with indent 2."""
        return results_section(size, self.rng, self.lex)


def _struct(date: str, kind: str) -> Study:
    return {"date": date, "type": kind} if kind else {"date": date}
