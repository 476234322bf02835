"""``/health`` says why a replica is in demo mode: forced with keys present is not "no credentials"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]


async def test_forced_demo_with_keys_says_it_is_forced(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "unused"}]}})
    env = {"TARSY_DEMO": "1", "GOOGLE_API_KEY": "not-a-real-key"}
    async with running_tarsy(config, database_url, workers=0, env=env) as tarsy:
        health = (await tarsy.client.get("/health")).json()
    assert health["mode"] == "demo"
    assert health["checks"]["llm"] == {
        "status": "demo",
        "message": "scripted demo model: forced by TARSY_DEMO=1; credentials for google-default are ignored",
    }
