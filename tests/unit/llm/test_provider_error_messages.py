"""Provider errors say what happened: no HTTP answer at all is not described as a 5xx."""

from __future__ import annotations

import httpx
import openai

from tarsy.llm.errors import provider_error


def test_a_refused_connection_is_not_called_a_server_error() -> None:
    exc = openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))
    error = provider_error("fake-openai", "gpt-x", exc)
    assert error.category == "provider_down"
    assert "could not be reached" in error.message and "5xx" not in error.message


def test_a_5xx_answer_is_called_one() -> None:
    response = httpx.Response(503, request=httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))
    exc = openai.InternalServerError("Service Unavailable", response=response, body=None)
    error = provider_error("fake-openai", "gpt-x", exc)
    assert error.category == "provider_down"
    assert "server error (5xx)" in error.message and "could not be reached" not in error.message
