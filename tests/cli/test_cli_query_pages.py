"""`kg query --limit/--offset` as a user runs it: a page on stdout, on stderr the rows in all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cli_support import SEED_NCT, kg


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_page_says_how_many_rows_there_are_and_how_to_get_the_rest(
    small_store_path: Path,
) -> None:
    whole = kg("query", "trials-per-city", "-f", "csv", "--store", small_store_path)
    assert whole.returncode == 0 and whole.stderr == ""  # no --limit: the whole answer, as ever
    rows = _rows(whole.stdout)
    assert len(rows) > 4
    page = kg("query", "trials-per-city", "-f", "csv", "--limit", "2", "--offset", "1", "--quiet",
              "--store", small_store_path)
    assert page.returncode == 0
    assert _rows(page.stdout) == [rows[0], *rows[2:4]]
    total = len(rows) - 1
    assert page.stderr.strip() == (  # --quiet does not silence it: the answer is cut
        f"kg: trials-per-city: rows 2-3 of {total}; next: --limit 2 --offset 3; all: no --limit"
    )
    last = kg("query", "trials-per-city", "-f", "csv", "--limit", "1000", "--store",
              small_store_path)
    assert last.stdout == whole.stdout and last.stderr == ""  # a page that holds all is whole


def test_a_page_of_a_query_with_parameters_and_past_the_end(small_store_path: Path) -> None:
    whole = kg("query", "trial-sites", "-p", f"nct={SEED_NCT}", "-f", "tsv", "--store",
               small_store_path)
    lines = whole.stdout.splitlines()
    past = kg("query", "trial-sites", "-p", f"nct={SEED_NCT}", "-f", "tsv", "--limit", "5",
              "--offset", "900", "--store", small_store_path)
    assert past.returncode == 0 and past.stdout.splitlines() == lines[:1]
    assert past.stderr.strip() == (
        f"kg: trial-sites: no rows from --offset 900: the answer has {len(lines) - 1} rows"
    )


def test_a_page_of_no_rows_or_an_offset_alone_is_bad_usage(small_store_path: Path) -> None:
    for args in (["--limit", "0"], ["--offset", "3"], ["--limit", "2", "--offset", "-1"]):
        done = kg("query", "trials-per-city", *args, "--store", small_store_path)
        assert done.returncode == 2, args
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
