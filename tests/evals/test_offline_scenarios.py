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


def test_the_suite_has_scenarios() -> None:
    assert {"oomkilled-basic", "imagepull-tag-typo", "secret-db-password"} <= {d.name for d in DIRECTORIES}


@pytest.mark.parametrize("directory", DIRECTORIES, ids=[d.name for d in DIRECTORIES])
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
