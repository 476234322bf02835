"""Runbooks named by an alert: only under an allowed repository prefix, the GitHub token only to
the configured GitHub origins, and a cache bounded in bytes.

Local servers record every request with its ``Authorization`` header. On the old main any URL on
an allowed domain was accepted, so a runbook URL on the API host (``api.github.com`` is a
subdomain of ``github.com``) received the token, and the cache held up to 512 runbooks whatever
their size; these tests fail there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tarsy.config import SystemConfig
from tarsy.integrations.runbook_policy import allowed_prefixes, origin, token_origins, under_prefix
from tarsy.integrations.runbooks import RunbookError, RunbookService
from tests.support.fakes.github import FakeGitHub, running_fake_github
from tests.support.fakes.serving import serve
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]

TOKEN = "ghp_secret_token_for_tests"
ENV = {"GITHUB_TOKEN": TOKEN}


class Recorder:
    """Any path: answers a small runbook and keeps the ``Authorization`` header it got."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    async def handle(self, request: Request) -> PlainTextResponse:
        self.seen.append((request.url.path, request.headers.get("authorization")))
        return PlainTextResponse("# runbook\nRestart it.")


@pytest.fixture
async def github() -> AsyncIterator[FakeGitHub]:
    async with running_fake_github(FakeGitHub()) as fake:
        yield fake


@pytest.fixture
async def elsewhere() -> AsyncIterator[tuple[str, Recorder]]:
    recorder = Recorder()
    async with serve(Starlette(routes=[Route("/{path:path}", recorder.handle)])) as base_url:
        yield base_url, recorder


def _service(github: FakeGitHub, **runbooks: Any) -> RunbookService:
    config = SystemConfig.model_validate(
        {
            "github": {"api_url": github.api_url, "raw_url": github.raw_url},
            "runbooks": {"allowed_domains": ["github.com", "127.0.0.1"], **runbooks},
        }
    )
    return RunbookService(config, ENV)


async def test_an_alert_url_on_the_api_host_is_refused_and_gets_no_token(github: FakeGitHub) -> None:
    service = _service(github, repo_url="https://github.com/acme/sre/tree/main/runbooks")
    target = f"{github.api_url}/repos/acme/private-infra/contents/credentials.md"
    try:
        resolved = await service.resolve(target, None)
    finally:
        await service.aclose()
    assert resolved.content is None
    assert resolved.error is not None and "system.runbooks.allowed_prefixes" in resolved.error
    assert github.requests == []


async def test_the_token_goes_only_to_the_configured_origins(
    github: FakeGitHub, elsewhere: tuple[str, Recorder]
) -> None:
    base_url, recorder = elsewhere
    url = github.add_file("acme", "sre", "runbooks/oom.md", "# OOM")
    service = _service(github, allowed_prefixes=["https://github.com/acme/sre/", f"{base_url}/runbooks/"])
    try:
        assert (await service.resolve(url, None)).content == "# OOM"
        other = await service.resolve(f"{base_url}/runbooks/oom.md", None)
    finally:
        await service.aclose()
    assert other.content == "# runbook\nRestart it."
    assert [(r.path, r.authorization) for r in github.requests] == [
        ("/raw/acme/sre/main/runbooks/oom.md", f"token {TOKEN}")
    ]
    assert recorder.seen == [("/runbooks/oom.md", None)]


