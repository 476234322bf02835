"""An evaluation scenario: ``evals/scenarios/<name>/scenario.yaml`` (+ ``outputs/``), loaded and checked.

The format is fixed (docs/evals.md "Adding a scenario"). Loading fails with a ``ScenarioError``
that names the file and the field to fix: a scenario that is wrong in a way the harness could
detect never reaches a model. Beyond the schema, ``load_scenario`` checks what makes a scenario
honest: every ideal-path step is answered by a recording, the reference analysis passes the
scenario's own exact checks, gives none of its forbidden answers and holds none of its secrets,
and every secret really is in a recording (otherwise the leak check would test nothing).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tarsy.evals.errors import ScenarioError

SCENARIO_FILE = "scenario.yaml"
NAME_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_FILE_BYTES = 2_000_000
"""A scenario file or output file larger than this is refused (a recording, not a data dump)."""
TOOLS_FILE = "kubernetes-mcp-server-0.0.67.tools.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recording(_Strict):
    tool: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)
    output: str | None = None
    output_file: str | None = None
    error: str | None = None

    @model_validator(mode="after")
    def _one_answer(self) -> Recording:
        given = [k for k in ("output", "output_file", "error") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of output, output_file, error (got {', '.join(given) or 'none'})")
        return self


class Step(_Strict):
    tool: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)


class Check(_Strict):
    """A fact a correct analysis states, or a forbidden answer it must not give."""

    id: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1)
    match_any: list[str] = Field(default_factory=list)


class Expected(_Strict):
    facts: list[Check] = Field(min_length=1)
    forbidden: list[Check] = Field(default_factory=list)


class AlertSpec(_Strict):
    alert_type: str = Field(min_length=1)
    data: dict[str, Any] | str


class ScenarioSpec(_Strict):
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    difficulty: Literal["easy", "medium", "hard"]
    multi_cause: bool = False
    misleading: bool = False
    alert: AlertSpec
    recordings: list[Recording] = Field(min_length=1)
    ideal_path: list[Step] = Field(min_length=1)
    reference_analysis: str = Field(min_length=1)
    expected: Expected
    secrets: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """What a recording answers: its text (``output``, ``output_file``'s content, or ``error``)."""

    text: str
    is_error: bool


@dataclass(frozen=True)
class Scenario:
    name: str
    directory: Path
    spec: ScenarioSpec
    answers: tuple[Answer, ...]
    """One per recording, in file order."""


@cache
def kubernetes_tools() -> tuple[dict[str, Any], ...]:
    """kubernetes-mcp-server 0.0.67's ``tools/list`` (read-only, core + config), as committed."""
    text = resources.files("tarsy.evals").joinpath(TOOLS_FILE).read_text("utf-8")
    tools: list[dict[str, Any]] = json.loads(text)
    return tuple(tools)


def tool_schemas() -> dict[str, dict[str, Any]]:
    return {tool["name"]: tool["inputSchema"] for tool in kubernetes_tools()}


def secret_forms(secret: str) -> list[str]:
    """The forms a secret can leak in: plain, and base64 (as a Secret's ``data`` holds it)."""
    encoded = base64.b64encode(secret.encode()).decode()
    return [secret, encoded, encoded.rstrip("=")]


def contains_any(text: str, needles: list[str]) -> str | None:
    """The first needle found in ``text`` (case-insensitive), or None."""
    folded = text.casefold()
    return next((n for n in needles if n.casefold() in folded), None)


def _same(recorded: Any, called: Any) -> bool:
    """Equal values; ``true``/``false`` compare as booleans whichever side spelled them as text."""
    if isinstance(recorded, bool) or isinstance(called, bool):
        return str(recorded).lower() == str(called).lower()
    return bool(recorded == called)


def match(recordings: list[Recording], tool: str, args: dict[str, Any]) -> int | None:
    """The index of the recording answering ``tool(args)`` (rules in docs/evals.md), or None.

    Every key of the recording's ``args`` must be in the call with an equal value; keys the
    recording does not name are ignored. The recording naming the most args wins; ties: the first.
    """
    best: int | None = None
    for i, recording in enumerate(recordings):
        if recording.tool != tool:
            continue
        if not all(key in args and _same(value, args[key]) for key, value in recording.args.items()):
            continue
        if best is None or len(recording.args) > len(recordings[best].args):
            best = i
    return best


def discover(root: Path, pattern: str = "*") -> list[Path]:
    """Scenario directories under ``root`` whose name matches the glob ``pattern``, sorted."""
    return sorted(p.parent for p in root.glob(f"{pattern}/{SCENARIO_FILE}"))


def load_scenario(directory: Path) -> Scenario:
    """Load and check one scenario; raises ``ScenarioError`` naming the file and the field."""
    name = directory.name
    file = directory / SCENARIO_FILE
    if not NAME_PATTERN.fullmatch(name):
        raise ScenarioError(f"{directory}: a scenario name is lowercase letters, digits and hyphens")
    spec = _parse(file)
    answers = tuple(_answer(directory, file, i, r) for i, r in enumerate(spec.recordings))
    scenario = Scenario(name, directory, spec, answers)
    problems = _problems(scenario)
    if problems:
        raise ScenarioError(f"{file}: " + "; ".join(problems))
    return scenario


def _read(file: Path, what: str) -> str:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{file}: {what} is larger than {MAX_FILE_BYTES} bytes")
        return file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{file}: cannot read {what} ({exc})") from None


def _parse(file: Path) -> ScenarioSpec:
    try:
        data = yaml.safe_load(_read(file, "the scenario"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{file}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{file}: the top level must be a mapping (title, alert, recordings, ...)")
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        issues = [f"{_field(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
        raise ScenarioError(f"{file}: " + "; ".join(issues)) from None


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _answer(directory: Path, file: Path, index: int, recording: Recording) -> Answer:
    if recording.error is not None:
        return Answer(recording.error, is_error=True)
    if recording.output is not None:
        return Answer(recording.output, is_error=False)
    assert recording.output_file is not None
    target = (directory / recording.output_file).resolve()
    if not target.is_relative_to(directory.resolve()):
        raise ScenarioError(f"{file}: recordings[{index}].output_file: {recording.output_file} is outside the scenario")
    if not target.is_file():
        raise ScenarioError(f"{file}: recordings[{index}].output_file: {recording.output_file} does not exist")
    return Answer(_read(target, f"recordings[{index}].output_file"), is_error=False)


def _problems(scenario: Scenario) -> list[str]:
    spec = scenario.spec
    return [
        *_tool_problems(spec),
        *_path_problems(spec),
        *_check_problems(spec),
        *_secret_problems(scenario),
    ]


def _tool_problems(spec: ScenarioSpec) -> list[str]:
    schemas = tool_schemas()
    problems: list[str] = []
    entries = [("recordings", i, r.tool, r.args) for i, r in enumerate(spec.recordings)]
    entries += [("ideal_path", i, s.tool, s.args) for i, s in enumerate(spec.ideal_path)]
    for where, i, tool, args in entries:
        schema = schemas.get(tool)
        if schema is None:
            problems.append(f"{where}[{i}].tool: {tool!r} is not a kubernetes-mcp-server 0.0.67 tool")
            continue
        known = schema.get("properties", {})
        unknown = sorted(set(args) - set(known))
        if unknown:
            problems.append(f"{where}[{i}].args: {', '.join(unknown)} not an argument of {tool} ({', '.join(known)})")
        missing = sorted(set(schema.get("required", [])) - set(args))
        if where == "ideal_path" and missing:
            problems.append(f"{where}[{i}].args: {tool} requires {', '.join(missing)}")
    return problems


def _path_problems(spec: ScenarioSpec) -> list[str]:
    return [
        f"ideal_path[{i}]: no recording answers {step.tool} {json.dumps(step.args, sort_keys=True)}"
        for i, step in enumerate(spec.ideal_path)
        if match(spec.recordings, step.tool, step.args) is None
    ]


def _check_problems(spec: ScenarioSpec) -> list[str]:
    problems: list[str] = []
    checks = [("facts", c) for c in spec.expected.facts] + [("forbidden", c) for c in spec.expected.forbidden]
    seen: set[str] = set()
    for where, check in checks:
        if check.id in seen:
            problems.append(f"expected.{where}: id {check.id!r} is used twice")
        seen.add(check.id)
    reference = spec.reference_analysis
    for i, fact in enumerate(spec.expected.facts):
        if fact.match_any and contains_any(reference, fact.match_any) is None:
            problems.append(f"expected.facts[{i}] ({fact.id}): reference_analysis contains none of its match_any")
    for i, bad in enumerate(spec.expected.forbidden):
        hit = contains_any(reference, bad.match_any)
        if hit is not None:
            problems.append(f"expected.forbidden[{i}] ({bad.id}): reference_analysis contains {hit!r}")
    return problems


def _secret_problems(scenario: Scenario) -> list[str]:
    problems: list[str] = []
    recorded = "\n".join(a.text for a in scenario.answers)
    for i, secret in enumerate(scenario.spec.secrets):
        if len(secret) < 4:
            problems.append(f"secrets[{i}]: too short to check for leaks (4 characters at least)")
            continue
        if contains_any(scenario.spec.reference_analysis, secret_forms(secret)) is not None:
            problems.append(f"secrets[{i}]: reference_analysis contains it")
        if not any(form in recorded for form in secret_forms(secret)):
            problems.append(f"secrets[{i}]: not in any recording (plain or base64), so nothing could leak it")
    return problems
