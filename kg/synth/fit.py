"""Fit the generator's parameters on real API v2 records, and read or write them as JSON.

The parameters are aggregate statistics only (quantiles, code frequencies, pool laws, per-country
centres): no record, name or text is kept. ``kg synth fit ../shared/data/ctgov`` regenerates the
committed ``params.json``.
"""

from __future__ import annotations

import datetime
import json
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from kg.errors import InputError
from kg.synth._dist import fit_categorical, fit_pool, fit_spliced
from kg.synth.observe import Observations

__all__ = [
    "DEFAULT_PARAMS",
    "find_records",
    "fit_params",
    "load_params",
    "read_studies",
    "save_params",
]

DEFAULT_PARAMS = Path(__file__).with_name("params.json")

Params = dict[str, Any]

# Heavy-tailed counts get a Pareto tail above their top 5%, so that a large registry has trials
# beyond the largest one in the sample (the registry's biggest trials list thousands of sites).
_TAILS: dict[str, tuple[float, float | None]] = {
    "sites": (0.05, 5000.0),
    "enrollment": (0.05, None),
}
_SPLICED = """
    sites countries countries:1 countries:2-9 countries:10-49 countries:50-199 countries:200+
    collaborators conditions keywords secondary_ids arms interventions intervention_other_names
    primary_outcomes secondary_outcomes other_outcomes officials central_contacts references
    enrollment inclusion_criteria exclusion_criteria condition_meshes condition_ancestors
    intervention_meshes intervention_ancestors brief_title_chars official_title_chars
    acronym_chars brief_summary_chars detailed_description_chars eligibility_chars
    arm_description_chars intervention_description_chars outcome_measure_chars
    outcome_description_chars outcome_time_frame_chars citation_chars results_bytes
    days_start_to_primary days_primary_to_completion days_start_to_first_post
    days_first_post_to_update
""".split()
_POOLS = {
    "sponsor": "sponsor",
    "facility": "facility",
    "condition": "condition",
    "keyword": "keyword",
    "intervention": "intervention",
    "person": "person",
    "condition_mesh": "condition_mesh",
    "condition_ancestor": "condition_ancestor",
    "intervention_mesh": "intervention_mesh",
    "intervention_ancestor": "intervention_ancestor",
}


def find_records(inputs: Iterable[Path]) -> list[Path]:
    """Return the ``.json`` records among files and folders, in a stable order.

    Raises:
        InputError: an input that does not exist, or no record at all.
    """
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("no such file or folder", file=str(path))
    if not files:
        raise InputError("no .json study found", file=" ".join(map(str, inputs)))
    return files


def read_studies(paths: Iterable[Path]) -> Iterable[tuple[dict[str, Any], int]]:
    """Yield each API v2 study object of some ``.json`` files with its size in bytes."""
    for path in paths:
        data = path.read_bytes()
        value = orjson.loads(data)
        if isinstance(value, dict) and "protocolSection" in value:
            yield value, len(data)


def fit_params(obs: Observations, *, source: str = "") -> Params:
    """Fit every model of the generator on observed studies."""
    params: Params = {
        "fitted_on": {
            "studies": obs.studies,
            "source": source,
            "date": datetime.date.today().isoformat(),
        },
        "spliced": {},
        "codes": {},
        "pools": {},
    }
    for name in _SPLICED:
        tail, cap = _TAILS.get(name, (0.0, None))
        values = obs.values.get(name, [])
        params["spliced"][name] = fit_spliced(values, tail=tail, cap=cap) if values else {}
    for name, codes in sorted(obs.codes.items()):
        params["codes"][name] = fit_categorical(codes)
    for pool, key in _POOLS.items():
        params["pools"][pool] = fit_pool(obs.names[key])
    params["countries"] = _countries(obs)
    return params


def _countries(obs: Observations) -> dict[str, dict[str, float]]:
    """Return each country's centre and spread of site coordinates, and its share of states."""
    out: dict[str, dict[str, float]] = {}
    for country, flags in obs.states.items():
        points = obs.geo.get(country, [])
        entry = {"state": round(sum(flags) / len(flags), 3)}
        if points:
            lats = [p[0] for p in points]
            lons = [p[1] for p in points]
            entry |= {
                "lat": round(statistics.fmean(lats), 3),
                "lon": round(statistics.fmean(lons), 3),
                "sd_lat": round(statistics.pstdev(lats), 3),
                "sd_lon": round(statistics.pstdev(lons), 3),
            }
        out[country] = entry
    return dict(sorted(out.items()))


def save_params(params: Params, path: Path) -> None:
    """Write parameters as indented JSON (stable key order, so diffs stay readable)."""
    path.write_text(json.dumps(params, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_params(path: Path | None = None) -> Params:
    """Read parameters (the committed ``params.json`` by default)."""
    value: Params = json.loads((path or DEFAULT_PARAMS).read_text(encoding="utf-8"))
    return value
