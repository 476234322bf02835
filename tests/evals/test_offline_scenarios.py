"""Every scenario under evals/scenarios, run offline: a scripted model follows the scenario's ideal
path through TARSy's real chain, tool executor, masking and recorder, against the replay server,
and a scripted judge grades with the exact checks.

This proves the harness (and that each scenario is consistent), not any model: a scenario added by
anyone is picked up here by its directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.evals.runner import EvalSetup, run_scenario
from tarsy.evals.scenario import discover, load_scenario

from .conftest import SCENARIOS

DIRECTORIES = discover(SCENARIOS)

MASKING_GAPS = {
    # Real findings of the suite, not scenario bugs: the built-in kubernetes-server masking
    # (group `kubernetes` + certificate, token, email) lets these through. Strict: once masking
    # catches them, the xfail turns into a failure and the entry must go.
    "resourcequota-exceeded": "an env entry `- name: KAFKA_SASL_PASSWORD` / `value: ...` (key on the line before)",
    "pvc-pending-no-storageclass": "an env entry `- name: CLICKHOUSE_PASSWORD` / `value: ...`",
    "cascading-redis-oom": "`requirepass ...` inside a ConfigMap's redis.conf",
    "oom-and-bad-probe-multicause": "an AWS_SECRET_ACCESS_KEY env value (the `cloud` group is off for this server)",
}


def _param(directory: Path) -> object:
    gap = MASKING_GAPS.get(directory.name)
    marks = [pytest.mark.xfail(strict=True, reason=f"masking gap: {gap}")] if gap else []
    return pytest.param(directory, id=directory.name, marks=marks)


def test_the_suite_has_scenarios() -> None:
    assert {"oomkilled-basic", "imagepull-tag-typo", "secret-db-password"} <= {d.name for d in DIRECTORIES}


@pytest.mark.parametrize("directory", [_param(d) for d in DIRECTORIES])
async def test_scenario_passes_offline(directory: Path, offline_setup: EvalSetup) -> None:
    scenario = load_scenario(directory)

    result = await run_scenario(scenario, offline_setup)

    assert result.status == "completed", result.error
    assert result.secret_leaks == []
    assert result.forbidden_hits == []
    assert result.facts_missing == []
    assert result.judge_error is None
    assert result.passed
    # The scripted model made exactly the ideal path's calls, each answered by its recording.
    assert result.tool_calls == len(scenario.spec.ideal_path)
    assert result.ideal_path_covered == result.ideal_path_total
    assert result.unrecorded_calls == 0
    assert result.iterations == len(scenario.spec.ideal_path) + 1
