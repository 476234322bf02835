"""Redaction of the displayed configuration: every credential-bearing shape, nothing else."""

from __future__ import annotations

import json

from tarsy.config.redact import REDACTED, redact_config, redact_text, secret_env_values


def test_secret_keys_headers_and_env_are_redacted_but_env_var_names_stay() -> None:
    data = {
        "mcp_servers": {
            "remote": {
                "transport": {
                    "type": "http",
                    "url": "https://mcp.example.com/mcp",
                    "headers": {"Authorization": "Bearer abc.def.ghi", "X-Tenant": "acme"},
                    "bearer_token_env": "MCP_TOKEN",
                },
            },
            "local": {"transport": {"type": "stdio", "command": "srv", "env": {"HOME": "/tmp", "PAT": "p4t"}}},
        },
        "system": {"slack": {"token_env": "SLACK_BOT_TOKEN", "channel": "#sre"}, "password": "hunter22"},
        "nested": {"client_secret": {"value": "s3cr3t", "enabled": True}, "api_key": None},
    }
    out = redact_config(data)
    text = json.dumps(out)
    for secret in ("abc.def.ghi", "acme", "p4t", "hunter22", "s3cr3t"):
        assert secret not in text
    remote = out["mcp_servers"]["remote"]["transport"]
    assert remote["headers"] == {"Authorization": REDACTED, "X-Tenant": REDACTED}
    assert remote["bearer_token_env"] == "MCP_TOKEN" and remote["url"] == "https://mcp.example.com/mcp"
    assert out["mcp_servers"]["local"]["transport"]["env"] == {"HOME": REDACTED, "PAT": REDACTED}
    assert out["system"]["slack"] == {"token_env": "SLACK_BOT_TOKEN", "channel": "#sre"}
    assert out["nested"] == {"client_secret": {"value": REDACTED, "enabled": True}, "api_key": None}


def test_url_credentials_and_secret_query_parameters() -> None:
    assert (
        redact_text("postgresql://tarsy:pw@db:5432/tarsy?sslmode=require")
        == "postgresql://***@db:5432/tarsy?sslmode=require"
    )
    assert (
        redact_text("https://h/x?api_key=k1&page=2&access_token=t2")
        == "https://h/x?api_key=***&page=2&access_token=***"
    )
    assert redact_text("plain text with user@example.com") == "plain text with user@example.com"


def test_values_of_named_env_vars_are_redacted_wherever_interpolated() -> None:
    data = {"llm_providers": {"p": {"api_key_env": "KEY", "model": "m", "base_url": "https://h/v1/LongSecretValue/x"}}}
    secrets = secret_env_values(data, {"KEY": "LongSecretValue", "OTHER": "unrelated"})
    assert secrets == ["LongSecretValue"]
    out = redact_config(data, secrets)
    assert out["llm_providers"]["p"]["base_url"] == "https://h/v1/***/x"
    assert out["llm_providers"]["p"]["api_key_env"] == "KEY"


def test_short_values_are_not_treated_as_secrets() -> None:
    assert secret_env_values({"x_env": "V"}, {"V": "on"}) == []
    assert redact_config({"model": "on-call"}, ["on"]) == {"model": "on-call"}
