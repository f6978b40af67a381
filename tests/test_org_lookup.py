"""Finding organisations by name among given candidates (the sponsors of ``kg network``) gives
what the scan of every organisation gives, restricted to them, for every sponsor name of the raw
records."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.org_lookup import find_organisations, organisation_spellings

SPONSORS = "SELECT DISTINCT ?org WHERE { ?t <http://schema.org/sponsor> ?org }"


def _raw_sponsor_names(records: list[Path]) -> set[str]:
    """Every lead sponsor and collaborator name the raw records state."""
    names: set[str] = set()
    for path in records:
        if path.suffix == ".json":
            study = json.loads(path.read_text("utf-8"))
            module = study["protocolSection"].get("sponsorCollaboratorsModule", {})
            names |= {module["leadSponsor"]["name"]} if "leadSponsor" in module else set()
            names |= {c["name"] for c in module.get("collaborators", [])}
        else:
            root = ET.parse(path).getroot()  # noqa: S314 - the shared records
            names |= {a.text or "" for a in root.iterfind("sponsors/*/agency")}
    return {n for n in names if n.strip()}


@pytest.fixture(scope="module")
def sponsors(shared_store: ox.Store) -> set[str]:
    result = shared_store.query(SPONSORS, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return {s["org"].value for s in result if isinstance(s["org"], ox.NamedNode)}


def test_spellings_among_sponsors_are_the_scans_restricted_to_them(
    shared_store: ox.Store, sponsors: set[str]
) -> None:
    every = organisation_spellings(shared_store)
    # A site's facility is an organisation too: the candidates are far fewer than the scan's.
    assert len(every) > 2 * len(sponsors) > 1000
    among = organisation_spellings(shared_store, among=[*sponsors, "https://example.org/none"])
    assert among == {org: names for org, names in every.items() if org in sponsors}


def test_every_raw_sponsor_name_finds_among_sponsors_what_the_scan_finds(
    shared_store: ox.Store, sponsors: set[str], json_records: list[Path], ctgov_dir: Path
) -> None:
    records = sorted(p for p in ctgov_dir.iterdir() if p.suffix in (".json", ".xml"))
    names = sorted(_raw_sponsor_names(records))
    assert len(names) > 500
    for name in names[::20] + [n.upper() for n in names[::97]]:
        # a name a record gives its sponsor finds that sponsor
        assert find_organisations(shared_store, name, among=sponsors), name
    for name in names[::150]:  # the scan of every organisation costs ~1.5 s here
        found = find_organisations(shared_store, name, among=sponsors)
        assert found == [o for o in find_organisations(shared_store, name) if o in sponsors], name
    some = next(iter(sorted(sponsors)))
    assert find_organisations(shared_store, some, among=sponsors) == [some]  # its IRI
    assert find_organisations(shared_store, "no such sponsor at all", among=sponsors) == []
