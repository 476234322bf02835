"""Results files: the Markdown table, the totals, and the comparison with a previous run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tarsy.evals.errors import EvalSetupError
from tarsy.evals.results import RunMeta, ScenarioResult, compare, load_results, to_json, to_markdown, totals, write

META = RunMeta("google-default", "gemini-x", "google-default", "by alert type", False, "live", "t", 1, "0.1.0")
ROW = ScenarioResult(
    scenario="a",
    run=1,
    passed=True,
    status="completed",
    facts_found=["f1", "f2"],
    facts_missing=[],
    forbidden_hits=[],
    secret_leaks=[],
    tool_calls=4,
    unrecorded_calls=1,
    ideal_path_covered=3,
    ideal_path_total=3,
    iterations=5,
    input_tokens=1000,
    output_tokens=200,
    cost_usd=0.01,
    duration_s=3.25,
)


def _rows(**passed: bool) -> list[ScenarioResult]:
    return [replace(ROW, scenario=name, passed=ok) for name, ok in passed.items()]


def test_markdown_has_a_row_per_scenario_and_the_totals() -> None:
    failed = replace(ROW, scenario="b", passed=False, facts_found=["f1"], facts_missing=["f2"], cost_usd=None)

    text = to_markdown(META, [ROW, failed])

    assert "**Pass rate: 1/2 (50%)**" in text
    assert "| a | pass | 2/2 | - | - | 4 | 3/3 | 5 | 1200 | 0.0100 | 3.2 |" in text
    assert "| b | FAIL | 1/2 |" in text
    assert "- b run 1: facts missing: f2" in text
    assert totals([ROW, failed]).cost_usd is None  # one run could not be priced


def test_repeats_are_shown_as_a_fraction() -> None:
    rows = [ROW, replace(ROW, run=2, passed=False)]

    assert "| a | 1/2 |" in to_markdown(META, rows)


def test_comparison_names_regressions_improvements_and_changes_in_the_suite(tmp_path: Path) -> None:
    previous = to_json(META, _rows(a=True, b=False, c=True, gone=True))
    current = to_json(META, _rows(a=False, b=True, c=True, new=True))

    text = compare(previous, current)

    assert "Pass rate: 75% → 75% (3 scenarios in both)" in text
    assert "## Regressions (1)\n\n- a: 100% → 0%" in text
    assert "## Improvements (1)\n\n- b: 0% → 100%" in text
    assert "New scenarios: new" in text
    assert "No longer run: gone" in text


def test_results_round_trip_and_a_bad_previous_file_is_refused(tmp_path: Path) -> None:
    json_path, md_path = write(tmp_path / "out", META, [ROW])
    assert load_results(json_path)["totals"]["pass_rate"] == 1.0
    assert md_path.read_text("utf-8").startswith("# Evaluation: google-default")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"rows": []}), "utf-8")
    with pytest.raises(EvalSetupError, match=r"not a results\.json"):
        load_results(bad)
    with pytest.raises(EvalSetupError, match="cannot read"):
        load_results(tmp_path / "missing.json")