@pytest.mark.parametrize(
    ("url", "same"),
    [
        ("https://api.github.com/repos/x", True),
        ("https://API.github.com:443/anything", True),
        ("http://api.github.com/repos/x", False),
        ("https://api.github.com:8443/repos/x", False),
        ("https://api.github.com.evil.example/repos/x", False),
        ("https://gist.github.com/x", False),
        ("https://github.com/acme/sre/blob/main/x.md", False),
    ],
)
def test_token_origins_match_scheme_host_and_port_exactly(url: str, same: bool) -> None:
    origins = token_origins(SystemConfig())
    assert (origin(url) in origins) is same


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://github.com/acme/sre/blob/main/runbooks/oom.md", True),
        ("https://GitHub.com/acme/sre/blob/v2/other/x.md?plain=1", True),
        ("https://raw.githubusercontent.com/acme/sre/main/runbooks/oom.md", True),
        ("https://github.com/acme/sre-fork/blob/main/x.md", False),
        ("https://github.com/evil/repo/blob/main/x.md", False),
        ("https://api.github.com/repos/acme/sre/contents/x.md", False),
        ("https://gist.github.com/acme/123", False),
        ("https://github.com/acme/sre/../../evil/repo/blob/main/x.md", False),
        ("https://github.com/acme/sre/blob/main/%2e%2e/%2e%2e/x.md", False),
        ("http://github.com/acme/sre/blob/main/x.md", False),
    ],
)
def test_the_default_prefix_is_the_repo_url_repository(url: str, allowed: bool) -> None:
    config = SystemConfig.model_validate({"runbooks": {"repo_url": "https://github.com/acme/sre/tree/main/runbooks"}})
    assert under_prefix(url, allowed_prefixes(config)) is allowed


def test_without_repo_url_or_prefixes_no_alert_url_is_allowed() -> None:
    assert allowed_prefixes(SystemConfig()) == ()
    assert not under_prefix("https://github.com/acme/sre/blob/main/x.md", ())


@pytest.mark.e2e
async def test_an_alert_runbook_outside_the_prefixes_is_a_400_naming_the_setting(
    tmp_path: Path, database_url: str
) -> None:
    system = {"runbooks": {"repo_url": "https://github.com/acme/sre/tree/main/runbooks"}}
    config = write_config(tmp_path / "config", script={"agents": {}}, tarsy={"system": system})
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        refused = []
        for url in (
            "https://api.github.com/repos/acme/private/contents/x.md",
            "https://github.com/evil/repo/blob/main/x.md",
        ):
            resp = await tarsy.client.post("/api/v1/alerts", json={"data": {"a": 1}, "runbook": url})
            refused.append((resp.status_code, resp.json()["error"]["message"]))
        accepted = await tarsy.client.post(
            "/api/v1/alerts", json={"data": {"a": 1}, "runbook": "https://github.com/acme/sre/blob/main/runbooks/x.md"}
        )
    for status, message in refused:
        assert status == 400
        assert "is not under an allowed prefix" in message and "system.runbooks.allowed_prefixes" in message
        assert "https://github.com/acme/sre/" in message
    assert accepted.status_code == 202, accepted.text


async def test_the_cache_is_bounded_in_bytes_and_drops_the_least_recently_used(github: FakeGitHub) -> None:
    urls = [github.add_file("acme", "sre", f"{name}.md", name * 1000) for name in "abc"]
    service = _service(github, allowed_prefixes=["https://github.com/acme/sre/"], cache_max_bytes=2500)
    try:
        for url in urls[:2]:
            await service.fetch(url)
        await service.fetch(urls[0])  # a is now the most recently used
        await service.fetch(urls[2])  # 3000 bytes would exceed 2500: b goes
        for url in urls:
            await service.fetch(url)
    finally:
        await service.aclose()
    hits = {name: github.hits(f"/raw/acme/sre/main/{name}.md") for name in "abc"}
    assert hits == {"a": 1, "b": 2, "c": 2}


async def test_a_runbook_larger_than_the_whole_cache_is_not_kept(github: FakeGitHub) -> None:
    url = github.add_file("acme", "sre", "big.md", "x" * 4000)
    service = _service(github, allowed_prefixes=["https://github.com/acme/sre/"], cache_max_bytes=3000)
    try:
        await service.fetch(url)
        await service.fetch(url)
    finally:
        await service.aclose()
    assert github.hits("/raw/acme/sre/main/big.md") == 2


async def test_a_refused_fetch_raises_before_any_request(github: FakeGitHub) -> None:
    service = _service(github, allowed_prefixes=["https://github.com/acme/sre/"])
    try:
        with pytest.raises(RunbookError, match="not under an allowed prefix"):
            await service.fetch("https://github.com/evil/repo/blob/main/x.md", from_alert=True)
    finally:
        await service.aclose()
    assert github.requests == []
