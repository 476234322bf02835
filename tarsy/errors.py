"""The small error hierarchy every layer raises and the API maps to HTTP.

Each error carries a stable ``code`` that clients can switch on and a message written for the person
who has to act on it. Internal exception text never reaches a client; it goes to the log.

Every exception class TARSy defines derives from :class:`TarsyError`. The errors that cross layers
live here; a package's own errors live beside it and derive from one of these
(``tarsy.config.errors``, ``tarsy.tools.errors``, ``RunbookError``, ``MaskingConfigError``, ...).
Which error becomes which HTTP status is decided in one place only, ``tarsy/api/errors.py``.
"""

from __future__ import annotations

import logging
import secrets


class TarsyError(Exception):
    """Base of every error TARSy raises on purpose."""

    code = "tarsy_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(TarsyError):
    """A request or payload that the caller must fix."""

    code = "invalid_input"


class PayloadTooLargeError(InvalidInputError):
    code = "payload_too_large"


class NotFoundError(TarsyError):
    code = "not_found"


class ConflictError(TarsyError):
    """The request is valid but clashes with the current state (e.g. cancelling a finished session)."""

    code = "conflict"


class QueueFullError(TarsyError):
    """``queue.max_pending`` sessions wait; the caller should retry after ``retry_after`` seconds."""

    code = "queue_full"
    retry_after = 1

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyStreamsError(TarsyError):
    """An SSE subscriber cap was reached; the caller should retry after ``retry_after`` seconds."""

    code = "too_many_streams"
    retry_after = 1

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AgentError(TarsyError):
    """An agent could not produce an answer for a reason of its own (e.g. the model gave nothing)."""

    code = "agent_failed"


class ProviderError(TarsyError):
    """An LLM provider failed; the message names the provider and the class of failure."""

    code = "provider_error"

    def __init__(self, message: str, category: str = "unknown") -> None:
        super().__init__(message)
        self.category = category


class StoreUnavailableError(TarsyError):
    """The database cannot be reached (connection refused or lost, no pooled connection in time).

    A fault of the infrastructure, not of the work: a session that meets it is paused and resumed
    from its checkpoint once the database answers again, and an API request gets a 503.
    """

    code = "database_unavailable"


def new_error_id() -> str:
    """A short random id that ties what a client is told to the log line with the details."""
    return secrets.token_hex(8)


def public_reason(exc: BaseException, log: logging.Logger, context: str) -> str:
    """What a client may read about ``exc``: a TarsyError's own message; for anything else a generic
    text with an error id, while the log records the exception and its traceback under that id."""
    if isinstance(exc, TarsyError):
        log.warning("%s: %s", context, exc.message)
        return exc.message
    error_id = new_error_id()
    log.error("%s: internal error [error_id=%s]", context, error_id, exc_info=exc, extra={"error_id": error_id})
    return internal_message(error_id)


def internal_message(error_id: str) -> str:
    return f"internal error (error id {error_id}); the server log has the details under that id"
