"""``kg build --org-map FILE``: a mapping row that names nothing of the build is said, once."""

from __future__ import annotations

from pathlib import Path

from cli_support import SEED, kg

MONTPELLIER_ROR = "https://ror.org/051escj72"  # Université de Montpellier
CHU_IRI = "https://example.org/org/chu-montpellier"


def _mapping(tmp_path: Path, rows: list[str], column: str = "name") -> Path:
    path = tmp_path / "orgs.tsv"
    path.write_text(f"{column}\tid\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_a_mapping_whose_rows_all_match_says_nothing(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, [f"Montpellier University Hospital\t{CHU_IRI}"])
    built = kg("build", SEED, "-o", tmp_path / "seed.nt", "--org-map", mapping)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr
    assert f"<{CHU_IRI}>" in (tmp_path / "seed.nt").read_text(encoding="utf-8")


def test_rows_that_match_no_organisation_get_one_warning(tmp_path: Path) -> None:
    mapping = _mapping(
        tmp_path,
        [
            f"Montpellier University Hospital\t{CHU_IRI}",
            f"Nowhere Institute of Nothing\t{MONTPELLIER_ROR}",
            "Zzyzx Oncology Partners\thttps://example.org/org/zzyzx",
            "Acme Hospital of Atlantis\thttps://example.org/org/acme",
            "Bogus Medical Center\thttps://example.org/org/bogus",
        ],
    )
    built = kg("build", SEED, "-o", tmp_path / "seed.nt", "--org-map", mapping)
    assert built.returncode == 0, built.stderr
    warnings = [line for line in built.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, built.stderr
    (warning,) = warnings
    assert warning.startswith(f"kg: warning: {mapping}: 4 of the 5 keys it maps named no ")
    assert "'acme atlantis hospital'" in warning  # keys, sorted, the first three
    assert "'zzyzx" not in warning and warning.count(", ...") == 1
    assert f"<{CHU_IRI}>" in (tmp_path / "seed.nt").read_text(encoding="utf-8")


def test_a_key_column_with_keys_of_no_organisation_is_not_silent(tmp_path: Path) -> None:
    """A key written for another version of the keys (or mistyped) maps nothing: say so."""
    mapping = _mapping(
        tmp_path, ["montpellier hospital-university\thttps://example.org/org/old"], column="key"
    )
    built = kg("build", SEED, "-o", tmp_path / "seed.nt", "--org-map", mapping)
    assert built.returncode == 0, built.stderr
    assert f"kg: warning: {mapping}: 1 of the 1 key it maps named no organisation" in built.stderr
    assert "'montpellier hospital-university'" in built.stderr
    assert "https://example.org/org/old" not in (tmp_path / "seed.nt").read_text(encoding="utf-8")
