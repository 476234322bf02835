"""An evaluation's results: one row per scenario run, totals, JSON and Markdown, and the comparison
with a previous results file (regressions first)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tarsy.evals.errors import EvalSetupError

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"
COMPARISON_MD = "comparison.md"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ScenarioResult:
    scenario: str
    run: int
    """1-based repeat number."""
    passed: bool
    status: str
    """``completed`` or ``failed`` (the chain's own outcome)."""
    facts_found: list[str]
    facts_missing: list[str]
    forbidden_hits: list[str]
    secret_leaks: list[str]
    """Where a secret was found (``llm input``, ``timeline``...) and which (``secrets[0]``), never the value."""
    tool_calls: int
    unrecorded_calls: int
    ideal_path_covered: int
    ideal_path_total: int
    iterations: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    duration_s: float
    judge: list[dict[str, Any]] = field(default_factory=list)
    """Per item: id, kind, judge, exact, holds, reason."""
    judge_error: str | None = None
    error: str | None = None
    judge_tokens: int = 0


@dataclass(frozen=True)
class RunMeta:
    provider: str
    model: str
    judge: str
    chain: str
    offline: bool
    label: str
    started_at: str
    repeat: int
    version: str


@dataclass(frozen=True)
class Totals:
    runs: int
    passed: int
    pass_rate: float
    tool_calls: int
    iterations: int
    tokens: int
    cost_usd: float | None
    duration_s: float


def totals(rows: list[ScenarioResult]) -> Totals:
    costs = [r.cost_usd for r in rows]
    return Totals(
        runs=len(rows),
        passed=sum(r.passed for r in rows),
        pass_rate=round(sum(r.passed for r in rows) / len(rows), 4) if rows else 0.0,
        tool_calls=sum(r.tool_calls for r in rows),
        iterations=sum(r.iterations for r in rows),
        tokens=sum(r.input_tokens + r.output_tokens for r in rows),
        cost_usd=None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 6),
        duration_s=round(sum(r.duration_s for r in rows), 2),
    )


def to_json(meta: RunMeta, rows: list[ScenarioResult]) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "meta": asdict(meta),
        "totals": asdict(totals(rows)),
        "results": [asdict(r) for r in rows],
    }


def _cost(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _by_scenario(rows: list[ScenarioResult]) -> dict[str, list[ScenarioResult]]:
    grouped: dict[str, list[ScenarioResult]] = {}
    for row in rows:
        grouped.setdefault(row.scenario, []).append(row)
    return grouped


def _row(name: str, runs: list[ScenarioResult]) -> str:
    passed = sum(r.passed for r in runs)
    verdict = ("pass" if passed else "FAIL") if len(runs) == 1 else f"{passed}/{len(runs)}"
    last = runs[-1]
    facts = f"{len(last.facts_found)}/{len(last.facts_found) + len(last.facts_missing)}"
    forbidden = ", ".join(last.forbidden_hits) or "-"
    leaks = ", ".join(last.secret_leaks) or "-"
    n = len(runs)
    calls = sum(r.tool_calls for r in runs) / n
    covered = f"{last.ideal_path_covered}/{last.ideal_path_total}"
    iterations = sum(r.iterations for r in runs) / n
    tokens = sum(r.input_tokens + r.output_tokens for r in runs) // n
    costs = [r.cost_usd for r in runs]
    cost = None if any(c is None for c in costs) else sum(c or 0.0 for c in costs) / n
    seconds = sum(r.duration_s for r in runs) / n
    return (
        f"| {name} | {verdict} | {facts} | {forbidden} | {leaks} | {calls:g} | {covered} | {iterations:g} "
        f"| {tokens} | {_cost(cost)} | {seconds:.1f} |"
    )


def to_markdown(meta: RunMeta, rows: list[ScenarioResult]) -> str:
    total = totals(rows)
    head = [
        f"# Evaluation: {meta.provider} ({meta.model}), chain {meta.chain}",
        "",
        f"{meta.label}. Judge: {meta.judge}. Started {meta.started_at}, TARSy {meta.version}, "
        f"{meta.repeat} run(s) per scenario.",
        "",
        f"**Pass rate: {total.passed}/{total.runs} ({total.pass_rate:.0%})**; tool calls {total.tool_calls}, "
        f"iterations {total.iterations}, tokens {total.tokens}, cost USD {_cost(total.cost_usd)}, "
        f"time {total.duration_s:.1f} s.",
        "",
        "| scenario | pass | facts | forbidden hits | secret leaks | tool calls | ideal path | iterations "
        "| tokens | cost USD | time s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    body = [_row(name, runs) for name, runs in _by_scenario(rows).items()]
    failures = [f"- {r.scenario} run {r.run}: {_why(r)}" for r in rows if not r.passed]
    tail = ["", "## Failures", "", *failures] if failures else []
    return "\n".join([*head, *body, *tail]) + "\n"


def _why(row: ScenarioResult) -> str:
    reasons = []
    if row.error:
        reasons.append(f"the run failed ({row.error})")
    if row.facts_missing:
        reasons.append(f"facts missing: {', '.join(row.facts_missing)}")
    if row.forbidden_hits:
        reasons.append(f"forbidden answers: {', '.join(row.forbidden_hits)}")
    if row.secret_leaks:
        reasons.append(f"secret leaks: {', '.join(row.secret_leaks)}")
    if row.judge_error:
        reasons.append(f"judge: {row.judge_error}")
    return "; ".join(reasons) or "unknown"


def write(out: Path, meta: RunMeta, rows: list[ScenarioResult]) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / RESULTS_JSON, out / RESULTS_MD
    json_path.write_text(json.dumps(to_json(meta, rows), indent=2) + "\n", "utf-8")
    md_path.write_text(to_markdown(meta, rows), "utf-8")
    return json_path, md_path


def pass_rates(data: dict[str, Any]) -> dict[str, float]:
    """Per scenario, the share of its runs that passed, from a results JSON."""
    runs: dict[str, list[bool]] = {}
    for row in data.get("results", []):
        runs.setdefault(str(row["scenario"]), []).append(bool(row["passed"]))
    return {name: sum(flags) / len(flags) for name, flags in runs.items()}


def load_results(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise EvalSetupError(f"--compare {path}: cannot read a results file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise EvalSetupError(f"--compare {path}: not a results.json written by tarsy eval")
    return data


def compare(previous: dict[str, Any], current: dict[str, Any]) -> str:
    """Markdown: regressions, improvements, scenarios only in one of the two, and the totals."""
    before, after = pass_rates(previous), pass_rates(current)
    common = sorted(set(before) & set(after))
    worse = [f"- {n}: {before[n]:.0%} → {after[n]:.0%}" for n in common if after[n] < before[n]]
    better = [f"- {n}: {before[n]:.0%} → {after[n]:.0%}" for n in common if after[n] > before[n]]
    lines = [
        "# Comparison with the previous results",
        "",
        f"Pass rate: {previous['totals']['pass_rate']:.0%} → {current['totals']['pass_rate']:.0%} "
        f"({len(common)} scenarios in both).",
        "",
        f"## Regressions ({len(worse)})",
        "",
        *(worse or ["none"]),
        "",
        f"## Improvements ({len(better)})",
        "",
        *(better or ["none"]),
    ]
    only_new, only_old = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    if only_new:
        lines += ["", f"New scenarios: {', '.join(only_new)}"]
    if only_old:
        lines += ["", f"No longer run: {', '.join(only_old)}"]
    return "\n".join(lines) + "\n"
