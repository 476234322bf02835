"""A stdio MCP server gets an explicit environment: PATH, HOME, locale and what its config names,
never the service's provider keys (hole: stdio MCP servers inherited the whole environment)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tarsy.config import TarsyConfig
from tarsy.tools.connections import connection_for

SERVICE_ENV = {
    "PATH": "/usr/bin",
    "HOME": "/home/tarsy",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "GOOGLE_API_KEY": "AIzaSy-provider-key",
    "OPENAI_API_KEY": "sk-provider-key",
    "DATABASE_URL": "postgresql://tarsy:pw@db/tarsy",
    "TARSY_API_TOKENS": "ops:admin:t0ken",
}


def test_a_stdio_server_sees_only_the_basics_and_its_own_env() -> None:
    transport = {
        "type": "stdio",
        "command": sys.executable,
        "args": [str(Path("server.py"))],
        "env": {"KUBECONFIG": "/k"},
    }
    config = TarsyConfig.model_validate({"mcp_servers": {"s": {"transport": transport}}})
    conn: Any = connection_for("s", config.mcp_servers["s"], env=SERVICE_ENV)
    assert conn["env"] == {
        "PATH": "/usr/bin",
        "HOME": "/home/tarsy",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "KUBECONFIG": "/k",
    }
