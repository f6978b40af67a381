"""The synthetic registry: reproducible bytes, the bulk zip layout, records kg reads back."""

from __future__ import annotations

import random
import sys
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from kg.cli import app, main
from kg.errors import InputError
from kg.model import Trial
from kg.sources import iter_input_files, read_records
from kg.synth import (
    Generator,
    Layout,
    compare_with_real,
    fit_params,
    load_params,
    nct_id,
    write_ndjson,
    write_zip,
)
from kg.synth._dist import (
    expected_distinct,
    fit_pool,
    fit_spliced,
    sample_rank,
    sample_spliced,
)
from kg.synth.compare import QUANTITIES, measure
from kg.synth.fit import read_studies

N = 50


@pytest.fixture(scope="module")
def params() -> dict[str, Any]:
    return load_params()


@pytest.fixture(scope="module")
def registry_zip(tmp_path_factory: pytest.TempPathFactory, params: dict[str, Any]) -> Path:
    return write_zip(tmp_path_factory.mktemp("synth") / "ctg-studies.json.zip", params, N, seed=7)


def _records(path: Path) -> list[Trial | InputError]:
    return [r for doc in iter_input_files([str(path)]) for r in read_records(doc)]


def test_same_seed_writes_identical_bytes(
    tmp_path: Path, params: dict[str, Any], registry_zip: Path
) -> None:
    again = write_zip(tmp_path / "again.zip", params, N, seed=7, jobs=2)
    assert again.read_bytes() == registry_zip.read_bytes()


def test_another_seed_gives_other_studies(params: dict[str, Any]) -> None:
    first = Generator(params, seed=1).study(0)
    second = Generator(params, seed=2).study(0)
    assert (
        first["protocolSection"]["descriptionModule"]
        != second["protocolSection"]["descriptionModule"]
    )


def test_a_smaller_registry_is_a_prefix_of_a_larger_one(params: dict[str, Any]) -> None:
    small = list(Generator(params, seed=3).studies(5))
    large = list(Generator(params, seed=3).studies(20))
    assert large[:5] == small


def test_zip_holds_one_json_file_per_study_named_by_its_nct_id(registry_zip: Path) -> None:
    with zipfile.ZipFile(registry_zip) as archive:
        names = archive.namelist()
        ids = [
            orjson.loads(archive.read(n))["protocolSection"]["identificationModule"]["nctId"]
            for n in names
        ]
    assert names == [f"{nct}.json" for nct in ids]
    assert ids == [nct_id(i) for i in range(N)]


def test_legacy_layout_nests_studies_in_folders_of_ten_thousand(
    tmp_path: Path, params: dict[str, Any]
) -> None:
    path = write_zip(tmp_path / "legacy.zip", params, 3, layout=Layout.LEGACY)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[0] == "NCT9000xxxx/NCT90000000.json"


def test_every_synthetic_study_reads_back_as_a_trial(registry_zip: Path) -> None:
    records = _records(registry_zip)
    assert [r for r in records if isinstance(r, InputError)] == []
    assert len(records) == N


def test_ndjson_output_reads_back_one_trial_per_line(
    tmp_path: Path, params: dict[str, Any]
) -> None:
    path = write_ndjson(tmp_path / "studies.ndjson", params, 12, seed=5)
    records = _records(path)
    assert [r.nct_id for r in records if isinstance(r, Trial)] == [nct_id(i) for i in range(12)]


def test_synthetic_ids_are_outside_the_real_registry_range() -> None:
    assert nct_id(0) == "NCT90000000"


def test_an_organisation_keeps_its_name_across_trials(params: dict[str, Any]) -> None:
    gen = Generator(params, seed=0)
    assert gen.org("INDUSTRY", 5) == Generator(params, seed=0).org("INDUSTRY", 5)
    assert gen.org("INDUSTRY", 5) != gen.org("INDUSTRY", 6)


def test_a_facility_keeps_its_address_across_trials(params: dict[str, Any]) -> None:
    gen = Generator(params, seed=0)
    assert gen.facility("France", 12) == gen.facility("France", 12)


def test_sponsors_recur_across_trials(params: dict[str, Any]) -> None:
    leads = [
        s["protocolSection"]["sponsorCollaboratorsModule"]["leadSponsor"]["name"]
        for s in Generator(params, seed=0).studies(60)
    ]
    assert len(set(leads)) < len(leads)


def test_spliced_sampler_reproduces_the_fitted_median() -> None:
    model = fit_spliced(range(1, 101))
    rng = random.Random(0)  # noqa: S311 - a reproducible sample, not a secret
    draws = sorted(sample_spliced(model, rng) for _ in range(4000))
    assert 45 <= draws[2000] <= 56


def test_pareto_tail_reaches_beyond_the_largest_value_seen() -> None:
    model = fit_spliced(list(range(1, 1001)), tail=0.05, cap=10_000)
    rng = random.Random(0)  # noqa: S311 - a reproducible sample, not a secret
    assert max(sample_spliced(model, rng) for _ in range(20_000)) > 1000


def test_expected_distinct_names_match_a_simulation() -> None:
    pool = {"s": 1.3, "q": 3.0}
    rng = random.Random(1)  # noqa: S311 - a reproducible sample, not a secret
    simulated = sum(len({sample_rank(pool, rng) for _ in range(500)}) for _ in range(200)) / 200
    assert abs(simulated - expected_distinct(1.3, 3.0, 500)) < 0.03 * simulated


def test_a_pool_fitted_on_no_mention_still_draws_ranks() -> None:
    rng = random.Random(0)  # noqa: S311 - a reproducible sample, not a secret
    assert sample_rank(fit_pool({}), rng) >= 1


def test_parameters_fitted_on_real_records_drive_the_generator(json_records: list[Path]) -> None:
    fitted = fit_params(measure(read_studies(json_records[:25]), triples=False))
    studies = list(Generator(fitted, seed=0).studies(10))
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in studies][-1] == nct_id(9)


def test_comparison_has_a_real_and_a_synthetic_row_per_quantity(
    json_records: list[Path], params: dict[str, Any]
) -> None:
    table = compare_with_real(json_records[:20], params, 20)
    for label, _ in QUANTITIES:
        assert f"| {label} | real |" in table


def test_synth_generate_command_writes_a_zip(tmp_path: Path) -> None:
    out = tmp_path / "r.zip"
    result = CliRunner().invoke(app, ["synth", "generate", "5", "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(zipfile.ZipFile(out).namelist()) == 5


def test_synth_generate_command_refuses_other_extensions_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["kg", "synth", "generate", "5", "-o", str(tmp_path / "r.txt")]
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    assert "write a .zip or an .ndjson file" in capsys.readouterr().err
