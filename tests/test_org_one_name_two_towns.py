"""Two hospitals of one name in two towns of one country stay two organisations.

Read from the raw shared records (plain json and lxml): "Hospital Arnau de Vilanova" is a hospital
of Valencia (NCT06875310) and "Hospital Universitari Arnau de Vilanova" one of Lleida (NCT04961996,
and "Hospital Universitario Arnau de Vilanova de Lleida", NCT05514054). A facility is keyed by its
name at its country outside the United States, so a rule that dropped a hospital's "University"
from its key made them one node: the worst kind of defect. "University" goes only where a site
meets its own trial's sponsors (kg.orgs.sponsor_site_key).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree

from kg.build import build
from kg.sinks import FileSink

REPO = Path(__file__).resolve().parents[1]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
NAME = re.compile(r"\barnau de vilanova\b")
FACILITIES = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT ?nct ?name ?f WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; tkg:site ?s .
  ?s schema:name ?name ; tkg:facility ?f } }
"""


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(re.findall(r"[a-z0-9]+", "".join(c for c in folded if c.isascii())))


def _sites() -> Iterator[tuple[Path, str, str, str]]:
    """(record file, NCT id, facility, city) of every site named "... Arnau de Vilanova ..."."""
    for path in sorted(CTGOV.glob("*.json")):
        protocol = json.loads(path.read_bytes())["protocolSection"]
        nct = protocol["identificationModule"]["nctId"]
        for loc in protocol.get("contactsLocationsModule", {}).get("locations", []):
            if NAME.search(_plain(loc.get("facility") or "")):
                yield path, nct, loc["facility"], loc.get("city") or ""
    for path in sorted(CTGOV.glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        for loc in root.findall("location"):
            facility = (loc.findtext("facility/name") or "").strip()
            if NAME.search(_plain(facility)):
                city = (loc.findtext("facility/address/city") or "").strip()
                yield path, root.findtext("id_info/nct_id") or "", facility, city


SITES = list(_sites())


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], set[str]]:
    """(trial, site name) -> facility nodes, in a graph built from the records of these sites."""
    out = tmp_path_factory.mktemp("arnau") / "sites.nq"
    build(sorted({str(path) for path, *_ in SITES}), FileSink(out))
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    result = store.query(FACILITIES)
    assert isinstance(result, ox.QuerySolutions)
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in result:
        found[str(row[0].value), str(row[1].value)].add(str(row[2].value))  # type: ignore[union-attr]
    return found


def test_the_records_name_it_in_two_towns() -> None:
    towns = {_plain(city) for *_, city in SITES}
    assert {"valencia", "lleida"} <= towns, SITES


def test_the_hospitals_of_valencia_and_lleida_are_two_nodes(
    nodes: dict[tuple[str, str], set[str]],
) -> None:
    by_town: dict[str, set[str]] = defaultdict(set)
    for _, nct, facility, city in SITES:
        assert nodes[nct, facility], (nct, facility)
        by_town[_plain(city)] |= nodes[nct, facility]
    assert not by_town["valencia"] & by_town["lleida"], dict(by_town)


def test_one_spelling_at_one_town_is_one_node(nodes: dict[tuple[str, str], set[str]]) -> None:
    """The same name at the same town, in two records, is one organisation."""
    by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, nct, facility, city in SITES:
        by_name[_plain(facility), _plain(city)] |= nodes[nct, facility]
    assert all(len(found) == 1 for found in by_name.values()), dict(by_name)
