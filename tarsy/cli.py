"""``tarsy`` command: ``serve``, ``worker``, ``migrate``, ``check-config``, ``investigate``, ``eval`` and ``--version``.

Each subcommand's ``--help`` names the environment variables and configuration keys it reads
(docs/deployment.md has the same list per deployment shape).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tarsy.build_info import version
from tarsy.config import ConfigError
from tarsy.demo import DemoModeError
from tarsy.masking import MaskingConfigError
from tarsy.observability.logging import configure_logging
from tarsy.settings import Settings

if TYPE_CHECKING:
    from tarsy.runtime.service import Services

_COMMON_ENV = """\
  TARSY_CONFIG_DIR    folder with tarsy.yaml / llm-providers.yaml (unset: built-in config)
  DATABASE_URL        PostgreSQL URL (unset: embedded PostgreSQL in TARSY_DATA_DIR)
  TARSY_DATA_DIR      embedded database folder (default .data)
  TARSY_DEMO          1: scripted demo model; 0: never (unset: demo only without credentials)
  TARSY_WORKERS       workers in this process, overrides queue.worker_count (0: none)
  TARSY_LOG_LEVEL     DEBUG|INFO|WARNING|ERROR (default INFO)
  TARSY_LOG_FORMAT    console|json (default console)
  provider keys       the variables named by llm_providers.*.api_key_env (e.g. GOOGLE_API_KEY)"""

_COMMON_KEYS = """\
  queue.worker_count, queue.max_concurrent_sessions, queue.poll_interval, queue.heartbeat_interval,
  queue.orphan_threshold, queue.graceful_shutdown_timeout, queue.session_timeout, queue.chat_timeout,
  defaults.*, agent_chains.*, agents.*, mcp_servers.*, llm_providers.*, system.retention.*,
  system.slack.*, system.runbooks.*, system.github.*"""

SERVE_HELP = f"""\
environment:
{_COMMON_ENV}
  TARSY_HOST          address to bind (default 127.0.0.1; 0.0.0.0 in the container image)
  TARSY_PORT          port (default 8080)
  TARSY_DASHBOARD_DIR built dashboard to serve (unset: the copy inside the installed package)

config keys:
{_COMMON_KEYS}
  system.max_alert_data_bytes, system.sse_ping_interval, system.max_chat_message_chars,
  system.readiness_timeout, system.dashboard_url, system.alertmanager.*
"""

WORKER_HELP = f"""\
environment:
{_COMMON_ENV}
  TARSY_HEALTH_PORT   serve /health/live and /health/ready on TARSY_HOST:this port (unset: no HTTP)
  TARSY_HOST          address the probes bind (default 127.0.0.1)

config keys:
{_COMMON_KEYS}
  system.readiness_timeout
"""

MIGRATE_HELP = """\
Applies the bundled schema migrations and LangGraph's checkpoint tables, then exits. Safe to run
from several replicas at once (an advisory lock serialises them); run it as a Job or init container.

environment:
  DATABASE_URL        PostgreSQL URL (required)
  TARSY_LOG_LEVEL     DEBUG|INFO|WARNING|ERROR (default INFO)
  TARSY_LOG_FORMAT    console|json (default console)

config keys: none (the schema does not depend on the configuration)
"""

CHECK_CONFIG_HELP = """\
Loads DIR (tarsy.yaml, llm-providers.yaml) over the built-ins exactly as `tarsy serve` would,
expanding ${VAR} from the environment, and prints every problem found. Exit status: 0 valid,
1 invalid. Credentials are not required: only that referenced ${VAR}s without defaults are set.

environment:
  TARSY_CONFIG_DIR    the folder checked when DIR is not given (unset: the built-in config)
  ${VAR}              every variable the files reference

config keys: all of tarsy.yaml (defaults, queue, system, mcp_servers, agents, agent_chains)
  and llm-providers.yaml (llm_providers), plus masking groups/patterns they name
