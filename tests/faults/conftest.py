from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pg import StoppablePostgres


@pytest.fixture
def stoppable_pg() -> Iterator[tuple[StoppablePostgres, str]]:
    """A PostgreSQL of this test's own (so stopping it disturbs no other test) and a migrated database."""
    pg = StoppablePostgres()
    try:
        yield pg, pg.migrated()
    finally:
        pg.stop()
