"""``tarsy`` command: ``serve`` (API + workers) and ``worker`` (workers only)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from contextlib import AsyncExitStack

from tarsy.config import ConfigError
from tarsy.masking import MaskingConfigError
from tarsy.observability.logging import configure_logging
from tarsy.runtime.service import DemoModeError, start_services
from tarsy.settings import Settings


def serve(settings: Settings) -> int:
    import os

    import uvicorn

    from tarsy.api.app import create_app
    from tarsy.api.guard import build_policy
    from tarsy.config import load_config
    from tarsy.runtime.alerts import alert_masker
    from tarsy.runtime.service import decide_demo

    # Fail before serving, with the config's own message, rather than inside the lifespan.
    config = load_config(settings.config_dir)
    decide_demo(settings, config, os.environ)
    alert_masker(config)  # an unknown masking group is a start-up error, not a first-alert error
    build_policy(config, settings.host, os.environ)  # bad TARSY_API_TOKENS, or auth 'none' on a public address
    app = create_app(settings, config=config)
    # log_config=None: uvicorn's loggers go through our handler (JSON or console) too.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(), log_config=None)
    return 0


async def _worker(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        await start_services(stack, settings)
        await stop.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tarsy", description="TARSy: an AI SRE that investigates alerts")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the API and dashboard, and run workers")
    sub.add_parser("worker", help="run workers only (scale-out replica)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    try:
        if args.command == "serve":
            return serve(settings)
        return asyncio.run(_worker(settings))
    except (ConfigError, DemoModeError, MaskingConfigError) as exc:
        print(f"tarsy: cannot start:\n{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
