"""The small error hierarchy every layer raises and the API maps to HTTP.

Each error carries a stable ``code`` that clients can switch on and a message written for the person
who has to act on it. Internal exception text never reaches a client; it goes to the log.
"""

from __future__ import annotations


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


class ProviderError(TarsyError):
    """An LLM provider failed; the message names the provider and the class of failure."""

    code = "provider_error"

    def __init__(self, message: str, category: str = "unknown") -> None:
        super().__init__(message)
        self.category = category


class SessionCancelledError(TarsyError):
    code = "cancelled"


class StoreUnavailableError(TarsyError):
    """The database cannot be reached (connection refused or lost, no pooled connection in time).

    A fault of the infrastructure, not of the work: a session that meets it is paused and resumed
    from its checkpoint once the database answers again, and an API request gets a 503.
    """

    code = "database_unavailable"
