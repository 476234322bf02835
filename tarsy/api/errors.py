"""Mapping errors to HTTP responses with a stable code and a message a person can act on.

The only place that decides which error becomes which HTTP status: routes raise the errors of
``tarsy.errors`` (and their subclasses), the handlers installed here answer them, and the guard
middleware (which runs before any handler) builds its refusals with :func:`error_response`.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException

from tarsy.api.schemas import ErrorResponse
from tarsy.api.validation import describe, summary
from tarsy.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    QueueFullError,
    StoreUnavailableError,
    TarsyError,
    TooManyStreamsError,
    internal_message,
    new_error_id,
)
from tarsy.integrations.runbooks import RunbookError
from tarsy.jsonsafe import clean_text
from tarsy.memory.embeddings import EmbeddingError
from tarsy.store.db import is_unavailable

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[TarsyError], int]] = [
    (PayloadTooLargeError, 413),
    (InvalidInputError, 400),
    (NotFoundError, 404),
    (ConflictError, 409),
    (RunbookError, 502),
    (EmbeddingError, 502),
]

_HTTP_CODES = {400: "invalid_input", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
_HTTP_MESSAGES = {
    "There was an error parsing the body": "the request body could not be read as JSON; send a JSON object",
    "Not Found": "no such route; see /docs for the API",
    "Method Not Allowed": "this route does not accept that method; see /docs for the API",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Invalid input; the message says what to fix"},
    401: {"model": ErrorResponse, "description": "No identity (authentication is on)"},
    403: {"model": ErrorResponse, "description": "The identity lacks the role this route needs"},
    404: {"model": ErrorResponse, "description": "Not found"},
    409: {"model": ErrorResponse, "description": "Conflicts with the current state"},
    413: {"model": ErrorResponse, "description": "Payload too large"},
    422: {"model": ErrorResponse, "description": "Malformed request; `fields` lists the offending fields"},
    429: {"model": ErrorResponse, "description": "Too many queued sessions or open streams; retry after `Retry-After`"},
    502: {"model": ErrorResponse, "description": "A service TARSy depends on failed (e.g. the embedding model)"},
    503: {
        "model": ErrorResponse,
        "description": "The database is unavailable (`database_unavailable`); retry after `Retry-After` seconds",
    },
}

# Documented on every route: any of them can answer these (authentication, an outage).
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {k: ERROR_RESPONSES[k] for k in (401, 403, 503)}


def _body(code: str, message: str, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    # Messages may quote the caller's input: keep them encodable (no lone surrogates, no NUL).
    if fields is not None:
        fields = [{key: clean_text(str(value)) for key, value in field.items()} for field in fields]
    return {"error": {"code": code, "message": clean_text(message), "fields": fields}}


def error_response(code: str, message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape, for code that answers before the exception handlers (middleware)."""
    return JSONResponse(_body(code, message), status_code=status, headers=headers)


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

    install_outage_handlers(app)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = describe(exc.errors())
        return JSONResponse(_body("validation_error", summary(fields), list(fields)), status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        # Starlette's and FastAPI's own refusals (a body that cannot be read, an unknown route or
        # method) in the one error shape.
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = _HTTP_MESSAGES.get(str(exc.detail), str(exc.detail))
        return JSONResponse(_body(code, message), status_code=exc.status_code, headers=exc.headers)


# --- database outages: 503 with Retry-After, never a 500 -----------------------------------------

OUTAGE_RETRY_AFTER_S = 5
OUTAGE_MESSAGE = "the database is unavailable; TARSy keeps accepted work and resumes it when it is back. Retry later."


def outage_response() -> JSONResponse:
    return JSONResponse(
        _body(StoreUnavailableError.code, OUTAGE_MESSAGE),
        status_code=503,
        headers={"Retry-After": str(OUTAGE_RETRY_AFTER_S)},
    )


def install_outage_handlers(app: FastAPI) -> None:
    """A request that meets a database outage gets 503 ``database_unavailable`` at once."""

    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("request failed: database unavailable (%s)", type(exc).__name__)
        return outage_response()

    async def operational(request: Request, exc: Exception) -> JSONResponse:
        if is_unavailable(exc):
            return await unavailable(request, exc)
        error_id = new_error_id()
        log.error(
            "database error %s [error_id=%s]", type(exc).__name__, error_id, exc_info=exc, extra={"error_id": error_id}
        )
        return internal_error_response(error_id)

    app.add_exception_handler(StoreUnavailableError, unavailable)
    app.add_exception_handler(PoolTimeout, unavailable)
    app.add_exception_handler(psycopg.OperationalError, operational)
