"""The secret-leak check can fail: with the Kubernetes Secret masking of ``kubernetes-server``
switched off, the scenario whose agent reads a Secret fails, and the leak is named by place and
index, never by value."""

from __future__ import annotations

import base64

from tarsy.config import TarsyConfig
from tarsy.config.masking import DataMaskingConfig
from tarsy.evals.leaks import find_leaks
from tarsy.evals.results import to_markdown
from tarsy.evals.runner import EvalSetup, run_scenario
from tarsy.evals.scenario import load_scenario

from .conftest import SCENARIOS

SECRET = "Xk9#tq2LmR7vWp4z"


def _without_masking(config: TarsyConfig) -> TarsyConfig:
    server = config.mcp_servers["kubernetes-server"]
    unmasked = server.model_copy(update={"data_masking": DataMaskingConfig(enabled=False)})
    return config.model_copy(update={"mcp_servers": {**config.mcp_servers, "kubernetes-server": unmasked}})


async def test_masking_off_fails_the_scenario(offline_setup: EvalSetup) -> None:
    scenario = load_scenario(SCENARIOS / "secret-db-password")
    assert scenario.spec.secrets == [SECRET]
    offline_setup.config = _without_masking(offline_setup.config)

    result = await run_scenario(scenario, offline_setup)

    assert result.status == "completed"
    assert not result.passed
    assert "llm input: secrets[0]" in result.secret_leaks
    assert "stored tool interaction: secrets[0]" in result.secret_leaks
    assert result.facts_missing == []  # only the leak fails it
    table = to_markdown(offline_setup.meta("now", 1), [result])
    assert "secret leaks: llm input: secrets[0]" in table
    assert SECRET not in table
    assert base64.b64encode(SECRET.encode()).decode() not in table


async def test_masking_on_keeps_the_secret_out(offline_setup: EvalSetup) -> None:
    result = await run_scenario(load_scenario(SCENARIOS / "secret-db-password"), offline_setup)

    assert result.secret_leaks == []
    assert result.passed


def test_base64_and_plain_forms_are_found() -> None:
    encoded = base64.b64encode(SECRET.encode()).decode()
    places = {"a": [f"DB_PASSWORD: {encoded}"], "b": [f"password is {SECRET}"], "c": ["nothing here"]}

    assert find_leaks([SECRET], places) == ["a: secrets[0]", "b: secrets[0]"]
