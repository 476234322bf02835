"""The ``tarsy eval`` command: options in, scenarios run, results written, exit status out.

Exit status: 0 every scenario run passed, 1 some failed, 2 a usage error (the message says what to
fix: no scenario matched, a scenario is invalid, no credentials for the provider...).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from tarsy.config import TarsyConfig, load_config
from tarsy.demo.mode import credential_env
from tarsy.evals.errors import EvalSetupError
from tarsy.evals.models import OFFLINE_LABEL
from tarsy.evals.results import ScenarioResult, compare, load_results, to_json, totals, write
from tarsy.evals.runner import EvalSetup, run_scenario, timestamp
from tarsy.evals.scenario import Scenario, discover, load_scenario
from tarsy.evals.tools import Transport
from tarsy.llm.factory import ModelFactory
from tarsy.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_SCENARIOS = Path("evals/scenarios")
DEFAULT_RESULTS = Path("evals/results")
MAX_REPEAT = 20


@dataclass(frozen=True)
class EvalOptions:
    scenarios: Path = DEFAULT_SCENARIOS
    pattern: str = "*"
    provider: str | None = None
    judge_provider: str | None = None
    chain: str | None = None
    repeat: int = 1
    out: Path | None = None
    compare: Path | None = None
    offline: bool = False
    config_dir: Path | None = None
    transport: Transport = "stdio"


def load_all(options: EvalOptions) -> list[Scenario]:
    """The scenarios matching the pattern, every one checked; raises ``EvalSetupError``/``ScenarioError``."""
    found = discover(options.scenarios, options.pattern)
    if not found:
        raise EvalSetupError(f"no scenario matches {options.pattern!r} under {options.scenarios}")
    return [load_scenario(directory) for directory in found]


def _live_models(options: EvalOptions, config: TarsyConfig, settings: Settings) -> tuple[ModelFactory, str]:
    provider = options.provider or config.defaults.llm_provider
    for name in {provider, options.judge_provider or provider}:
        if name not in config.llm_providers:
            known = ", ".join(sorted(config.llm_providers))
            raise EvalSetupError(f"no LLM provider {name!r} in the configuration; it has: {known}")
        entry = config.llm_providers[name]
        if not entry.credentials_present(settings.environ):
            raise EvalSetupError(
                f"provider {name!r} has no credentials: set {credential_env(entry)} (or run "
                f"`tarsy eval --offline`, which proves the harness, not a model)"
            )
    return ModelFactory(config, env=settings.environ, demo=False), provider


def build_setup(options: EvalOptions, settings: Settings, workdir: Path) -> EvalSetup:
    config = load_config(options.config_dir or settings.config_dir, settings.environ)
    if options.chain is not None and options.chain not in config.agent_chains:
        raise EvalSetupError(
            f"--chain {options.chain}: no such chain; the config has: {', '.join(config.agent_chains)}"
        )
    setup = EvalSetup(config=config, transport=options.transport, workdir=workdir, chain=options.chain)
    if options.offline:
        setup.offline = True
        return setup
    setup.models, default = _live_models(options, config, settings)
    setup.provider = options.provider  # None: every agent keeps the provider the config gives it
    setup.judge_provider = options.judge_provider or default
    return setup


def _out_dir(options: EvalOptions) -> Path:
    if options.out is not None:
        return options.out
    name = "offline" if options.offline else (options.provider or "default")
    return DEFAULT_RESULTS / f"{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{name}"


async def run_eval(options: EvalOptions, settings: Settings, out: TextIO = sys.stdout) -> int:
    """Run the evaluation; raises ``EvalSetupError``/``ScenarioError`` for usage errors."""
    if not 1 <= options.repeat <= MAX_REPEAT:
        raise EvalSetupError(f"--repeat must be between 1 and {MAX_REPEAT}")
    scenarios = load_all(options)
    previous = load_results(options.compare) if options.compare is not None else None
    target = _out_dir(options)
    setup = build_setup(options, settings, target / "calls")
    started = timestamp()
    if setup.offline:
        out.write(f"tarsy eval: OFFLINE ({OFFLINE_LABEL})\n")
    rows: list[ScenarioResult] = []
    for scenario in scenarios:
        for run in range(1, options.repeat + 1):
            row = await run_scenario(scenario, setup, run)
            rows.append(row)
            mark = "pass" if row.passed else "FAIL"
            out.write(f"  {mark} {scenario.name} (run {run}) {row.duration_s:.1f}s\n")
            out.flush()
    meta = setup.meta(started, options.repeat)
    json_path, md_path = write(target, meta, rows)
    total = totals(rows)
    out.write(f"pass rate {total.passed}/{total.runs} ({total.pass_rate:.0%}); results: {json_path}, {md_path}\n")
    if previous is not None:
        comparison = compare(previous, to_json(meta, rows))
        (target / "comparison.md").write_text(comparison, "utf-8")
        out.write(comparison)
    return EXIT_OK if total.passed == total.runs else EXIT_FAILED
