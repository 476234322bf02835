"""Mapping errors to HTTP responses with a stable code and a message a person can act on."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from tarsy.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    StoreUnavailableError,
    TarsyError,
)
from tarsy.store.db import is_unavailable

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
    503: {"description": "The database is unavailable (`database_unavailable`); retry after `Retry-After` seconds"},
    422: {"description": "Malformed request body; `fields` lists the offending fields"},
}


def _body(code: str, message: str, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TarsyError)
    async def tarsy_error(_: Request, exc: TarsyError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
        if status == 500:
            log.error("unmapped error %s: %s", exc.code, exc.message)
            return JSONResponse(_body("internal_error", "internal error; see the server log"), status_code=500)
        return JSONResponse(_body(exc.code, exc.message), status_code=status)

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
        fields = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
                "message": str(err.get("msg", "")),
            }
            for err in exc.errors()
        ]
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        return JSONResponse(_body("validation_error", f"invalid request: {summary}", fields), status_code=422)


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
        log.error("database error %s", type(exc).__name__, exc_info=exc)
        return JSONResponse(_body("internal_error", "internal error; see the server log"), status_code=500)

    app.add_exception_handler(StoreUnavailableError, unavailable)
    app.add_exception_handler(PoolTimeout, unavailable)
    app.add_exception_handler(psycopg.OperationalError, operational)
