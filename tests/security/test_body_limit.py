"""Request bodies are bounded while they stream: a chunked upload is cut off at the limit (413),
never buffered whole; the app behind the middleware never holds more than the limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from tarsy.api.body_limit import BodyLimitMiddleware
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]

LIMIT = 8192
CHUNK = 1024


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "config",
        script={"agents": {"*": [{"text": "ok"}]}},
        tarsy={"system": {"max_request_bytes": LIMIT}},
    )


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers["content-length"]))
    return status, headers, body


async def _chunked_post(port: int, chunks: list[bytes], *, finish: bool) -> tuple[int, dict[str, str], bytes]:
    """POST /api/v1/alerts with Transfer-Encoding: chunked over a raw socket (no Content-Length)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for chunk in chunks:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
        if finish:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        # Without the final chunk, only a server that enforces the limit while streaming answers.
        return await asyncio.wait_for(_read_response(reader), timeout=20)
    finally:
        writer.close()


async def test_chunked_upload_past_the_limit_gets_413_before_it_ends(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        port = int(tarsy.base_url.rsplit(":", 1)[1])
        body = b'{"alert_type": "kubernetes", "data": {"blob": "' + b"x" * (LIMIT * 4)
        chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]
        # Send a little over the limit and never finish: the answer must come anyway.
        status, headers, raw = await _chunked_post(port, chunks[: LIMIT // CHUNK + 2], finish=False)
        assert status == 413
        assert headers["content-type"] == "application/json"
        error = json.loads(raw)["error"]
        assert error["code"] == "payload_too_large"
        assert "system.max_request_bytes" in error["message"]


async def test_chunked_upload_within_the_limit_is_accepted(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        port = int(tarsy.base_url.rsplit(":", 1)[1])
        body = json.dumps({"alert_type": "kubernetes", "data": {"pod": "api-1", "note": "y" * 3000}}).encode()
        status, _, raw = await _chunked_post(port, [body[i : i + 500] for i in range(0, len(body), 500)], finish=True)
        assert status == 202, raw
        assert json.loads(raw)["session_id"]


async def test_declared_length_past_the_limit_is_refused_unread(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        resp = await tarsy.client.post(
            "/api/v1/alerts", content=b"{" + b" " * LIMIT + b"}", headers={"Content-Type": "application/json"}
        )
        assert resp.status_code == 413
        assert resp.json()["error"]["code"] == "payload_too_large"


async def test_the_app_never_holds_more_than_the_limit() -> None:
    """At the ASGI level: whatever the app reads, it is handed at most ``limit`` bytes."""
    handed: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            handed.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    incoming = [{"type": "http.request", "body": b"z" * 1000, "more_body": True} for _ in range(50)]
    incoming.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    middleware = BodyLimitMiddleware(app, limit_of=lambda scope: (4500, "test limit"))
    await middleware({"type": "http", "method": "POST", "path": "/x", "headers": []}, receive, send)
    assert sum(handed) <= 4500
    assert len(incoming) > 40  # the rest of the upload was never pulled
    assert sent[0]["status"] == 413
