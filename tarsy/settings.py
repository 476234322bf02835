"""Process settings: the one module that reads the process environment.

TARSy has two kinds of settings, kept apart (docs/configuration.md, "Two kinds of settings"):

- **process settings**, here: where the config and the database are, how to serve and log,
  read once from environment variables (``TARSY_*``, ``DATABASE_URL``) by :meth:`Settings.from_env`;
- **the configuration**, ``tarsy.config``: the YAML model (``tarsy.yaml``, ``llm-providers.yaml``)
  of chains, agents, providers, MCP servers and the ``defaults``/``queue``/``system`` sections.

The environment is also where credentials are looked up by name (``api_key_env``,
``${VAR}`` in YAML, ``TARSY_API_TOKENS``): :attr:`Settings.environ` carries the mapping the
settings were read from, and everything below the entry points takes it from there, so a test or
an embedding app can hand TARSy an environment of its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 8080
CONFIG_DIR_ENV = "TARSY_CONFIG_DIR"


def process_environment() -> Mapping[str, str]:
    """The process's environment; the default wherever no environment was handed down."""
    return os.environ


def config_dir_from_env(env: Mapping[str, str] | None = None) -> Path | None:
    """The directory named by ``TARSY_CONFIG_DIR``, or None (built-ins only) when it is unset."""
    value = (process_environment() if env is None else env).get(CONFIG_DIR_ENV, "")
    return Path(value).expanduser() if value else None


def _flag(raw: str) -> bool | None:
    """``TARSY_DEMO``: None when unset (decide from credentials), else forced on or off."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return None


def _optional_int(raw: str) -> int | None:
    return int(raw.strip()) if raw.strip() else None


@dataclass(frozen=True)
class Settings:
    """Where TARSy finds its config and database, and how it serves."""

    config_dir: Path | None
    host: str
    port: int
    database_url: str | None
    data_dir: Path
    demo: bool | None  # None: decide from credentials; True/False: forced by TARSY_DEMO
    log_level: str
    log_format: str  # json | console
    workers: int | None  # overrides queue.worker_count when set (0 = serve only)
    dashboard_dir: Path | None
    health_port: int | None = None  # `tarsy worker` serves /health/live and /health/ready here when set
    environ: Mapping[str, str] = field(default_factory=process_environment, repr=False, compare=False)
    """The environment these settings were read from: credentials and ``${VAR}`` are looked up here."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = process_environment() if env is None else env
        dashboard = e.get("TARSY_DASHBOARD_DIR", "").strip()
        return cls(
            config_dir=config_dir_from_env(e),
            host=e.get("TARSY_HOST", "127.0.0.1"),
            port=int(e.get("TARSY_PORT", str(DEFAULT_PORT))),
            database_url=e.get("DATABASE_URL") or None,
            data_dir=Path(e.get("TARSY_DATA_DIR", ".data")).resolve(),
            demo=_flag(e.get("TARSY_DEMO", "")),
            log_level=e.get("TARSY_LOG_LEVEL", "INFO").upper(),
            log_format=e.get("TARSY_LOG_FORMAT", "console").strip().lower(),
            workers=_optional_int(e.get("TARSY_WORKERS", "")),
            dashboard_dir=Path(dashboard) if dashboard else None,
            health_port=_optional_int(e.get("TARSY_HEALTH_PORT", "")),
            environ=e,
        )
