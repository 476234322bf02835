"""``GET /api/v1/system/config``: what this replica actually runs, with every secret redacted."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel

from tarsy.api.deps import ServicesDep
from tarsy.build_info import build_info
from tarsy.config.redact import redact_config, redact_text, secret_env_values
from tarsy.masking import build_policy, mask_value
from tarsy.runtime.service import Services

router = APIRouter(tags=["system"])


class BuildInfo(BaseModel):
    version: str
    commit: str
    build_date: str
    python: str


class ProcessSettings(BaseModel):
    config_dir: str | None
    host: str
    port: int
    database: str
    data_dir: str
    log_level: str
    log_format: str
    workers: int
    dashboard_dir: str | None


class SystemConfigResponse(BaseModel):
    version: str
    build: BuildInfo
    mode: Literal["demo", "live"]
    source: str
    settings: ProcessSettings
    config: dict[str, Any]


@router.get("/api/v1/system/config", response_model=SystemConfigResponse)
async def system_config(services: ServicesDep) -> SystemConfigResponse:
    """The effective configuration (built-ins merged with tarsy.yaml / llm-providers.yaml, ``${VAR}``
    expanded) and process settings, with tokens, keys, passwords, header and env values, URL
    credentials and the values of every ``*_env`` variable redacted; then the ``all`` masking group."""
    raw = services.config.model_dump(mode="json")
    secrets = secret_env_values(raw, services.env)
    config = mask_value(redact_config(raw, secrets), _POLICY)
    info = build_info(services.env)
    return SystemConfigResponse(
        version=info["version"],
        build=BuildInfo(**info),
        mode="demo" if services.demo else "live",
        source=str(services.settings.config_dir) if services.settings.config_dir else "built-in",
        settings=_settings(services, secrets),
        config=config,
    )


_POLICY = build_policy(groups=["all"])


def _settings(services: Services, secrets: list[str]) -> ProcessSettings:
    s = services.settings
    database = "embedded" if services.embedded is not None else redact_text(services.database_url, secrets)
    return ProcessSettings(
        config_dir=str(s.config_dir) if s.config_dir else None,
        host=s.host,
        port=s.port,
        database=mask_value(database, _POLICY),
        data_dir=str(s.data_dir),
        log_level=s.log_level,
        log_format=s.log_format,
        workers=services.workers.worker_count,
        dashboard_dir=str(s.dashboard_dir) if s.dashboard_dir else None,
    )
