"""How the suite shares out its tests between pytest-xdist workers (``python -m pytest -n 2``).

Each test module is one unit of work, run whole by one worker, so a module's fixtures (a server, a
store) are made once. Modules that share a session fixture of a sub-directory's conftest.py (the
empty Virtuoso and the Oxigraph server of tests/remote, ``kg serve`` of tests/publish, ...) form
one unit, so that fixture is made once too. The shared records' build (tests/conftest.py,
``shared_build``) is made once for all workers (tests/build_support.py, ``built_once``).

Units go to the workers in the order of ``FIRST`` (by the unit's first module), then in collection
order. The longest unit goes first, and with it the build of the shared records; the next units
need no shared build, so the other worker runs them meanwhile instead of waiting for it; then the
other long units, so none starts last while the other worker idles. A wrong order costs time,
never a test: every test runs once, whatever the plan.

The workers collect the tests, the controller schedules them: each worker writes the plan it
derived from its items (module -> unit) to ``PLAN_FILE`` in the run's base temporary directory,
and the controller's scheduler reads it once every worker has collected.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parent / "conftest.py"
PLAN_FILE = "xdist-plan.json"

# The units that go first, in this order (see the module docstring).
FIRST = (
    "tests/outputs/test_output_formats.py",  # builds the shared records (shared_build)
    # no shared build needed: the other worker's work while the first builds it
    "tests/publish/test_browser.py",
    "tests/cli/test_cli_sponsor_lookup.py",
    "tests/cli/test_cli_modes_formats.py",
    "tests/test_build.py",
    "tests/publish/test_pool_spare.py",
    "tests/validate/test_validate_fast.py",  # its shared records' test comes after the seed's
    # long ones on the shared records
    "tests/test_query_output.py",
    "tests/remote/test_engines.py",
    "tests/publish/test_export.py",
    "tests/test_results_queries.py",
    "tests/remote/test_endpoint.py",
    "tests/validate/test_validate_shared.py",
    "tests/publications/test_fetch_publications_run.py",
    "tests/similarity/test_cli.py",
    "tests/test_indexed.py",
    "tests/test_indexed_formats.py",
    "tests/test_near.py",
)


def _shared_session_fixtures(item: pytest.Item) -> set[str]:
    """The session fixtures ``item`` uses that a sub-directory's conftest.py defines."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:  # a doctest
        return set()
    found = set()
    for name, defs in info.name2fixturedefs.items():
        fixture = defs[-1]
        where = Path(fixture.func.__code__.co_filename).resolve()
        if fixture.scope == "session" and where.name == "conftest.py" and where != ROOT_CONFTEST:
            found.add(f"{where}::{name}")
    return found


def plan(items: list[pytest.Item], basetemp: Path) -> None:
    """Put the heaviest units first in ``items`` and write which module belongs to which unit."""
    module_of = {id(item): item.nodeid.split("::", 1)[0] for item in items}
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for item in items:
        for fixture in _shared_session_fixtures(item):
            a, b = find(module_of[id(item)]), find(fixture)
            if a != b:
                parent[b] = a
    members: dict[str, list[str]] = {}
    for module in dict.fromkeys(module_of.values()):  # in collection order
        members.setdefault(find(module), []).append(module)
    unit = {module: m[0] for m in members.values() for module in m}
    rank = {
        m[0]: (min((FIRST.index(x) for x in m if x in FIRST), default=len(FIRST)), n)
        for n, m in enumerate(members.values())
    }
    items.sort(key=lambda item: rank[unit[module_of[id(item)]]])
    part = basetemp / f"{PLAN_FILE}.{os.getpid()}"
    part.write_text(json.dumps(unit, indent=1), encoding="utf-8")
    os.replace(part, basetemp / PLAN_FILE)  # both workers write the same plan


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """A scheduler sending each unit of the plan whole to one worker, in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class PlannedScheduling(LoadScopeScheduling):  # type: ignore[misc]
        unit: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.unit is None:
                path = config._tmp_path_factory.getbasetemp() / PLAN_FILE
                self.unit = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            module = nodeid.split("::", 1)[0]
            return self.unit.get(module, module)

    config.option.loadscopereorder = False  # the plan put the heaviest units first
    return PlannedScheduling(config, log)
