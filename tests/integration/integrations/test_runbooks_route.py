"""``GET /api/v1/runbooks`` over HTTP, with the runbook service talking to the GitHub fake.

The app is the route alone with a stand-in for ``app.state.services``: the route needs nothing
else, and this keeps the test independent of how the process wires its services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tarsy.api.errors import install_error_handlers
from tarsy.api.routes import runbooks as runbooks_route
from tarsy.config import SystemConfig
from tarsy.integrations.runbooks import RunbookService
from tests.support.fakes import FakeGitHub

pytestmark = [pytest.mark.integration]


@asynccontextmanager
async def api(fake_github: FakeGitHub, **runbooks: Any) -> AsyncIterator[httpx.AsyncClient]:
    config = SystemConfig.model_validate(
        {"github": {"api_url": fake_github.api_url, "raw_url": fake_github.raw_url}, "runbooks": runbooks}
    )
    service = RunbookService(config, {"GITHUB_TOKEN": "ghp_fake"})
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(runbooks_route.router)
    app.state.services = SimpleNamespace(runbooks=service, config=SimpleNamespace(system=config))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://tarsy") as client:
            yield client
    finally:
        await service.aclose()


async def test_the_configured_folder_is_listed(fake_github: FakeGitHub) -> None:
    fake_github.add_file("acme", "sre", "runbooks/disk-full.md", "...")
    fake_github.add_file("acme", "sre", "runbooks/logo.png", b"\x89PNG")
    repo_url = "https://github.com/acme/sre/tree/main/runbooks"
    async with api(fake_github, repo_url=repo_url) as client:
        resp = await client.get("/api/v1/runbooks")
    assert resp.status_code == 200
    assert resp.json() == {
        "repo_url": repo_url,
        "runbooks": [
            {
                "name": "disk-full.md",
                "path": "runbooks/disk-full.md",
                "url": "https://github.com/acme/sre/blob/main/runbooks/disk-full.md",
            }
        ],
    }


async def test_without_a_folder_the_list_is_empty(fake_github: FakeGitHub) -> None:
    async with api(fake_github) as client:
        resp = await client.get("/api/v1/runbooks")
    assert (resp.status_code, resp.json()) == (200, {"runbooks": [], "repo_url": None})
    assert fake_github.requests == []


@pytest.mark.parametrize(("status", "hint"), [(500, "HTTP 500"), (404, "HTTP 404 (not found")])
async def test_a_github_failure_is_a_bad_gateway_with_the_reason(
    fake_github: FakeGitHub, status: int, hint: str
) -> None:
    fake_github.statuses["/api/repos/acme/sre/contents/runbooks"] = status
    async with api(fake_github, repo_url="https://github.com/acme/sre/tree/main/runbooks") as client:
        resp = await client.get("/api/v1/runbooks")
    assert resp.status_code == 502
    error = resp.json()["error"]
    assert error["code"] == "runbook_error"
    assert error["message"].startswith("listing GitHub folder acme/sre/runbooks failed: ")
    assert hint in error["message"]
