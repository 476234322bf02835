"""Idle workers are woken one at a time, and a wake that finds none waiting is not lost."""

from __future__ import annotations

import asyncio

from tarsy.runtime.workers import _Waker


async def _waiters(waker: _Waker, count: int) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(waker.wait(60)) for _ in range(count)]
    await asyncio.sleep(0)  # every task is now waiting
    return tasks


async def test_one_wake_wakes_one_worker() -> None:
    waker = _Waker(3)
    tasks = await _waiters(waker, 3)
    waker.one()
    done, _ = await asyncio.wait(tasks, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    for _ in range(10):  # let any other woken task finish too
        await asyncio.sleep(0)
    assert done == {tasks[0]} and [t.done() for t in tasks] == [True, False, False]
    waker.all()
    await asyncio.gather(*tasks)


async def test_a_wake_with_nobody_waiting_is_kept_for_the_next_wait() -> None:
    waker = _Waker(2)
    for _ in range(5):
        waker.one()
    await asyncio.wait_for(waker.wait(60), timeout=5)  # kept: returns at once
    await asyncio.wait_for(waker.wait(60), timeout=5)
    tasks = await _waiters(waker, 1)  # no more than the number of workers is kept
    assert not tasks[0].done()
    waker.one()
    await asyncio.wait_for(tasks[0], timeout=5)


async def test_a_wait_ends_at_its_timeout_and_leaves_no_waiter_behind() -> None:
    waker = _Waker(1)
    await waker.wait(0.01)
    waker.one()  # nobody waits: kept rather than spent on the finished wait
    await asyncio.wait_for(waker.wait(60), timeout=5)


async def test_a_claim_that_found_nothing_drops_the_wakes_kept_before_it_began() -> None:
    waker = _Waker(4)
    for _ in range(3):
        waker.one()  # kept: every worker was busy
    mark = waker.mark
    waker.one()  # came while the claim ran: it may be for a job the claim did not see
    waker.found_nothing(mark)
    await asyncio.wait_for(waker.wait(60), timeout=5)  # the later wake is still kept
    tasks = await _waiters(waker, 1)  # the three earlier ones are gone
    assert not tasks[0].done()
    waker.one()
    await asyncio.wait_for(tasks[0], timeout=5)