"""


def serve(settings: Settings) -> int:
    import uvicorn

    from tarsy.api.app import create_app
    from tarsy.api.guard import build_policy
    from tarsy.config import load_config
    from tarsy.runtime.alerts import alert_masker
    from tarsy.runtime.service import decide_demo

    # Fail before serving, with the config's own message, rather than inside the lifespan.
    config = load_config(settings.config_dir, settings.environ)
    decide_demo(settings, config, settings.environ)
    alert_masker(config)  # an unknown masking group is a start-up error, not a first-alert error
    build_policy(config, settings.host, settings.environ)  # bad TARSY_API_TOKENS, or auth 'none' on a public address
    app = create_app(settings, config=config)
    # log_config=None: uvicorn's loggers go through our handler (JSON or console) too.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(), log_config=None)
    return 0


async def _worker(settings: Settings) -> int:
    from tarsy.runtime.service import start_services

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        services = await start_services(stack, settings)
        if settings.health_port is None:
            await stop.wait()
        else:
            await _serve_probes(services, settings, stop)
    return 0


async def _serve_probes(services: Services, settings: Settings, stop: asyncio.Event) -> None:
    """Serve the probes until ``stop`` (our signal handlers stay in charge of shutting down)."""
    import uvicorn

    from tarsy.api.probe_app import create_probe_app

    config = uvicorn.Config(
        create_probe_app(services),
        host=settings.host,
        port=settings.health_port or 0,
        lifespan="off",
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server._serve())  # _serve: without uvicorn's own signal handlers
    await stop.wait()
    server.should_exit = True
    await serving


async def _migrate(settings: Settings) -> int:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    from tarsy.store.db import open_pool
    from tarsy.store.migrate import apply_migrations

    if settings.database_url is None:
        print(
            "tarsy migrate: DATABASE_URL is not set (the embedded database migrates itself at start-up)",
            file=sys.stderr,
        )
        return 2
    pool = await open_pool(settings.database_url, min_size=1, max_size=2)
    try:
        applied = await apply_migrations(pool)
        await AsyncPostgresSaver(pool).setup()
    finally:
        await pool.close()
    done = ", ".join(f"{v:03d}" for v in applied) if applied else "none (schema up to date)"
    print(f"tarsy migrate: applied {done}")
    return 0


def check_config(directory: Path | None) -> int:
    from tarsy.config import load_config
    from tarsy.runtime.alerts import alert_masker

    where = str(directory) if directory is not None else "the built-in configuration (TARSY_CONFIG_DIR is unset)"
    try:
        config = load_config(directory)
        alert_masker(config)
    except ConfigError as exc:
        print(f"tarsy check-config: {where}: {len(exc.issues)} problem(s):", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return 1
    except MaskingConfigError as exc:
        print(f"tarsy check-config: {where}: masking: {exc}", file=sys.stderr)
        return 1
    print(
        f"tarsy check-config: {where} is valid: {len(config.agent_chains)} chains, {len(config.agents)} agents, "
        f"{len(config.mcp_servers)} MCP servers, {len(config.llm_providers)} LLM providers"
    )
    return 0


INVESTIGATE_HELP = """\
Runs one alert through a chain in this process (no server; no database unless DATABASE_URL, where
the checkpoints then go) and prints the timeline to stderr and the final analysis to stdout.
Exit status: 0 completed, 1 the investigation failed, 2 a usage error (the message says what to fix).

environment:
  TARSY_CONFIG_DIR    the configuration folder when --config is not given (unset: built-in config)
  TARSY_DEMO          1: scripted demo model; 0: never (unset: demo only without credentials)
  DATABASE_URL        store the run's checkpoints in PostgreSQL (thread id printed)
  TARSY_LOG_LEVEL     log level (default WARNING here: the timeline is the output)
  provider keys       the variables named by llm_providers.*.api_key_env (e.g. GOOGLE_API_KEY)
"""


def _add_investigate(sub: Any) -> None:
    cmd = sub.add_parser(
        "investigate",
        help="investigate one alert in-process and print the analysis",
        epilog=INVESTIGATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("--alert-type", required=True, help="the alert type (selects the chain unless --chain)")
    cmd.add_argument("--data", required=True, help="the alert: JSON or text, @FILE to read a file, @- for stdin")
    cmd.add_argument("--chain", help="run this chain instead of the alert type's")
    cmd.add_argument("--config", type=Path, help="configuration folder (default: TARSY_CONFIG_DIR)")
    cmd.add_argument("--json", action="store_true", help="print a machine-readable result on stdout")


def investigate(args: argparse.Namespace, settings: Settings) -> int:
    from tarsy.runtime.investigate import EXIT_USAGE, Request, UsageError
    from tarsy.runtime.investigate import investigate as run

    request = Request(args.alert_type, args.data, args.chain, args.config, args.json)
    try:
        return asyncio.run(run(request, settings))
    except UsageError as exc:
        print(f"tarsy investigate: {exc}", file=sys.stderr)
        return EXIT_USAGE


EVAL_HELP = """\
Runs a chain against the evaluation scenarios (evals/scenarios/<name>/) with the replay MCP server in
place of kubernetes-server, judges each analysis (required facts, forbidden answers, secret leaks)
and writes results.json and results.md (docs/evals.md). Exit status: 0 every run passed, 1 some
failed, 2 a usage error. --offline needs no key: a scripted model follows each scenario's ideal
path and a scripted judge uses the exact checks (it proves the harness, not the model).

