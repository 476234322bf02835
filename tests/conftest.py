from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pg import Databases


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    dbs = Databases()
    yield dbs
    dbs.stop()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """A fresh, migrated database (with LangGraph's checkpoint tables) for this test."""
    return databases.migrated()
