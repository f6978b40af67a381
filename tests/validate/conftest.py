"""Fixtures of the validation tests: the quads of the two valid hand-made records."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from validate_support import RECORD, RELATED, mapped_quads


@pytest.fixture(scope="session")
def valid_quads() -> list[ox.Quad]:
    """The quads of both hand-made records, each in its trial's named graph."""
    return mapped_quads(RECORD) + mapped_quads(RELATED)
