"""Fixtures of the command-line tests: a small store built by ``kg build`` itself.

The folder is ``tests/usage`` (the CLI as a user runs it), not ``tests/cli``: with
``--doctest-modules`` pytest imports every ``conftest.py`` as the module ``conftest``, and a folder
sorting before ``tests/conftest.py`` would take that name first and break the suite's collection.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import CTGOV, RECORDS, SEED, build_store


@pytest.fixture(scope="session")
def small_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed and a few shared records (disc and spine trials, Montpellier sponsors)."""
    if not CTGOV.is_dir():
        pytest.fail(f"the shared records are missing: {CTGOV}")
    folder = tmp_path_factory.mktemp("cli")
    return build_store(folder / "store", [SEED, *(CTGOV / name for name in RECORDS)])


@pytest.fixture
def small_store(small_store_path: Path, tmp_path: Path) -> Path:
    """This test's own copy of the small store (it may write to it)."""
    copy = tmp_path / "store"
    shutil.copytree(small_store_path, copy)
    return copy
