"""``kg query`` parameters as typed: unknown names, NCT ids in any case, no such trial."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from cli_support import SEED_NCT, kg


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_an_unknown_parameter_is_a_usage_error_listing_the_known_ones(
    small_store_path: Path,
) -> None:
    done = kg("query", "trial-sites", "-p", f"nt={SEED_NCT}", "--store", small_store_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "kg: error: query 'trial-sites' has no parameter 'nt'; its parameters: nct"
    )
    done = kg("query", "dataset-summary", "-p", f"nct={SEED_NCT}", "--store", small_store_path)
    assert done.returncode == 2
    assert "its parameters: none" in done.stderr


def test_a_query_file_takes_only_variables_it_uses(small_store_path: Path, tmp_path: Path) -> None:
    query = tmp_path / "names.rq"
    query.write_text("SELECT ?name WHERE { ?t <http://purl.org/dc/terms/identifier> ?nct ;"
                     " <http://schema.org/name> ?name }\n")
    good = kg("query", query, "-p", f"nct={SEED_NCT}", "-f", "csv", "--store", small_store_path)
    assert good.returncode == 0, good.stderr
    assert len(_csv(good.stdout)) >= 1
    bad = kg("query", query, "-p", f"nc={SEED_NCT}", "--store", small_store_path)
    assert bad.returncode == 2
    assert "no variable ?nc" in bad.stderr


@pytest.mark.parametrize("typed", ["nct03737461", " NCT03737461 ", "nct 0373 7461", "Nct03737461"])
def test_nct_ids_are_normalised(small_store_path: Path, typed: str) -> None:
    canonical = kg("query", "trial-sites", "-p", f"nct={SEED_NCT}", "-f", "csv",
                   "--store", small_store_path)
    done = kg("query", "trial-sites", "-p", f"nct={typed}", "-f", "csv",
              "--store", small_store_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == canonical.stdout
    # The seed page lists its sites: the answer is not empty.
    assert len(_csv(done.stdout)) > 0


def test_a_text_that_is_no_nct_id_is_refused(small_store_path: Path) -> None:
    done = kg("query", "trial-sites", "-p", "nct=03737461x", "--store", small_store_path)
    assert done.returncode == 2
    assert "not an NCT number" in done.stderr


def test_an_id_of_no_trial_gets_a_note_on_stderr(small_store_path: Path) -> None:
    done = kg("query", "trial-sites", "-p", "nct=NCT99999999", "--store", small_store_path)
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].split()[0] == "facility"  # the header, no rows
    assert len(done.stdout.splitlines()) == 2
    assert "no trial NCT99999999 in the store" in done.stderr
    quiet = kg("query", "trial-sites", "-p", "nct=NCT99999999", "--store", small_store_path,
               "--quiet")
    assert quiet.stderr == ""


def test_an_existing_trial_with_an_empty_answer_is_not_called_missing(
    small_store_path: Path,
) -> None:
    # Related trials come from a trial web page's list; an API v2 record has none.
    done = kg("query", "related-trials", "-p", "nct=NCT00000410", "--store", small_store_path)
    assert done.returncode == 0
    assert "no trial" not in done.stderr
    assert "no rows" in done.stderr


def test_the_table_keeps_iris_whole(small_store_path: Path) -> None:
    table = kg("query", "trial-sponsors", "-p", f"nct={SEED_NCT}", "--store", small_store_path)
    rows = _csv(kg("query", "trial-sponsors", "-p", f"nct={SEED_NCT}", "-f", "csv",
                   "--store", small_store_path).stdout)
    iris = [row["org"] for row in rows]
    assert any(len(i) > 60 for i in iris), "the test needs an IRI longer than the column limit"
    shown = table.stdout.split()
    for value in iris:
        assert value in shown
    assert not [t for t in shown if t.startswith("https://") and "…" in t]

