"""GET /api/v1/system/config: the effective configuration, version and build, with no secret in it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from tarsy.build_info import version
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]

PROVIDER_KEY = "sk-live-Provider0Key0That0Must0Never0Leak"
INTERPOLATED = "ghp_Interpolated0Token0From0The0Environment"
URL_PASSWORD = "UrlPassw0rdInConfig"
DB_PASSWORD = "DbPassw0rdInDatabaseUrl"
STDIO_ENV = "stdio-env-value-Th4t-Is-A-Credential"
SECRETS = [PROVIDER_KEY, INTERPOLATED, URL_PASSWORD, DB_PASSWORD, STDIO_ENV]


def _config(tmp_path: Path) -> Path:
    servers = {
        "kubernetes-server": {
            "transport": {
                "type": "stdio",
                "command": sys.executable,
                "args": ["-m", "tarsy.demo.server"],
                "env": {"CLUSTER_TOKEN": STDIO_ENV},
            },
            "instructions": "A simulated cluster for tests.",
        }
    }
    config = write_config(tmp_path, script={"agents": {"*": [{"text": "unused"}]}}, tarsy={"mcp_servers": servers})
    providers = yaml.safe_load((config / "llm-providers.yaml").read_text())
    providers["llm_providers"]["remote"] = {
        "type": "openai",
        "model": "gpt-test",
        "api_key_env": "TEST_PROVIDER_KEY",
        "base_url": f"https://svc:{URL_PASSWORD}@llm.example.com/v1?token=${{INTERPOLATED_TOKEN}}",
    }
    (config / "llm-providers.yaml").write_text(yaml.safe_dump(providers))
    return config


async def test_effective_config_is_shown_with_every_secret_redacted(tmp_path: Path, database_url: str) -> None:
    url = database_url.replace("postgres:@", f"postgres:{DB_PASSWORD}@", 1)
    assert DB_PASSWORD in url  # the embedded server trusts local connections: the password is only carried
    env = {
        "TEST_PROVIDER_KEY": PROVIDER_KEY,
        "INTERPOLATED_TOKEN": INTERPOLATED,
        "TARSY_BUILD_COMMIT": "0123abc",
        "TARSY_BUILD_DATE": "2026-12-04T16:00:00Z",
    }
    async with running_tarsy(_config(tmp_path), url, workers=0, env=env) as tarsy:
        resp = await tarsy.client.get("/api/v1/system/config")
    assert resp.status_code == 200, resp.text
    text = resp.text
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked"
    body = resp.json()
    assert body["version"] == version()
    assert body["build"]["commit"] == "0123abc" and body["build"]["build_date"] == "2026-12-04T16:00:00Z"
    assert body["mode"] == "live" and body["source"] == str(tmp_path)
    config = body["config"]
    # what is not secret stays readable, so operators see what runs
    assert config["defaults"]["llm_provider"] == "test-scripted"
    assert config["queue"]["worker_count"] == 2
    remote = config["llm_providers"]["remote"]
    assert remote["api_key_env"] == "TEST_PROVIDER_KEY"
    assert remote["base_url"] == "https://***@llm.example.com/v1?token=***"
    assert config["mcp_servers"]["kubernetes-server"]["transport"]["env"] == {"CLUSTER_TOKEN": "***"}
    assert body["settings"]["database"].startswith("postgresql://***@/")
    assert body["settings"]["workers"] == 0
    json.dumps(body)  # plain JSON throughout
