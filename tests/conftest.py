from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import goldens
from tests.support.pg import Databases


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that rewrote a golden (``TARSY_UPDATE_GOLDENS=1``) fails, once all are rewritten."""
    goldens.take_rewritten()
    result = yield
    goldens.fail_if_rewritten()
    return result


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    dbs = Databases()
    yield dbs
    dbs.stop()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """A fresh, migrated database (with LangGraph's checkpoint tables) for this test."""
    return databases.migrated()
