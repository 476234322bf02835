"""Servers in each auth mode for the security tests (real uvicorn on loopback, real PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.server import write_config

TOKENS = {
    "vera": ("viewer", "viewer-token-0123456789"),
    "otto": ("operator", "operator-token-0123456789"),
    "ada": ("admin", "admin-token-0123456789"),
}
TOKENS_ENV = {"TARSY_API_TOKENS": ",".join(f"{name}:{role}:{token}" for name, (role, token) in TOKENS.items())}
ALERTMANAGER_TOKEN = "alertmanager-token-0123456789"

FAST: dict[str, Any] = {"chunk_chars": 8, "agents": {"*": [{"text": "Root cause: OOMKilled."}]}}
SLOW: dict[str, Any] = {"agents": {"*": [{"sleep_s": 60, "text": "never reached"}]}}


def bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[name][1]}"}


def auth_config(tmp_path: Path, script: dict[str, Any] = FAST, **system: Any) -> Path:
    return write_config(tmp_path / "config", script=script, tarsy={"system": system})


@pytest.fixture
def dashboard_dir(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    root.mkdir()
    (root / "index.html").write_text("<!doctype html><title>TARSy</title>")
    return root
