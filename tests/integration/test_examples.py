"""The shipped examples work: ``examples/embed_chain.py`` and every config under ``deploy/config``.

Each example config directory is loaded as TARSy would load ``TARSY_CONFIG_DIR``, its ``alert.json``
is checked against the alert API's schema, and the alert runs end to end in-process through
``build_chain_graph`` with a scripted model, canned ``demo-cluster`` tools and an in-memory
checkpointer (no database, network or MCP server). The reference files ``*.yaml.example`` must load
and must show every key the config models accept.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from tarsy.api.schemas import AlertRequest
from tarsy.config import (
    DefaultsConfig,
    QueueConfig,
    SystemConfig,
    TarsyConfig,
    load_config,
    resolve_agent,
    resolve_exec_summary,
    resolve_synthesis,
    stage_agent_count,
)
from tarsy.llm.factory import ModelFactory
from tarsy.masking import build_policy
from tarsy.tools.names import check_server_id
from tests.unit.graphs.cases import EXAMPLES_DIR, ROOT, example_dirs, load_example, own_chains
from tests.unit.graphs.runs import ChainRun, run_chain, script_for

EXAMPLES = [path.name for path in example_dirs()]
FAKE_KEYS = dict.fromkeys(("GOOGLE_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "XAI_API_KEY"), "fake")


def _alert(example: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES_DIR / example / "alert.json").read_text(encoding="utf-8"))
    return data


def _chain(example: str) -> str:
    (chain_id,) = own_chains(EXAMPLES_DIR / example)
    return chain_id


async def _run(example: str, **script_changes: list[dict[str, Any]]) -> ChainRun:
    config = load_example(example)
    chain_id = _chain(example)
    script = script_for(config, chain_id)
    script.script["agents"].update(script_changes)
    return await run_chain(config, chain_id, _alert(example), script=script, checkpointer=InMemorySaver())


# --- examples/embed_chain.py ---------------------------------------------------------------------


@pytest.mark.slow  # a fresh interpreter imports LangGraph and LangChain
def test_embedding_example_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "embed_chain.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    out = done.stdout
    final = out.split("== Final analysis ==\n", 1)[1].split("\n\n", 1)[0]
    assert final.startswith("1. Add an index for the inventory query.")
    assert "== Executive summary ==\ncheckout-api is slow because a slow inventory query exhausts the DB pool" in out
    for line in (
        "stage 0 'investigate' (investigation) started",
        "[MetricsAgent] llm_tool_call shop.error_rate: checkout-api: 5xx rate 12.5%",
        "[LogsAgent] llm_tool_call shop.recent_errors: 10:41:02 ERROR checkout-api db pool exhausted",
        "stage 1 'investigate - Synthesis' (synthesis) started",
        "[SynthesisAgent] llm_response: Root cause (confidence HIGH)",
        "stage 2 'remediate' (investigation) started",
        "stage 3 'Executive Summary' (exec_summary) started",
        "[session] final_analysis: 1. Add an index for the inventory query.",
    ):
        assert line in out, f"missing {line!r} in:\n{out}"
    assert "failed" not in out
    assert "checkpoints saved for thread embedded-1 by the app's checkpointer" in out


# --- deploy/config/examples ----------------------------------------------------------------------


def test_the_four_examples_exist() -> None:
    assert EXAMPLES == ["multi-stage", "parallel-synthesis", "replicas", "single-agent"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_alert_is_an_api_request_for_the_examples_chain(example: str) -> None:
    config = load_example(example)
    request = AlertRequest.model_validate(_alert(example))

    chain_id, _ = config.chain_for_alert_type(request.alert_type or config.defaults.alert_type)

    assert chain_id == _chain(example)
    assert config.defaults.alert_type == request.alert_type  # a typeless alert goes to the same chain


@pytest.mark.slow  # imports every vendor SDK
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_servers_and_providers_would_start(example: str) -> None:
    config = load_example(example)
    chain_id = _chain(example)
    for server_id, server in config.mcp_servers.items():
        check_server_id(server_id)
        masking = server.data_masking  # unknown masking groups or patterns are start-up errors
        build_policy(masking.pattern_groups, masking.patterns, masking.custom_patterns)
    runs = [
        resolve_agent(config, chain_id, stage, agent)
        for stage, spec in enumerate(config.agent_chains[chain_id].stages)
        for agent in range(stage_agent_count(spec))
    ]
    runs += [resolve_synthesis(config, chain_id, s) for s in range(len(config.agent_chains[chain_id].stages))]
    runs.append(resolve_exec_summary(config, chain_id))
    factory = ModelFactory(config, env=FAKE_KEYS)
    for provider in sorted({run.llm_provider for run in runs}):
        factory.model_for(provider)  # the vendor SDK accepts the settings (built offline: nothing is sent)


@pytest.mark.parametrize("example", EXAMPLES)
async def test_example_runs_end_to_end(example: str) -> None:
    run = await _run(example)
    script = run.script
    stages = run.config.agent_chains[run.chain_id].stages

    assert run.output.get("error") is None
    expected_stages: list[str] = []
    for index, stage in enumerate(stages):
        expected_stages.append(stage.name)
        if index in script.synthesis:
            expected_stages.append(f"{stage.name} - Synthesis")
    assert run.stage_names() == [*expected_stages, "Executive Summary"]
    assert set(run.statuses("stage.finished")) == {"completed"}
    assert set(run.statuses("execution.finished")) == {"completed"}
    last = script.synthesis.get(len(stages) - 1) or script.stage_agents[-1][0]
    assert run.output["final_analysis"] == script.answers[last]
    assert run.output["executive_summary"] == script.answers[script.exec_summary]
    assert [r["stage_name"] for r in run.output["stage_results"]] == [
        f"{s.name} - Synthesis" if i in script.synthesis else s.name for i, s in enumerate(stages)
    ]
    assert len(run.tools.calls) == len(script.tool_users) > 0


@pytest.mark.parametrize("example", EXAMPLES)
async def test_each_stage_sees_the_results_before_it_and_synthesis_sees_every_finding(example: str) -> None:
    run = await _run(example)
    script = run.script
    handed_on: list[str] = []  # what each finished stage handed to the stages after it
    for index, names in enumerate(script.stage_agents):
        for name in names:
            prompts = run.prompts_of(name)
            assert name in prompts  # its role line: these are this agent's own calls
            assert all(json.dumps(text)[1:-1] in prompts for text in handed_on), (name, handed_on)
        findings = [script.answers[name] for name in names]
        if index in script.synthesis:
            prompts = run.prompts_of(script.synthesis[index])
            assert all(json.dumps(text)[1:-1] in prompts for text in findings)
            handed_on.append(script.answers[script.synthesis[index]])
            later = [run.prompts_of(n) for stage in script.stage_agents[index + 1 :] for n in stage]
            assert not any(json.dumps(f)[1:-1] in p for f in findings for p in later), "raw findings leaked on"
        else:
            handed_on.extend(findings)
    summary = run.prompts_of(script.exec_summary)
    assert all(json.dumps(text)[1:-1] in summary for text in handed_on)


async def test_parallel_example_completes_when_one_agent_fails_under_policy_any() -> None:
    run = await _run("parallel-synthesis", EventsAgent=[{"error": "provider unavailable"}])
    synthesis = run.script.synthesis[0]

    assert run.output.get("error") is None
    assert run.stage_names() == ["investigate", "investigate - Synthesis", "plan", "Executive Summary"]
    assert run.statuses("execution.finished").count("failed") == 1
    assert set(run.statuses("stage.finished")) == {"completed"}
    prompts = run.prompts_of(synthesis)
    assert json.dumps(run.script.answers["WorkloadAgent"])[1:-1] in prompts
    assert json.dumps(run.script.answers["EventsAgent"])[1:-1] not in prompts
    assert run.output["final_analysis"] == run.script.answers["ActionPlanner"]


async def test_replicas_example_fails_the_session_when_one_replica_fails_under_policy_all() -> None:
    run = await _run("replicas", **{"OOMAgent-2": [{"error": "provider unavailable"}]})

    assert run.output["error"].startswith("stage 'investigate' failed: 1 of 3 agents failed (policy all): OOMAgent-2")
    assert run.stage_names() == ["investigate"]  # no synthesis, no executive summary
    assert run.statuses("stage.finished") == ["failed"]
    assert run.output.get("final_analysis") is None
    assert run.output.get("executive_summary") is None


# --- deploy/config/*.yaml.example ----------------------------------------------------------------


def _reference_config(tmp_path: Path) -> tuple[TarsyConfig, dict[str, Any]]:
    data: dict[str, Any] = {}
    for name in ("tarsy.yaml", "llm-providers.yaml"):
        text = (ROOT / "deploy" / "config" / f"{name}.example").read_text(encoding="utf-8")
        (tmp_path / name).write_text(text, encoding="utf-8")
        data.update(yaml.safe_load(text))
    return load_config(tmp_path, env={}), data


def test_reference_files_load_and_state_the_true_defaults(tmp_path: Path) -> None:
    config, _ = _reference_config(tmp_path)

    assert config.defaults == DefaultsConfig()
    assert config.queue == QueueConfig()
    assert config.system == SystemConfig()


def test_reference_files_show_every_key(tmp_path: Path) -> None:
    _, data = _reference_config(tmp_path)
    shown: set[str] = set()
    _collect(TarsyConfig, data, shown)

    missing = sorted(_every_key(TarsyConfig) - shown)

    assert not missing, f"keys not shown in deploy/config/*.yaml.example (add them, with their meaning): {missing}"


def _owner(model: type[BaseModel], key: str) -> str:
    """``Class.key`` of the base class that first declares ``key``: an inherited key (even one a
    subclass redeclares with another default) counts once for the whole family."""
    declaring = next(c for c in reversed(model.__mro__) if key in vars(c).get("__annotations__", {}))
    return f"{declaring.__name__}.{key}"


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


FROM_FILES = {"TarsyConfig.skills"}
"""Filled from files beside the YAML (``skills/<name>/SKILL.md``, docs/configuration.md#skills), not keys."""


def _every_key(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    seen.add(model)
    keys = {_owner(model, key) for key in model.model_fields} - FROM_FILES
    for name, field in model.model_fields.items():
        if _owner(model, name) in FROM_FILES:
            continue
        for sub in _models(field.annotation):
            if sub not in seen:
                keys |= _every_key(sub, seen)
    return keys


def _values(annotation: Any, value: Any) -> Iterator[tuple[type[BaseModel], dict[str, Any]]]:
    """The (model, mapping) pairs inside ``value``, typed by ``annotation``."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        yield from _values(args[0], value)
    elif origin is dict and isinstance(value, dict):
        for item in value.values():
            yield from _values(args[1], item)
    elif origin is list and isinstance(value, list):
        for item in value:
            yield from _values(args[0], item)
    elif isinstance(value, dict):
        candidates = _models(annotation)
        if len(candidates) > 1 or origin in (typing.Union, types.UnionType):
            candidates = [m for m in candidates if "type" not in m.model_fields or _literal(m) == value.get("type")]
        if candidates:
            yield candidates[0], value


def _literal(model: type[BaseModel]) -> Any:
    return typing.get_args(model.model_fields["type"].annotation)[0]


def _collect(model: type[BaseModel], data: dict[str, Any], shown: set[str]) -> None:
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            continue  # a shorthand such as a stage's `agent:`
        shown.add(_owner(model, key))
        for sub, sub_data in _values(field.annotation, value):
            _collect(sub, sub_data, shown)
