"""Loading a scenario: the matching rules, and errors that name the file and the field to fix."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tarsy.evals.errors import ScenarioError
from tarsy.evals.scenario import Recording, load_scenario, match

from .conftest import SCENARIOS


def _variant(tmp_path: Path, change: Callable[[dict[str, Any]], None], source: str = "oomkilled-basic") -> Path:
    target = tmp_path / source
    shutil.copytree(SCENARIOS / source, target)
    data = yaml.safe_load((target / "scenario.yaml").read_text("utf-8"))
    change(data)
    (target / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return target


def test_match_prefers_the_recording_naming_most_args_then_the_first() -> None:
    recordings = [
        Recording(tool="pods_log", args={"name": "p"}, output="current"),
        Recording(tool="pods_log", args={"name": "p", "previous": True}, output="previous"),
        Recording(tool="pods_log", args={"name": "p", "namespace": "a"}, output="tie"),
    ]

    assert match(recordings, "pods_log", {"name": "p", "tail": 10}) == 0
    assert match(recordings, "pods_log", {"name": "p", "previous": True}) == 1
    assert match(recordings, "pods_log", {"name": "p", "previous": "true"}) == 1
    assert match(recordings, "pods_log", {"name": "p", "previous": False}) == 0
    assert match(recordings, "pods_log", {"name": "p", "namespace": "a", "previous": True}) == 1  # tie: first
    assert match(recordings, "pods_log", {"name": "q"}) is None
    assert match(recordings, "pods_get", {"name": "p"}) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("title"), "title: Field required"),
        (lambda d: d["recordings"][0].update(tool="kubectl_get"), "recordings[0].tool: 'kubectl_get' is not"),
        (lambda d: d["recordings"][1].update(args={"nmspace": "x", "name": "y"}), "recordings[1].args: nmspace"),
        (lambda d: d["recordings"][1].update(output="x"), "recordings[1]: Value error, give exactly one of"),
        (lambda d: d["recordings"][2].update(output_file="outputs/missing.txt"), "outputs/missing.txt does not exist"),
        (lambda d: d["ideal_path"][0]["args"].update(name="other-pod"), "ideal_path[0]: no recording answers"),
        (lambda d: d["ideal_path"][1]["args"].pop("name"), "ideal_path[1].args: pods_log requires name"),
        (lambda d: d.update(difficulty="trivial"), "difficulty: Input should be 'easy', 'medium' or 'hard'"),
        (lambda d: d["expected"]["facts"][1].update(match_any=["1Gi"]), "expected.facts[1] (limit-256mi)"),
        (lambda d: d["expected"]["forbidden"][0].update(match_any=["node"]), "expected.forbidden[0] (blames-node)"),
        (lambda d: d["expected"]["facts"].append(d["expected"]["facts"][0]), "id 'oomkilled' is used twice"),
        (lambda d: d.update(secrets=["not-in-any-recording"]), "secrets[0]: not in any recording"),
        (lambda d: d.update(secrets=["payments-api"]), "secrets[0]: reference_analysis contains it"),
    ],
)
def test_errors_name_the_file_and_the_field(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    directory = _variant(tmp_path, change)

    with pytest.raises(ScenarioError) as raised:
        load_scenario(directory)

    assert str(directory / "scenario.yaml") in raised.value.message
    assert expected in raised.value.message


def test_a_bad_name_or_bad_yaml_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "Bad_Name"
    bad.mkdir()
    (bad / "scenario.yaml").write_text("title: x\n", "utf-8")
    with pytest.raises(ScenarioError, match="lowercase letters, digits and hyphens"):
        load_scenario(bad)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "scenario.yaml").write_text("title: [unclosed\n", "utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(broken)


def test_an_output_file_outside_the_scenario_is_refused(tmp_path: Path) -> None:
    directory = _variant(tmp_path, lambda d: d["recordings"][2].update(output_file="../../etc/passwd"))

    with pytest.raises(ScenarioError, match=r"recordings\[2\].output_file: ../../etc/passwd is outside"):
        load_scenario(directory)
