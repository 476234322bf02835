"""Running a job's coroutine under its cancel signal and deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")


@dataclass
class Supervised(Generic[T]):
    ending: Literal["done", "cancelled", "timed_out"]
    result: T | None = None
    error: BaseException | None = None


async def supervise(work: Coroutine[Any, Any, T], cancel: asyncio.Event, timeout_s: float) -> Supervised[T]:
    """Run ``work`` until it finishes, ``cancel`` is set, or ``timeout_s`` passes.

    A stopped job is cancelled cooperatively and awaited, so its ``finally`` blocks have run
    before the caller writes the terminal records.
    """
    run = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        done, _ = await asyncio.wait({run, waiter}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if run in done:
        error = run.exception()
        return Supervised("done", None if error else run.result(), error)
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)
    return Supervised("cancelled" if cancel.is_set() else "timed_out")
