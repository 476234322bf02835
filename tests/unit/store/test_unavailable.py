"""Which database errors mean "the database is not there" (an outage) rather than "the query is wrong"."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors
from psycopg_pool import PoolClosed, PoolTimeout

from tarsy.errors import StoreUnavailableError
from tarsy.store.db import is_unavailable, unavailable


@pytest.mark.parametrize(
    "exc",
    [
        PoolTimeout("couldn't get a connection after 5.00 sec"),
        PoolClosed("the pool is closed"),
        errors.AdminShutdown("terminating connection due to administrator command"),
        errors.CannotConnectNow("the database system is starting up"),
        errors.ConnectionFailure("connection failure"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
    ],
    ids=type,
)
def test_outages(exc: Exception) -> None:
    assert is_unavailable(exc)
    error = unavailable(exc)
    assert isinstance(error, StoreUnavailableError)
    assert error.code == "database_unavailable"
    assert type(exc).__name__ in error.message


@pytest.mark.parametrize(
    "exc",
    [
        errors.QueryCanceled("canceling statement due to statement timeout"),
        errors.UniqueViolation("duplicate key"),
        errors.DeadlockDetected("deadlock detected"),
        psycopg.DataError("invalid input"),
        ValueError("connection refused"),
    ],
    ids=type,
)
def test_not_outages(exc: Exception) -> None:
    assert not is_unavailable(exc)
