"""``type: xai`` through the real ``ChatOpenAI`` (xAI speaks Chat Completions), pointed at a fake."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.wire import expect
from tests.wire.fake_vendor import FakeVendor
from tests.wire.harness import KEY, TOOL_WIRE_NAME, run_alert, write_config
from tests.wire.openai_wire import XAIChatCompletionsWire
from tests.wire.script import Failure, Scenario

pytestmark = [pytest.mark.integration]

MODEL = "grok-4"


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(XAIChatCompletionsWire()).serving() as fake:
        yield fake


async def test_investigation(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    scenario = Scenario.load("investigation")
    fake.play(*scenario.turns)
    config = write_config(tmp_path, {"type": "xai", "model": MODEL, "base_url": f"{fake.base_url}/v1"})

    run = await run_alert(config, database_url, fake)

    # Grok's reasoning is not part of the Chat Completions stream; its token count is.
    visible = Scenario([dataclasses.replace(t, thinking="") for t in scenario.turns])
    expect.investigation_stored(run, visible, model=MODEL)
    expect.investigation_streamed(run, visible)
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in fake.requests)
    assert fake.requests[0].body["tools"][0]["function"]["name"] == TOOL_WIRE_NAME


BAD_KEY = "Incorrect API key provided: wi***23. You can obtain an API key from https://console.x.ai."


async def test_bad_key_is_an_invalid_request(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    fake.play(Failure(400, BAD_KEY))
    config = write_config(tmp_path, {"type": "xai", "model": MODEL, "base_url": f"{fake.base_url}/v1"})

    run = await run_alert(config, database_url, fake)

    # xAI answers a bad key with 400, not 401, so the category (which follows the status) is
    # invalid_request; only xAI's own message can tell the person that the key is wrong.
    expect.failed_with(run, "invalid_request")


async def test_bad_key_reason_reaches_the_session(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    fake.play(Failure(400, BAD_KEY))
    config = write_config(tmp_path, {"type": "xai", "model": MODEL, "base_url": f"{fake.base_url}/v1"})

    run = await run_alert(config, database_url, fake)

    assert "Incorrect API key provided" in run.session["error_message"]
