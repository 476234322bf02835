"""Fetching and listing runbooks against a local fake of GitHub's API and raw content."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from tarsy.config import SystemConfig
from tarsy.integrations.runbooks import RunbookError, RunbookInfo, RunbookService
from tests.support.fakes import FakeGitHub

pytestmark = [pytest.mark.integration]

TOKEN_ENV = {"GITHUB_TOKEN": "ghp_fake"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


MakeService = Callable[..., RunbookService]


@pytest_asyncio.fixture
async def make_service(fake_github: FakeGitHub) -> AsyncIterator[MakeService]:
    made: list[RunbookService] = []

    def make(env: dict[str, str] | None = None, clock: Clock | None = None, **runbooks: Any) -> RunbookService:
        config = SystemConfig.model_validate(
            {
                "github": {"api_url": fake_github.api_url, "raw_url": fake_github.raw_url},
                "runbooks": {
                    "allowed_domains": ["github.com", "raw.githubusercontent.com"],
                    "allowed_prefixes": ["https://github.com/acme/sre/"],
                    **runbooks,
                },
            }
        )
        service = RunbookService(config, TOKEN_ENV if env is None else env, clock=clock or Clock())
        made.append(service)
        return service

    yield make
    for service in made:
        await service.aclose()


async def test_blob_urls_are_fetched_as_raw_content_with_the_token(
    fake_github: FakeGitHub, make_service: MakeService
) -> None:
    url = fake_github.add_file("acme", "sre", "runbooks/pod-crash.md", "# Pod crash\nCheck the events.")
    assert await make_service().fetch(url) == "# Pod crash\nCheck the events."
    (request,) = fake_github.requests
    assert request.path == "/raw/acme/sre/main/runbooks/pod-crash.md"
    assert request.authorization == "token ghp_fake"


async def test_without_a_token_none_is_sent_and_a_private_repo_answers_with_a_hint(
    fake_github: FakeGitHub, make_service: MakeService
) -> None:
    url = fake_github.add_file("acme", "sre", "x.md", "secret")
    with pytest.raises(RunbookError, match=r"HTTP 401 \(GitHub refused access: check the token in \$GITHUB_TOKEN\)"):
        await make_service(env={}).fetch(url)
    assert fake_github.requests[0].authorization is None


async def test_content_is_cached_for_the_ttl_and_refetched_after(
    fake_github: FakeGitHub, make_service: MakeService
) -> None:
    clock = Clock()
    service = make_service(clock=clock, cache_ttl="1m")
    url = fake_github.add_file("acme", "sre", "x.md", "v1")
    path = "/raw/acme/sre/main/x.md"

    assert await service.fetch(url) == "v1"
    fake_github.add_file("acme", "sre", "x.md", "v2")
    clock.now += 59
    assert await service.fetch(url) == "v1"
    assert fake_github.hits(path) == 1

    clock.now += 2
    assert await service.fetch(url) == "v2"
    assert fake_github.hits(path) == 2


async def test_failures_are_not_cached(fake_github: FakeGitHub, make_service: MakeService) -> None:
    service = make_service()
    url = fake_github.add_file("acme", "sre", "x.md", "ok")
    fake_github.statuses["/raw/acme/sre/main/x.md"] = 500
    with pytest.raises(RunbookError, match="HTTP 500"):
        await service.fetch(url)
    del fake_github.statuses["/raw/acme/sre/main/x.md"]
    assert await service.fetch(url) == "ok"


async def test_runbooks_over_the_size_limit_are_refused(fake_github: FakeGitHub, make_service: MakeService) -> None:
    service = make_service(max_bytes=1000)
    assert await service.fetch(fake_github.add_file("acme", "sre", "fits.md", "x" * 1000)) == "x" * 1000
    with pytest.raises(RunbookError, match=r"exceeds the limit of 1000 bytes \(system\.runbooks\.max_bytes\)"):
        await service.fetch(fake_github.add_file("acme", "sre", "big.md", "x" * 1001))


async def test_slow_answers_time_out(fake_github: FakeGitHub, make_service: MakeService) -> None:
    url = fake_github.add_file("acme", "sre", "slow.md", "late")
    fake_github.delays["/raw/acme/sre/main/slow.md"] = 3
    with pytest.raises(RunbookError, match=r"timed out after 0\.2s"):
        await make_service(timeout="200ms").fetch(url)


async def test_missing_runbooks_say_so(fake_github: FakeGitHub, make_service: MakeService) -> None:
    with pytest.raises(RunbookError, match=r"HTTP 404 \(not found"):
        await make_service().fetch("https://github.com/acme/sre/blob/main/nope.md")


async def test_disallowed_domains_are_refused_without_a_request(
    fake_github: FakeGitHub, make_service: MakeService
) -> None:
    with pytest.raises(RunbookError, match=r"domain 'runbooks\.example\.org' is not allowed"):
        await make_service().fetch("https://runbooks.example.org/x.md")
    assert fake_github.requests == []


async def test_redirects_to_disallowed_hosts_are_not_followed(
    fake_github: FakeGitHub, make_service: MakeService
) -> None:
    url = fake_github.add_file("acme", "sre", "moved.md", "old")
    fake_github.redirects["/raw/acme/sre/main/moved.md"] = "http://localhost:9/internal"
    with pytest.raises(RunbookError, match="request to 'localhost' refused"):
        await make_service().fetch(url)


async def test_the_token_goes_to_github_only(fake_github: FakeGitHub, make_service: MakeService) -> None:
    # An allowed domain that is not GitHub (here the fake itself, reached by IP) never sees the token.
    service = make_service(allowed_domains=["127.0.0.1"])
    fake_github.token = None
    fake_github.add_file("acme", "sre", "x.md", "plain")
    assert await service.fetch(f"{fake_github.base_url}/raw/acme/sre/main/x.md?via=ip") == "plain"
    assert fake_github.requests[0].authorization == "token ghp_fake"  # it is the configured raw_url...
    other = make_service(allowed_domains=["localhost"])
    port = fake_github.base_url.rsplit(":", 1)[1]
    assert await other.fetch(f"http://localhost:{port}/raw/acme/sre/main/x.md") == "plain"
    assert fake_github.requests[1].authorization is None  # ...and this host is not


async def test_the_folder_is_listed_recursively_md_files_only(
    fake_github: FakeGitHub, make_service: MakeService
) -> None:
    for path in ("runbooks/pod-crash.md", "runbooks/k8s/node-down.MD", "runbooks/k8s/notes.txt", "README.md"):
        fake_github.add_file("acme", "sre", path, "...", ref="prod")
    service = make_service(repo_url="https://github.com/acme/sre/tree/prod/runbooks")

    listed = await service.list_runbooks()

    assert listed == [
        RunbookInfo(
            name="node-down.MD",
            path="runbooks/k8s/node-down.MD",
            url="https://github.com/acme/sre/blob/prod/runbooks/k8s/node-down.MD",
        ),
        RunbookInfo(
            name="pod-crash.md",
            path="runbooks/pod-crash.md",
            url="https://github.com/acme/sre/blob/prod/runbooks/pod-crash.md",
        ),
    ]
    assert {(r.path, r.query, r.authorization) for r in fake_github.requests} == {
        ("/api/repos/acme/sre/contents/runbooks", "ref=prod", "token ghp_fake"),
        ("/api/repos/acme/sre/contents/runbooks/k8s", "ref=prod", "token ghp_fake"),
    }
    # What the listing offers can be fetched as an alert's runbook.
    assert await service.fetch(listed[1].url) == "..."


async def test_the_listing_is_cached_too(fake_github: FakeGitHub, make_service: MakeService) -> None:
    fake_github.add_file("acme", "sre", "a.md", "...")
    service = make_service(repo_url="https://github.com/acme/sre")
    assert [r.path for r in await service.list_runbooks()] == ["a.md"]
    assert [r.path for r in await service.list_runbooks()] == ["a.md"]
    assert fake_github.hits("/api/repos/acme/sre/contents") == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, r"HTTP 404 \(not found"), (500, r"HTTP 500$"), (403, r"HTTP 403 \(GitHub refused")],
)
async def test_listing_failures_are_runbook_errors(
    fake_github: FakeGitHub, make_service: MakeService, status: int, expected: str
) -> None:
    fake_github.add_file("acme", "sre", "runbooks/a.md", "...")
    fake_github.statuses["/api/repos/acme/sre/contents/runbooks"] = status
    with pytest.raises(RunbookError, match=expected):
        await make_service(repo_url="https://github.com/acme/sre/tree/main/runbooks").list_runbooks()


async def test_resolve_records_a_failed_fetch_instead_of_raising(
    fake_github: FakeGitHub, make_service: MakeService
) -> None:
    resolved = await make_service().resolve("https://github.com/acme/sre/blob/main/gone.md", None)
    assert resolved.content is None
    assert resolved.error is not None and "HTTP 404" in resolved.error
