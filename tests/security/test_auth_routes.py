"""Every route has a rule, and each role gets exactly what its rule allows, over real HTTP.

Walks the app's own route list: a new route without a rule in ``tarsy/api/access.py`` fails here.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tarsy.api.access import RULES, route_paths
from tarsy.api.app import create_app
from tarsy.api.auth import RANK
from tarsy.settings import Settings
from tests.security.conftest import TOKENS, TOKENS_ENV, auth_config, bearer
from tests.support.server import running_tarsy

pytestmark = [pytest.mark.e2e]


def test_every_route_has_a_rule(dashboard_dir: Path) -> None:
    app = create_app(Settings.from_env({"TARSY_DASHBOARD_DIR": str(dashboard_dir)}))
    served = route_paths(app.routes)
    assert ("GET", "/api/v1/sessions/{session_id}/events") in served
    missing = [f"{method} {path}" for method, path in served if (method, path) not in RULES]
    assert not missing, f"routes without a rule in tarsy/api/access.py RULES: {missing}"
    stale = sorted(f"{m} {p}" for m, p in set(RULES) - set(served))
    assert not stale, f"rules for routes that no longer exist: {stale}"


async def _call(client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str] | None = None) -> Answer:
    """Status and (for refusals) the error; streams are closed after their headers, never read to the end."""
    body = {} if method == "POST" else None
    async with client.stream(method, url, json=body, headers=headers) as resp:
        error = json.loads(await resp.aread())["error"] if resp.status_code in (401, 403) else None
        return Answer(resp.status_code, error)


@dataclass(frozen=True)
class Answer:
    status: int
    error: dict[str, str] | None


def _concrete(path: str) -> str:
    return (
        path.replace("{session_id}", str(uuid.uuid4()))
        .replace("{interaction_id}", str(uuid.uuid4()))
        .replace("{approval_id}", str(uuid.uuid4()))
        .replace("{memory_id}", str(uuid.uuid4()))
        .replace("{path:path}", "index.html")
    )


async def test_each_role_against_each_route(tmp_path: Path, database_url: str, dashboard_dir: Path) -> None:
    config = auth_config(tmp_path, auth={"mode": "token", "public_paths": ["/health"]})
    env = {**TOKENS_ENV, "TARSY_DASHBOARD_DIR": str(dashboard_dir)}
    async with running_tarsy(config, database_url, workers=0, env=env) as tarsy:
        checked = 0
        for method, path in route_paths(tarsy.app.routes):
            rule = RULES[(method, path)]
            url = _concrete(path)
            anonymous = await _call(tarsy.client, method, url)
            if path == "/health" or rule == "static":
                assert anonymous.status not in (401, 403), f"{method} {path} should be public"
                continue
            assert anonymous.status == 401, f"{method} {path} answered {anonymous.status} without identity"
            assert anonymous.error is not None and anonymous.error["code"] == "unauthenticated"
            if rule == "alertmanager":
                continue  # its own token; see test_auth_token.py
            for name, (role, _) in TOKENS.items():
                resp = await _call(tarsy.client, method, url, bearer(name))
                if RANK[role] >= RANK[rule]:
                    assert resp.status not in (401, 403), f"{name} ({role}) refused on {method} {path}"
                else:
                    assert resp.status == 403, f"{name} ({role}) allowed on {method} {path}"
                    error = resp.error
                    assert error is not None and error["code"] == "forbidden"
                    assert f"needs the {rule} role" in error["message"] and role in error["message"]
                checked += 1
        assert checked >= 3 * 25
        # /metrics left out of public_paths: it needs a viewer now.
        assert (await tarsy.client.get("/metrics")).status_code == 401
        assert (await tarsy.client.get("/metrics", headers=bearer("vera"))).status_code == 200
        # Unknown API paths are not public either; dashboard files are.
        assert (await tarsy.client.get("/api/v1/nope")).status_code == 401
        assert (await tarsy.client.get("/api/v1/nope", headers=bearer("vera"))).status_code == 404
        assert (await tarsy.client.get("/sessions/abc")).status_code == 200
