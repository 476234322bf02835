"""The GitHub and Slack fakes, one fresh server per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.support.fakes import FakeGitHub, FakeSlack, running_fake_github, running_fake_slack


@pytest_asyncio.fixture
async def fake_github() -> AsyncIterator[FakeGitHub]:
    async with running_fake_github(FakeGitHub(token="ghp_fake")) as github:
        yield github


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with running_fake_slack() as slack:
        yield slack
