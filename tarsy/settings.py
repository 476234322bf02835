"""Process settings read from the environment (the names operators' scripts rely on)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 8080


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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        demo_raw = e.get("TARSY_DEMO", "").strip().lower()
        demo: bool | None = None
        if demo_raw in {"1", "true", "yes", "on"}:
            demo = True
        elif demo_raw in {"0", "false", "no", "off"}:
            demo = False
        workers_raw = e.get("TARSY_WORKERS", "").strip()
        dashboard = e.get("TARSY_DASHBOARD_DIR", "").strip()
        health_port = e.get("TARSY_HEALTH_PORT", "").strip()
        return cls(
            config_dir=Path(e["TARSY_CONFIG_DIR"]) if e.get("TARSY_CONFIG_DIR") else None,
            host=e.get("TARSY_HOST", "127.0.0.1"),
            port=int(e.get("TARSY_PORT", str(DEFAULT_PORT))),
            database_url=e.get("DATABASE_URL") or None,
            data_dir=Path(e.get("TARSY_DATA_DIR", ".data")).resolve(),
            demo=demo,
            log_level=e.get("TARSY_LOG_LEVEL", "INFO").upper(),
            log_format=e.get("TARSY_LOG_FORMAT", "console").strip().lower(),
            workers=int(workers_raw) if workers_raw else None,
            dashboard_dir=Path(dashboard) if dashboard else None,
            health_port=int(health_port) if health_port else None,
        )
