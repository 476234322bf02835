"""Concurrent sessions in one process: wall time against the ideal at a fixed model latency.

Starts TARSy in this process (embedded PostgreSQL 18, the real app, workers, checkpointer and
recorder) with ``queue.worker_count`` and ``queue.max_concurrent_sessions`` both set to
``--concurrency``, posts ``--sessions`` alerts at once and waits until every session is terminal.
The model is the scripted one: every call sleeps ``--latency`` seconds, and a session makes two
calls in sequence (the agent's answer, then the executive summary), so the ideal wall time is
``ceil(sessions / concurrency) * 2 * latency``. Prints wall time, ideal, their ratio (target
<= 1.2 at 200 sessions and a concurrency of 200), the process CPU, and the resident memory per
running session (peak RSS over the idle RSS, divided by the sessions that ran at once). Asserts
nothing.

    .venv/bin/python bench/concurrency.py [--sessions 200] [--concurrency 200] [--latency 1]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests.support

from tests.support.pg import Databases
from tests.support.server import RunningTarsy, running_tarsy, write_config

CALLS_PER_SESSION = 2  # the agent's answer and the executive summary


async def _terminal(tarsy: RunningTarsy) -> tuple[int, float | None]:
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n, extract(epoch FROM max(completed_at) - min(created_at)) AS span"
            " FROM alert_sessions WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out')"
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"]), None if row["span"] is None else float(row["span"])


async def _statuses(tarsy: RunningTarsy) -> dict[str, int]:
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute("SELECT status, count(*) AS n FROM alert_sessions GROUP BY status")
        found = {str(r["status"]): int(r["n"]) for r in await cur.fetchall()}
        cur = await conn.execute("SELECT count(*) AS n FROM llm_interactions")
        row = await cur.fetchone()
        assert row is not None
        found["model calls"] = int(row["n"])
        cur = await conn.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at)) AS wait50,"
            " max(extract(epoch FROM started_at - created_at)) AS wait_max,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at)) AS run50,"
            " max(extract(epoch FROM completed_at - started_at)) AS run_max FROM alert_sessions"
        )
        row = await cur.fetchone()
        assert row is not None
        print(
            f"claim wait p50 {float(row['wait50']):.2f} s, max {float(row['wait_max']):.2f} s; "
            f"session run p50 {float(row['run50']):.2f} s, max {float(row['run_max']):.2f} s"
        )
        return found


SENDERS = 16  # requests in flight at once, one per pooled connection of the sender


async def _submit(client: httpx.AsyncClient, n: int, senders: asyncio.Semaphore) -> None:
    # httpcore scans every queued request against every connection each time a request is sent or
    # done: 200 requests queued on 16 connections cost this process about 0.5 s of CPU. Queued here
    # instead, they cost nothing; the server sees the same 16 concurrent requests either way.
    async with senders:
        resp = await client.post("/api/v1/alerts", json={"alert_type": "bench", "data": {"n": n}})
    resp.raise_for_status()


async def _measure(url: str, args: argparse.Namespace) -> None:
    process = psutil.Process()
    script = {
        "agents": {
            "Sleeper": [{"sleep_s": args.latency, "text": "Root cause: the benchmark slept."}],
            "*": [{"sleep_s": args.latency, "text": "Summary: the benchmark slept."}],
        }
    }
    chains = {
        "agents": {"Sleeper": {}},
        "agent_chains": {"bench": {"alert_types": ["bench"], "stages": [{"name": "sleep", "agent": "Sleeper"}]}},
    }
    queue = {  # the tests' quick heartbeats would take live sessions of a busy process for orphans
        "worker_count": args.concurrency,
        "max_concurrent_sessions": args.concurrency,
        "poll_interval": "1s",
        "heartbeat_interval": "5s",
        "orphan_threshold": "60s",
    }
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp) / "config", script=script, tarsy=chains, queue=queue)
        async with (
            running_tarsy(config, url, workers=args.concurrency) as tarsy,
            # The alert sender shares this process: a bounded connection pool keeps httpx's own
            # bookkeeping (it scans its pool per request: quadratic with 200 open connections) small.
            httpx.AsyncClient(
                base_url=tarsy.base_url, timeout=60, limits=httpx.Limits(max_connections=SENDERS)
            ) as client,
        ):
            idle_rss = process.memory_info().rss
            cpu0 = process.cpu_times()
            start = time.perf_counter()
            senders = asyncio.Semaphore(SENDERS)
            await asyncio.gather(*(_submit(client, i, senders) for i in range(args.sessions)))
            peak = idle_rss
            done = 0
            while done < args.sessions:
                await asyncio.sleep(0.2)
                peak = max(peak, process.memory_info().rss)
                done, span = await _terminal(tarsy)
            wall = time.perf_counter() - start
            cpu1 = process.cpu_times()
            statuses = await _statuses(tarsy)
    running = min(args.sessions, args.concurrency)
    ideal = math.ceil(args.sessions / args.concurrency) * CALLS_PER_SESSION * args.latency
    cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    print(f"{args.sessions} sessions, concurrency {args.concurrency}, model latency {args.latency:g} s")
    print(f"statuses: {statuses}")
    print(f"wall {wall:.2f} s (first created to last completed: {span or 0:.2f} s), ideal {ideal:.2f} s")
    print(f"ratio {wall / ideal:.2f} (target <= 1.2)")
    print(f"process CPU {cpu:.1f} s ({cpu * 1000 / args.sessions:.0f} ms per session)")
    print(f"memory: idle {idle_rss / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB, ", end="")
    print(f"{(peak - idle_rss) / running / 2**20:.2f} MiB per running session")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per model call")
    args = parser.parse_args()
    databases = Databases()
    try:
        asyncio.run(_measure(databases.migrated(), args))
    finally:
        databases.stop()


if __name__ == "__main__":
    main()
