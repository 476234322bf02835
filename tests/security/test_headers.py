"""Every answer carries a CSP that allows no remote images, scripts or frames, plus nosniff,
X-Frame-Options and Referrer-Policy; a missing dashboard file is a 404, not the index page."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]

INDEX = "<!doctype html><html><body><div id=root></div><script type=module src=/assets/app.js></script></body></html>"


@pytest.fixture
def dashboard(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "app.js").write_text("console.log('tarsy')")
    return root


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in policy.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _assert_hardened(headers: httpx.Headers) -> None:
    get = headers.get
    assert get("x-content-type-options") == "nosniff"
    assert get("x-frame-options") == "DENY"
    assert get("referrer-policy") == "no-referrer"
    csp = _directives(get("content-security-policy") or "")
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["frame-src"] == ["'none'"]
    assert csp["connect-src"] == ["'self'"]


async def test_dashboard_and_api_answers_carry_the_security_headers(
    tmp_path: Path, database_url: str, dashboard: Path
) -> None:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "ok"}]}})
    env = {"TARSY_DASHBOARD_DIR": str(dashboard)}
    async with running_tarsy(config, database_url, workers=0, env=env) as tarsy:
        for path in ("/", "/sessions/abc", "/assets/app.js", "/api/v1/alert-types", "/health", "/api/v1/nothing"):
            resp = await tarsy.client.get(path)
            assert resp.status_code < 500, path
            _assert_hardened(resp.headers)
        refused = await tarsy.client.post("/api/v1/alerts", json={"data": "x", "bogus": 1})
        assert refused.status_code == 422
        _assert_hardened(refused.headers)
        async with tarsy.client.stream("GET", "/api/v1/sessions/events") as stream:
            assert stream.status_code == 200
            _assert_hardened(stream.headers)


async def test_missing_dashboard_files_are_404_while_client_routes_get_the_page(
    tmp_path: Path, database_url: str, dashboard: Path
) -> None:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "ok"}]}})
    env = {"TARSY_DASHBOARD_DIR": str(dashboard)}
    async with running_tarsy(config, database_url, workers=0, env=env) as tarsy:
        for missing in ("/assets/missing.js", "/assets/deep/style.css", "/favicon.ico", "/logo.png"):
            resp = await tarsy.client.get(missing)
            assert resp.status_code == 404, missing
            assert resp.json()["error"]["code"] == "not_found"
        for route in ("/", "/sessions/0b9e7c8e-1d2f-4a5b-8c9d-0e1f2a3b4c5d", "/submit", "/system"):
            resp = await tarsy.client.get(route)
            assert resp.status_code == 200, route
            assert resp.text == INDEX
        assert (await tarsy.client.get("/assets/app.js")).text == "console.log('tarsy')"
