from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tarsy.config import ConfigError, ConfigIssue, StdioTransport, load_config
from tarsy.config.expand import expand_env

WriteConfig = Callable[..., Path]


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${HOST}", {"HOST": "db"}, "db"),
        ("http://${HOST}:${PORT}/x", {"HOST": "db", "PORT": "5432"}, "http://db:5432/x"),
        ("${HOST:-localhost}", {}, "localhost"),
        ("${HOST:-localhost}", {"HOST": ""}, "localhost"),
        ("${HOST:-localhost}", {"HOST": "db"}, "db"),
        ("${HOST:-}", {}, ""),
        ("${EMPTY}", {"EMPTY": ""}, ""),
        ("${A:-x:-y}", {}, "x:-y"),
        ("cost: $$5", {}, "cost: $5"),
        ("$${HOST}", {"HOST": "db"}, "${HOST}"),
        ("^pod-[a-z]+$", {}, "^pod-[a-z]+$"),
        ("$HOST", {"HOST": "db"}, "$HOST"),
        ("no variables", {}, "no variables"),
    ],
)
def test_expansion_of_string_values(text: str, env: dict[str, str], expected: str) -> None:
    assert expand_env({"key": text}, env, "tarsy.yaml") == ({"key": expected}, [])


def test_keys_and_non_strings_are_left_alone() -> None:
    data = {"${KEY}": [1, 2.5, True, None, {"${X}": "${X}"}]}
    expanded, issues = expand_env(data, {"KEY": "k", "X": "x"}, "tarsy.yaml")
    assert (expanded, issues) == ({"${KEY}": [1, 2.5, True, None, {"${X}": "x"}]}, [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${MISSING}", "environment variable 'MISSING' is not set and has no default"),
        ("x ${", "unterminated '${'"),
        ("${1BAD}", "malformed reference '${1BAD}'"),
        ("${A B}", "malformed reference '${A B}'"),
    ],
)
def test_expansion_errors_name_file_and_key_path(text: str, message: str) -> None:
    _, issues = expand_env({"servers": {"s": {"args": ["ok", text]}}}, {}, "tarsy.yaml")
    assert len(issues) == 1
    assert (issues[0].file, issues[0].path) == ("tarsy.yaml", "servers.s.args[1]")
    assert message in issues[0].message


def test_expansion_in_loaded_files_feeds_typed_values(write_config: WriteConfig) -> None:
    config_dir = write_config(
        tarsy="""
        defaults:
          max_iterations: ${MAX_ITER:-9}
        queue:
          session_timeout: ${SESSION_TIMEOUT}
        mcp_servers:
          prom:
            transport:
              type: stdio
              command: ${PROM_MCP_BIN}
              args: ["--price", "$$0"]
        """
    )

    config = load_config(config_dir, env={"SESSION_TIMEOUT": "10m", "PROM_MCP_BIN": "/usr/bin/prom-mcp"})

    assert config.defaults.max_iterations == 9
    assert config.queue.session_timeout == 600.0
    transport = config.mcp_server("prom").transport
    assert isinstance(transport, StdioTransport)
    assert (transport.command, transport.args) == ("/usr/bin/prom-mcp", ["--price", "$0"])


def test_unset_variable_in_a_file_is_one_error(write_config: WriteConfig) -> None:
    config_dir = write_config(providers="llm_providers:\n  p: {type: openai, model: '${MODEL}'}\n")

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, env={})

    assert caught.value.issues == [
        ConfigIssue(
            "llm-providers.yaml",
            "llm_providers.p.model",
            "environment variable 'MODEL' is not set and has no default (set it, or write ${MODEL:-default})",
        )
    ]


def test_unset_variable_is_not_reported_again_by_validation(write_config: WriteConfig) -> None:
    config_dir = write_config(tarsy="mcp_servers:\n  g:\n    transport: {type: http, url: '${GRAFANA_URL}'}\n")

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, env={})

    assert [(i.path, i.message.split(" (")[0]) for i in caught.value.issues] == [
        ("mcp_servers.g.transport.url", "environment variable 'GRAFANA_URL' is not set and has no default")
    ]
