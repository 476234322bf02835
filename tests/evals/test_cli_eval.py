"""``tarsy eval`` end to end: offline over stdio (the replay server as a child process), the
comparison with a previous run, and the errors a person can act on."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tarsy.cli import main
from tarsy.evals.command import EXIT_FAILED, EXIT_OK, EvalOptions, run_eval
from tarsy.evals.errors import EvalSetupError
from tarsy.evals.models import OFFLINE_LABEL
from tarsy.settings import Settings

from .conftest import SCENARIOS


async def test_offline_over_stdio_writes_results_and_compares(tmp_path: Path) -> None:
    out = io.StringIO()
    first = EvalOptions(scenarios=SCENARIOS, pattern="oomkilled-basic", offline=True, out=tmp_path / "one")

    assert await run_eval(first, Settings.from_env({}), out) == EXIT_OK

    data = json.loads((tmp_path / "one" / "results.json").read_text("utf-8"))
    assert data["meta"]["offline"] is True and data["meta"]["label"] == OFFLINE_LABEL
    assert data["totals"]["pass_rate"] == 1.0
    assert data["results"][0]["ideal_path_covered"] == 3
    assert OFFLINE_LABEL in out.getvalue()
    assert (tmp_path / "one" / "calls" / "oomkilled-basic.run1.calls.jsonl").read_text("utf-8").count("\n") == 3

    previous = json.loads((tmp_path / "one" / "results.json").read_text("utf-8"))
    previous["results"][0]["passed"] = False
    previous["totals"]["pass_rate"] = 0.0
    (tmp_path / "previous.json").write_text(json.dumps(previous), "utf-8")
    second = EvalOptions(
        scenarios=SCENARIOS,
        pattern="oomkilled-basic",
        offline=True,
        out=tmp_path / "two",
        compare=tmp_path / "previous.json",
    )
    assert await run_eval(second, Settings.from_env({}), out) == EXIT_OK
    assert "- oomkilled-basic: 0% → 100%" in (tmp_path / "two" / "comparison.md").read_text("utf-8")


async def test_a_failing_scenario_exits_1_and_says_why(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "tarsy.yaml").write_text(
        "mcp_servers:\n  kubernetes-server:\n    transport: {type: stdio, command: 'true'}\n"
        "    data_masking: {enabled: false}\n",
        "utf-8",
    )
    options = EvalOptions(
        scenarios=SCENARIOS, pattern="secret-*", offline=True, out=tmp_path / "out", config_dir=config_dir
    )

    assert await run_eval(options, Settings.from_env({}), io.StringIO()) == EXIT_FAILED
    table = (tmp_path / "out" / "results.md").read_text("utf-8")
    assert "secret-db-password run 1: secret leaks: llm input: secrets[0]" in table


async def test_an_unknown_chain_is_a_usage_error(tmp_path: Path) -> None:
    options = EvalOptions(scenarios=SCENARIOS, offline=True, out=tmp_path / "out", chain="no-such-chain")

    with pytest.raises(EvalSetupError, match="--chain no-such-chain: no such chain"):
        await run_eval(options, Settings.from_env({}), io.StringIO())


async def test_live_without_a_key_says_which_variable_to_set(tmp_path: Path) -> None:
    options = EvalOptions(scenarios=SCENARIOS, out=tmp_path / "out")

    with pytest.raises(EvalSetupError, match=r"provider 'google-default' has no credentials: set GOOGLE_API_KEY"):
        await run_eval(options, Settings.from_env({}), io.StringIO())


def test_cli_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--offline", "--scenarios", str(SCENARIOS), "--scenario", "no-such-*"]) == 2
    assert "no scenario matches 'no-such-*'" in capsys.readouterr().err
    assert main(["eval", "--offline", "--scenarios", str(SCENARIOS), "--repeat", "0"]) == 2
    assert "--repeat must be between 1 and 20" in capsys.readouterr().err


async def test_the_live_path_runs_a_configured_provider_and_its_judge(tmp_path: Path) -> None:
    """The live code path (provider from the config, LLM judge, pricing) with a scripted provider:
    its agent answers without calling tools, and it answers the judge's prompt with a verdict."""
    verdict = {"facts": [{"id": "oomkilled", "stated": True, "reason": "says OOMKilled"}], "forbidden": []}
    script = {
        "agents": {
            "*": [
                {"when": "Answer with the JSON object only.", "text": json.dumps(verdict)},
                {"text": "The container is OOMKilled: it exceeds its 256Mi limit."},
            ]
        }
    }
    (tmp_path / "script.json").write_text(json.dumps(script), "utf-8")
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "llm-providers.yaml").write_text(
        "llm_providers:\n  fake-live:\n    type: scripted\n    model: fake-model\n"
        f"    script: {tmp_path / 'script.json'}\n",
        "utf-8",
    )
    options = EvalOptions(
        scenarios=SCENARIOS,
        pattern="oomkilled-basic",
        provider="fake-live",
        out=tmp_path / "out",
        config_dir=config_dir,
    )

    assert await run_eval(options, Settings.from_env({}), io.StringIO()) == EXIT_FAILED

    data = json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))
    assert data["meta"]["offline"] is False and data["meta"]["model"] == "fake-model"
    row = data["results"][0]
    assert row["status"] == "completed" and row["tool_calls"] == 0 and row["ideal_path_covered"] == 0
    assert row["facts_found"] == ["oomkilled"]  # judge and exact check agree
    assert row["facts_missing"] == ["limit-256mi", "startup-load"]  # no verdict from the judge for these
    assert row["judge_tokens"] > 0
    assert row["cost_usd"] is None  # fake-model has no price
