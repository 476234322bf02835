"""``type: vertexai`` through the real ``ChatGoogleGenerativeAI`` (google-genai in Vertex mode).

The fake serves Vertex's model path and an OAuth token endpoint; Application Default Credentials
are a service account key (a fresh RSA key) whose ``token_uri`` points at the fake, so google-auth
really signs a JWT and exchanges it, and every model request must carry the access token it got.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route

from tests.wire import expect
from tests.wire.fake_vendor import FakeVendor
from tests.wire.harness import KEY, run_alert, write_config
from tests.wire.script import Failure, Scenario
from tests.wire.vertex_wire import (
    ACCESS_TOKEN,
    VertexWire,
    project_and_location,
    service_account_info,
    token_endpoint,
)

pytestmark = [pytest.mark.integration]

MODEL = "gemini-2.5-pro"
PROJECT = "wire-project-42"
LOCATION = "europe-west4"


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    routes = [Route("/token", token_endpoint, methods=["POST"])]
    async with FakeVendor(VertexWire(), routes=routes).serving() as fake:
        yield fake


@pytest.fixture
def adc(tmp_path: Path, fake: FakeVendor, monkeypatch: pytest.MonkeyPatch) -> None:
    """Application Default Credentials that refresh against the fake, not Google."""
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(service_account_info(f"{fake.base_url}/token")))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))  # google-auth reads os.environ


APP_ENV = {"GOOGLE_CLOUD_PROJECT": PROJECT, "GOOGLE_CLOUD_LOCATION": LOCATION}
"""What the app reads ``project_env`` and ``location_env`` from (its own environment mapping)."""


def provider(fake: FakeVendor, **settings: Any) -> dict[str, Any]:
    return {"type": "vertexai", "model": MODEL, "base_url": fake.base_url, **settings}


async def test_investigation_on_vertex(tmp_path: Path, database_url: str, fake: FakeVendor, adc: None) -> None:
    scenario = Scenario.load("investigation")
    fake.play(*scenario.turns)
    config = write_config(tmp_path, provider(fake))

    run = await run_alert(config, database_url, fake, env=APP_ENV)

    expect.investigation_stored(run, scenario, model=MODEL)
    expect.investigation_streamed(run, scenario)
    assert len(fake.requests) == 3
    for request in fake.requests:
        assert project_and_location(request.path) == (PROJECT, LOCATION)
        assert request.query == {"alt": "sse"}
        assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
        assert "x-goog-api-key" not in request.headers
    assert KEY not in json.dumps(run.session)


async def test_vertex_failures_name_the_provider(
    tmp_path: Path, database_url: str, fake: FakeVendor, adc: None
) -> None:
    fake.play(Failure(403, "Permission 'aiplatform.endpoints.predict' denied"))
    config = write_config(tmp_path, provider(fake, max_retries=0))

    run = await run_alert(config, database_url, fake, env=APP_ENV)

    expect.failed_with(run, "credentials")
    assert "aiplatform.endpoints.predict" in run.session["error_message"]


async def test_refused_credentials_are_a_credentials_failure(
    tmp_path: Path, database_url: str, fake: FakeVendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = service_account_info(f"{fake.base_url}/token")
    info["client_email"] = "someone-else@wire-project-42.iam.gserviceaccount.com"  # the endpoint refuses it
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    config = write_config(tmp_path / "config", provider(fake, max_retries=0))

    run = await run_alert(config, database_url, fake, env=APP_ENV)

    expect.failed_with(run, "credentials")
    assert fake.requests == [], "no model request without a token"
