"""deploy/compose/compose.yaml against the Compose specification (the `compose-spec` validator, a
binding of the Rust compose_spec crate: unknown keys and bad values are errors), after the same
interpolation podman-compose and Docker Compose apply; then what TARSy needs of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from compose_spec import PyCompose

from tarsy.config import load_config
from tests.support.compose import MissingVariableError, interpolate

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose"
ENV = {"POSTGRES_PASSWORD": "pw", "GOOGLE_API_KEY": "k"}


def _load(env: dict[str, str] = ENV) -> dict[str, Any]:
    data: dict[str, Any] = interpolate(yaml.safe_load((COMPOSE / "compose.yaml").read_text()), env)
    return data


def test_compose_file_follows_the_spec() -> None:
    compose = PyCompose.from_json(json.dumps(_load()))
    assert set(compose.service_names()) == {"postgres", "migrate", "api", "worker", "oauth2-proxy"}


def test_the_validator_rejects_what_compose_would() -> None:
    data = _load()
    data["services"]["api"]["depends_on"]["migrate"]["condition"] = "started"
    with pytest.raises(ValueError, match=r"condition|variant"):
        PyCompose.from_json(json.dumps(data))


def test_the_database_password_is_required() -> None:
    with pytest.raises(MissingVariableError, match="POSTGRES_PASSWORD"):
        _load({})


def test_services_wiring() -> None:
    services = _load()["services"]
    assert services["postgres"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert "/tmp" in service["tmpfs"]
        assert service["environment"]["DATABASE_URL"] == "postgresql://tarsy:pw@postgres:5432/tarsy"
        assert "/health/ready" in " ".join(service["healthcheck"]["test"])
    assert services["api"]["command"] == ["serve"] and services["api"]["environment"]["TARSY_WORKERS"] == "0"
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["environment"]["TARSY_HEALTH_PORT"] == "8081"
    proxy = services["oauth2-proxy"]
    assert proxy["profiles"] == ["auth"]
    assert "--upstream=http://api:8080/" in proxy["command"]
    assert "--pass-user-headers=true" in proxy["command"]
    assert "--skip-auth-route=GET=^/health/(live|ready)$" in proxy["command"]  # $$ unescaped


def test_compose_config_folder_loads() -> None:
    config = load_config(COMPOSE / "config", {})
    transport = config.mcp_server("kubernetes-server").transport
    assert getattr(transport, "command", None) == "kubernetes-mcp-server"
