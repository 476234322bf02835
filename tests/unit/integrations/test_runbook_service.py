"""What the runbook service decides before any network call: allowed domains and inline runbooks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tarsy.config import SystemConfig
from tarsy.errors import InvalidInputError
from tarsy.integrations.runbooks import ResolvedRunbook, RunbookError, RunbookService


@pytest_asyncio.fixture
async def service() -> AsyncIterator[RunbookService]:
    runbooks = RunbookService(
        SystemConfig.model_validate(
            {
                "runbooks": {
                    "allowed_domains": ["github.com", "runbooks.example.com"],
                    # The domain check is what these tests are about: let every path of them pass.
                    "allowed_prefixes": [
                        "https://github.com/",
                        "https://gist.github.com/",
                        "http://runbooks.example.com:8443/",
                    ],
                }
            }
        ),
        env={},
    )
    yield runbooks
    await runbooks.aclose()


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/sre/blob/main/x.md",
        "https://GITHUB.com/acme/sre/blob/main/x.md",
        "https://gist.github.com/acme/123",
        "http://runbooks.example.com:8443/k8s",
    ],
)
def test_allowed_domains_and_their_subdomains_pass(service: RunbookService, url: str) -> None:
    service.validate_url(url)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://evil.example.org/x.md", "'evil.example.org'"),
        ("https://github.com.evil.org/x.md", "'github.com.evil.org'"),
        ("https://notgithub.com/x.md", "'notgithub.com'"),
        ("https://example.com/x.md", "'example.com'"),
    ],
)
def test_other_domains_are_refused_with_the_allowed_list(service: RunbookService, url: str, named: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        service.validate_url(url)
    assert named in caught.value.message
    assert "allowed domains: github.com, runbooks.example.com" in caught.value.message


@pytest.mark.parametrize("url", ["ftp://github.com/x.md", "file:///etc/passwd", "github.com/acme/x.md"])
def test_only_http_urls_are_runbook_urls(service: RunbookService, url: str) -> None:
    with pytest.raises(InvalidInputError, match="not an http"):
        service.validate_url(url)


async def test_fetching_from_a_disallowed_domain_fails_before_any_request(service: RunbookService) -> None:
    with pytest.raises(RunbookError, match=r"'127\.0\.0\.1' is not allowed"):
        await service.fetch("http://127.0.0.1:9/secret.md")


async def test_inline_chain_runbook_text_is_used_as_is(service: RunbookService) -> None:
    text = "1. Check the pod's events.\n2. Look at https://grafana.example.com"
    assert await service.resolve(None, text) == ResolvedRunbook(text, None, None)


async def test_a_failed_alert_runbook_falls_back_to_the_chain_runbook_and_is_reported(
    service: RunbookService,
) -> None:
    resolved = await service.resolve("https://elsewhere.example.org/x.md", "Restart it.")
    assert resolved.content == "Restart it."
    assert resolved.error is not None and "'elsewhere.example.org' is not allowed" in resolved.error


async def test_no_runbook_at_all_resolves_to_nothing(service: RunbookService) -> None:
    assert await service.resolve(None, None) == ResolvedRunbook(None, None, None)
    assert await service.resolve("", "  ") == ResolvedRunbook(None, None, None)


async def test_without_a_configured_folder_the_listing_is_empty(service: RunbookService) -> None:
    assert service.repo_url is None
    assert await service.list_runbooks() == []


async def test_a_repo_url_that_is_no_github_folder_is_a_clear_error() -> None:
    config = SystemConfig.model_validate({"runbooks": {"repo_url": "https://gitlab.com/acme/sre/-/tree/main"}})
    service = RunbookService(config, env={})
    try:
        with pytest.raises(RunbookError, match=r"system\.runbooks\.repo_url"):
            await service.list_runbooks()
    finally:
        await service.aclose()
