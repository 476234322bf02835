"""Provider failures are classified by exception type and HTTP status, never by words in a message."""

from __future__ import annotations

import httpx
import openai
import pytest
from psycopg_pool import PoolTimeout

from tarsy.llm.errors import classify


class ReadTimeoutLookalike(Exception):
    """A name and a message full of 'timeout', but no timeout type and no status."""


class StatusError(Exception):
    def __init__(self, status_code: int) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")


def wrapped(cause: BaseException) -> RuntimeError:
    try:
        raise RuntimeError("the client gave up") from cause
    except RuntimeError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "category"),
    [
        pytest.param(PoolTimeout("couldn't get a connection after 30.00 sec"), "unknown", id="pool-timeout"),
        pytest.param(ReadTimeoutLookalike("timeout timeout"), "unknown", id="timeout-in-name-only"),
        pytest.param(TimeoutError(), "timeout", id="timeout-error"),
        pytest.param(httpx.ReadTimeout("slow", request=REQUEST), "timeout", id="httpx-timeout"),
        pytest.param(openai.APITimeoutError(request=REQUEST), "timeout", id="openai-timeout"),
        pytest.param(openai.APIConnectionError(request=REQUEST), "provider_down", id="openai-connection"),
        pytest.param(wrapped(httpx.ConnectError("refused", request=REQUEST)), "provider_down", id="wrapped-connect"),
        pytest.param(StatusError(401), "credentials", id="401"),
        pytest.param(StatusError(429), "rate_limit", id="429"),
        pytest.param(StatusError(400), "invalid_request", id="400"),
        pytest.param(StatusError(503), "provider_down", id="503"),
    ],
)
def test_classify(exc: BaseException, category: str) -> None:
    assert classify(exc) == category
