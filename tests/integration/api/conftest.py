"""One seeded database and one API-only TARSy (no workers) shared by the read-only history tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from tests.integration.api.seed import Seeded, build, insert
from tests.support.pg import Databases
from tests.support.server import RunningTarsy, running_tarsy, write_config


@dataclass
class SeededTarsy:
    tarsy: RunningTarsy
    seeded: Seeded
    database_url: str


@pytest.fixture(scope="module")
def seeded_database(databases: Databases) -> tuple[str, Seeded]:
    url = databases.migrated()  # synchronous: it may run its own event loop to build the template
    data = build()
    insert(url, data)
    return url, data


@pytest_asyncio.fixture(scope="module")
async def seeded(
    seeded_database: tuple[str, Seeded], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SeededTarsy]:
    url, data = seeded_database
    config = write_config(tmp_path_factory.mktemp("config"), script={"agents": {"*": [{"text": "unused"}]}})
    async with running_tarsy(config, url, workers=0) as tarsy:
        yield SeededTarsy(tarsy, data, url)
