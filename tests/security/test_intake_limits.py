"""What the API accepts can be stored: deep JSON, huge integers and non-numbers are refused at the
door with 400 in the documented error shape (before, they were accepted and the session failed, or
the request answered a bare 500)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.support.pg import Databases
from tests.support.server import RunningTarsy, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def module_database(databases: Databases) -> str:
    return databases.migrated()  # synchronous: it may run its own event loop


@pytest_asyncio.fixture(scope="module")
async def tarsy(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningTarsy]:
    config = write_config(tmp_path_factory.mktemp("config"), script={"agents": {"*": [{"text": "ok"}]}})
    async with running_tarsy(config, module_database, workers=0) as running:
        yield running


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


async def _post_raw(tarsy: RunningTarsy, body: str | bytes) -> tuple[int, dict[str, Any]]:
    """POST the raw body; asserts that nothing was stored unless it was accepted."""
    before = await _sessions(tarsy)
    resp = await tarsy.client.post("/api/v1/alerts", content=body, headers={"content-type": "application/json"})
    if resp.status_code != 202:
        assert await _sessions(tarsy) == before
    return resp.status_code, resp.json()


async def _sessions(tarsy: RunningTarsy) -> int:
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM alert_sessions")
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"])


@pytest.mark.parametrize("depth", [40, 300, 900, 100_000])
async def test_json_nested_past_the_limit_is_a_400_naming_it(tarsy: RunningTarsy, depth: int) -> None:
    status, body = await _post_raw(tarsy, '{"alert_type": "kubernetes", "data": {"x": ' + _nested(depth) + "}}")
    assert status == 400, body
    assert body["error"]["code"] == "invalid_input"
    assert "32 levels" in body["error"]["message"] and "system.max_json_depth" in body["error"]["message"]
    status, body = await _post_raw(tarsy, '{"data": {"x": ' + _nested(29) + "}}")  # 32 levels in all
    assert status == 202, body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("18446744073709551616", "data.replicas: the integer 18446744073709551616 is outside"),
        ("-9223372036854775809", "data.replicas: the integer -9223372036854775809 is outside"),
        ("1" + "0" * 5000, "an integer with 5001 digits"),
        ("-1.5e40", "data.replicas: the number -1.5e+40 is outside"),  # jsonb gives it back as a 41-digit int
    ],
)
async def test_integers_beyond_64_bits_are_refused(tarsy: RunningTarsy, value: str, expected: str) -> None:
    status, body = await _post_raw(tarsy, '{"data": {"replicas": ' + value + "}}")
    assert status == 400, body
    assert expected in body["error"]["message"]
    assert "send" in body["error"]["message"] and "string" in body["error"]["message"]
    status, body = await _post_raw(tarsy, json.dumps({"data": {"a": 2**64 - 1, "b": -(2**63)}}))  # the edges
    assert status == 202, body


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
async def test_non_finite_numbers_are_refused_with_an_accurate_message(tarsy: RunningTarsy, token: str) -> None:
    status, body = await _post_raw(tarsy, '{"data": {"ratio": ' + token + "}}")
    assert status == 400, body
    message = body["error"]["message"]
    assert token in message and "not a JSON number" in message and "NUL" not in message


async def test_empty_object_data_is_a_400(tarsy: RunningTarsy) -> None:
    status, body = await _post_raw(tarsy, '{"data": {}}')
    assert status == 400, body
    assert "empty" in body["error"]["message"]


async def test_unreadable_body_answers_in_the_error_shape(tarsy: RunningTarsy) -> None:
    status, body = await _post_raw(tarsy, b'{"data": "\xff\xfe"}')
    assert status == 400
    assert set(body) == {"error"} and body["error"]["code"] == "invalid_input"
    assert body["error"]["fields"] is None


async def test_invalid_json_is_a_422_naming_the_body_without_internals(tarsy: RunningTarsy) -> None:
    status, body = await _post_raw(tarsy, '{"data": ')
    assert status == 422
    assert body["error"]["fields"][0]["field"] == "body"
    assert "not valid JSON" in body["error"]["message"]
    assert "JSON decode error" not in body["error"]["message"]
    assert not body["error"]["message"].startswith("invalid request: 0")


async def test_unknown_route_answers_in_the_error_shape(tarsy: RunningTarsy) -> None:
    resp = await tarsy.client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("value", ["0.5", "1700000000", "yesterday"])
async def test_dates_must_be_iso_8601_and_messages_name_no_validator_internals(tarsy: RunningTarsy, value: str) -> None:
    resp = await tarsy.client.get("/api/v1/sessions", params={"start_date": value})
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["fields"] == [{"field": "start_date", "message": error["fields"][0]["message"]}]
    assert "ISO 8601" in error["fields"][0]["message"]
    for internal in (".datetime", ".none", "query.", "Input should be None"):
        assert internal not in error["message"]


async def test_data_of_the_wrong_type_names_what_is_expected(tarsy: RunningTarsy) -> None:
    resp = await tarsy.client.post("/api/v1/alerts", json={"data": 5, "extra": 1})
    assert resp.status_code == 422
    fields = {f["field"]: f["message"] for f in resp.json()["error"]["fields"]}
    assert fields == {"data": "must be a JSON object or text", "extra": "is not an accepted field; remove it"}
