"""Shared fixtures: paths to the shared records and the seed, and a store built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from build_support import SharedBuild, StoreAndFiles, built_once
from xdist_plan import make_scheduler, plan

from kg.build import build
from kg.sinks import FileSink, StoreSink, open_store
from kg.terms import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CTGOV = SHARED / "data" / "ctgov"
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_NCT = "NCT03737461"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a run in which any test was skipped: every test runs, servers and browser included."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0:
        where = ", ".join(sorted({str(getattr(r, "nodeid", r)) for r in skipped})[:5])
        reporter.write_sep("=", f"{len(skipped)} skipped, and no test may be: {where}", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def ctgov_dir() -> Path:
    """The folder of real ClinicalTrials.gov records (read in place, never copied)."""
    if not CTGOV.is_dir():
        pytest.fail(
            f"the shared records are missing: {CTGOV} (CI has ../shared beside the checkout)"
        )
    return CTGOV


@pytest.fixture(scope="session")
def json_records(ctgov_dir: Path) -> list[Path]:
    """Every shared API v2 JSON record."""
    return sorted(ctgov_dir.glob("*.json"))


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The seed trial page shipped in data/."""
    return SEED


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Builds in tests are reproducible and never touch the user's real store."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("KG_STORE", str(tmp_path / "default-store"))


@pytest.fixture(scope="session")
def seed_nq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed page built to N-Quads."""
    out = tmp_path_factory.mktemp("seed") / "seed.nq"
    build([str(SEED)], FileSink(out), base=DEFAULT_BASE)
    return out


@pytest.fixture(scope="session")
def seed_store(seed_nq: Path) -> ox.Store:
    """An in-memory store holding the seed trial (default graph = union, as queries expect)."""
    store = ox.Store()
    store.load(path=str(seed_nq), format=ox.RdfFormat.N_QUADS)
    return store


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker, order the tests and write the plan of units (tests/xdist_plan.py)."""
    if os.environ.get("PYTEST_XDIST_WORKER") and config.option.basetemp:
        plan(items, Path(config.option.basetemp).parent)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``-n N`` (xdist's default ``--dist load``) runs the units of tests/xdist_plan.py."""
    return make_scheduler(config, log) if config.getvalue("dist") == "load" else None


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory: pytest.TempPathFactory, ctgov_dir: Path) -> SharedBuild:
    """The seed plus every shared record mapped once, into a store and every build format."""
    with built_once(tmp_path_factory, "shared") as (folder, fresh):
        made = SharedBuild.at(folder, "all")
        if fresh:
            build([str(SEED), str(ctgov_dir)], StoreAndFiles(made), base=DEFAULT_BASE, jobs=2)
    return made


@pytest.fixture(scope="session")
def shared_store_path(shared_build: SharedBuild) -> Path:
    """An on-disk store built once from the seed plus every shared record."""
    return shared_build.store


@pytest.fixture(scope="session")
def shared_store(shared_store_path: Path) -> ox.Store:
    """The shared store, opened read-only."""
    return open_store(shared_store_path)


# The command-line tests (tests/cli) run on the seed and shared records of disc and spine trials
# (similar to the seed), two trials CHU Montpellier sponsors and one with a site "CHU Montpellier",
# another spelling of that organisation. Their fixtures live here: a conftest.py in tests/cli would
# be imported as the module ``conftest`` by --doctest-modules and clash with this one.
CLI_RECORDS = (
    "NCT02227251.json",
    "NCT00000410.json",
    "NCT01339377.json",
    "NCT01640457.json",
    "NCT02830269.xml",
    "NCT05615597.json",
)


@pytest.fixture(scope="session")
def cli_records(ctgov_dir: Path) -> list[Path]:
    """The shared records of the command-line tests' store."""
    return [ctgov_dir / name for name in CLI_RECORDS]


@pytest.fixture(scope="session")
def small_store_path(tmp_path_factory: pytest.TempPathFactory, cli_records: list[Path]) -> Path:
    """A store of the seed and the command-line tests' records (built once, read-only use)."""
    path = tmp_path_factory.mktemp("cli") / "store"
    build([str(SEED), *map(str, cli_records)], StoreSink(path), base=DEFAULT_BASE, jobs=1)
    return path


@pytest.fixture
def small_store(small_store_path: Path, tmp_path: Path) -> Path:
    """This test's own copy of the small store (it may write to it)."""
    copy = tmp_path / "store"
    shutil.copytree(small_store_path, copy)
    return copy
