"""Property-based API tests: Schemathesis over the app's own OpenAPI schema against a live server.

Every operation of the schema gets a bounded number of generated requests, valid and invalid, under
every check Schemathesis has (``--checks all``): no response may be a server error, and each must
match the status codes, content types, headers and schemas the OpenAPI document declares. The SSE
streams are exercised too: their status and headers are checked, then the connection is closed
(the session list's stream never ends by itself).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from tests.integration.api.seed import build, insert
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAX_EXAMPLES = 25  # per operation and generation mode


# Every check on ("enabled": true is `--checks all`). Valid-looking data may still be refused with a
# documented 400 (an unknown alert type or status value, empty alert text) or 404 (an id that does
# not exist); anything else is a finding.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"enabled": True, "positive_data_acceptance": {"expected-statuses": ["2xx", 400, 404, 409]}}}
)


class _StreamCuttingSession(requests.Session):
    """Reads an event stream's status and headers, then hangs up instead of reading it forever."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().request(method, url, *args, **{**kwargs, "stream": True})
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            response._content = b""  # what a client that closes at once has read
            response.close()
        else:
            _ = response.content  # read the whole body, as without stream=True
        return response


def _run(base_url: str, exercised: list[str]) -> list[str]:
    """Exercise every operation; returns one entry per distinct failure (empty when all passed)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=CONFIG)
    failures: dict[str, str] = {}
    session = _StreamCuttingSession()
    for result in schema.get_all_operations():
        operation = result.ok()
        exercised.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, base_url, session, failures)
    return [f"{key}\n{detail}" for key, detail in failures.items()]


def _exercise(
    operation: Any, mode: GenerationMode, base_url: str, session: requests.Session, failures: dict[str, str]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: Any) -> None:
        try:
            case.call_and_validate(base_url=base_url, session=session, timeout=30)
        except (FailureGroup, requests.RequestException) as exc:
            # Collected rather than raised: Hypothesis would shrink each one at length. A dropped
            # connection counts: it is how an unhandled error can reach a client.
            key = f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            failures.setdefault(key, f"{exc}\n{case.as_curl_command()}")

    try:
        exercise()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong without parameters


@pytest.fixture
def seeded_url(databases: Any) -> str:
    url: str = databases.migrated()
    insert(url, build(count=40, seed=3))
    return url


async def test_api_conforms_to_its_openapi_schema(tmp_path: Path, seeded_url: str) -> None:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "done"}]}})
    async with running_tarsy(config, seeded_url, workers=0) as tarsy:
        exercised: list[str] = []
        failures = await asyncio.to_thread(_run, tarsy.base_url, exercised)
    routes = {f"{method.upper()} {path}" for path, item in tarsy.app.openapi()["paths"].items() for method in item}
    assert len(routes) > 20 and routes <= set(exercised), sorted(routes - set(exercised))
    assert not failures, "\n\n".join(failures)
    load_all_checks()
    names = {check.__name__ for check in CHECKS.get_all()}
    assert {"not_a_server_error", "status_code_conformance", "response_schema_conformance"} <= names
    off = [name for name in names if not CONFIG.projects.default.checks.get_by_name(name=name).enabled]
    assert off == [], f"checks switched off: {off}"