environment:
  TARSY_CONFIG_DIR    the configuration folder when --config is not given (unset: built-in config)
  provider keys       the variable named by the provider's api_key_env (e.g. GOOGLE_API_KEY)
"""


def _add_eval(sub: Any) -> None:
    cmd = sub.add_parser(
        "eval",
        help="measure a chain on the recorded evaluation scenarios",
        epilog=EVAL_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("--model", metavar="PROVIDER", help="LLM provider (llm-providers.yaml) for every agent")
    cmd.add_argument("--scenario", metavar="GLOB", default="*", help="scenario names to run (default: all)")
    cmd.add_argument("--repeat", type=int, default=1, metavar="N", help="runs per scenario (default 1)")
    cmd.add_argument("--chain", help="chain to run (default: the one each alert type routes to)")
    cmd.add_argument("--judge-model", metavar="PROVIDER", help="provider of the LLM judge (default: --model)")
    cmd.add_argument("--out", type=Path, metavar="DIR", help="results folder (default evals/results/<time>-<provider>)")
    cmd.add_argument("--compare", type=Path, metavar="FILE", help="a previous results.json to compare with")
    cmd.add_argument("--offline", action="store_true", help="scripted model and judge: proves the harness only")
    cmd.add_argument("--scenarios", type=Path, default=Path("evals/scenarios"), help="scenarios folder")
    cmd.add_argument("--config", type=Path, help="configuration folder (default: TARSY_CONFIG_DIR)")


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from tarsy.evals.command import EXIT_USAGE, EvalOptions, run_eval
    from tarsy.evals.errors import EvalSetupError, ScenarioError

    options = EvalOptions(
        scenarios=args.scenarios,
        pattern=args.scenario,
        provider=args.model,
        judge_provider=args.judge_model,
        chain=args.chain,
        repeat=args.repeat,
        out=args.out,
        compare=args.compare,
        offline=args.offline,
        config_dir=args.config,
    )
    try:
        return asyncio.run(run_eval(options, settings))
    except (EvalSetupError, ScenarioError) as exc:
        print(f"tarsy eval: {exc.message}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tarsy", description="TARSy: an AI SRE that investigates alerts")
    parser.add_argument("--version", action="version", version=f"tarsy {version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    raw = argparse.RawDescriptionHelpFormatter
    sub.add_parser("serve", help="serve the API and dashboard, and run workers", epilog=SERVE_HELP, formatter_class=raw)
    sub.add_parser("worker", help="run workers only (scale-out replica)", epilog=WORKER_HELP, formatter_class=raw)
    sub.add_parser("migrate", help="apply the database schema and exit", epilog=MIGRATE_HELP, formatter_class=raw)
    check = sub.add_parser(
        "check-config", help="validate a configuration folder", epilog=CHECK_CONFIG_HELP, formatter_class=raw
    )
    check.add_argument("dir", nargs="?", type=Path, help="configuration folder (default: TARSY_CONFIG_DIR)")
    _add_investigate(sub)
    _add_eval(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # The runtime (LangGraph, providers) is imported only by the commands that run it: --help,
    # --version and check-config answer quickly.
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    # investigate and eval print their own progress: INFO logs would interleave with it unless asked for.
    quiet = args.command in ("investigate", "eval") and "TARSY_LOG_LEVEL" not in settings.environ
    configure_logging("WARNING" if quiet else settings.log_level, settings.log_format)
    if args.command == "check-config":
        return check_config(args.dir if args.dir is not None else settings.config_dir)
    try:
        if args.command == "serve":
            return serve(settings)
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "investigate":
            return investigate(args, settings)
        if args.command == "eval":
            return evaluate(args, settings)
        return asyncio.run(_worker(settings))
    except (ConfigError, DemoModeError, MaskingConfigError) as exc:
        print(f"tarsy: cannot start:\n{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
