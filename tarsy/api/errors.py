"""Mapping errors to HTTP responses with a stable code and a message a person can act on."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from tarsy.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    QueueFullError,
    TarsyError,
    TooManyStreamsError,
    internal_message,
    new_error_id,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[TarsyError], int]] = [
    (PayloadTooLargeError, 413),
    (InvalidInputError, 400),
    (NotFoundError, 404),
    (ConflictError, 409),
]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid input; the message says what to fix"},
    404: {"description": "Not found"},
    409: {"description": "Conflicts with the current state"},
    413: {"description": "Payload too large"},
    429: {"description": "Too many requests (queue full, too many streams); see the `Retry-After` header"},
    422: {"description": "Malformed request body; `fields` lists the offending fields"},
}


def _body(code: str, message: str, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def internal_error_response(error_id: str) -> JSONResponse:
    """A 500 that tells the client only an id; the log has the details under it."""
    body = _body("internal_error", internal_message(error_id))
    body["error"]["error_id"] = error_id
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TarsyError)
    async def tarsy_error(_: Request, exc: TarsyError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
        if status == 500:
            error_id = new_error_id()
            log.error(
                "unmapped error %s [error_id=%s]: %s", exc.code, error_id, exc.message, extra={"error_id": error_id}
            )
            return internal_error_response(error_id)
        return JSONResponse(_body(exc.code, exc.message), status_code=status)

    async def retry_later(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, QueueFullError | TooManyStreamsError)
        return JSONResponse(
            _body(exc.code, exc.message), status_code=429, headers={"Retry-After": str(exc.retry_after)}
        )

    for kind in (QueueFullError, TooManyStreamsError):
        app.add_exception_handler(kind, retry_later)

    @app.exception_handler(psycopg.DataError)
    async def data_error(_: Request, exc: psycopg.DataError) -> JSONResponse:
        # Input the database cannot represent (bad encodings, out-of-range numbers) that no validator
        # caught: the caller's to fix, and nothing was stored.
        log.warning("request refused by the database: %s", type(exc).__name__)
        message = "the request contains a value the database cannot store (e.g. a NUL character); fix and retry"
        return JSONResponse(_body("unstorable_input", message), status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
                "message": str(err.get("msg", "")),
            }
            for err in exc.errors()
        ]
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        return JSONResponse(_body("validation_error", f"invalid request: {summary}", fields), status_code=422)
