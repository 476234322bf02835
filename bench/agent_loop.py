"""Orchestration overhead of the agent loop: what TARSy itself costs per iteration, model time aside.

Runs a whole chain session (one stage, one agent, then the executive summary) whose agent makes
``--iterations`` model calls: ``iterations - 1`` tool calls, then its answer. The model is the
zero-latency scripted model and the tool returns a constant, so every millisecond measured is
LangGraph, the checkpointer, the recorder and PostgreSQL. It runs on a real embedded PostgreSQL 18
with ``AsyncPostgresSaver`` and the service's ``StoreRecorder``, and once more in memory
(``InMemorySaver`` + ``MemoryRecorder``) to separate the database's share.

Per-iteration figures are marginal: (session with N iterations - session with 1) / (N - 1), so the
fixed cost of a session (stage and execution rows, executive summary, final analysis) is left out.
CPU time is this process's only; the PostgreSQL server's CPU is not included. Database round trips
are counted by the pool (every statement, commit, connection check and batch, the checkpointer's
included). Sizes are realistic: each tool returns a kubectl-like table of ``--tool-output-bytes``
(2 KB by default) and each model turn carries a few hundred bytes of reasoning.

    .venv/bin/python bench/agent_loop.py [--iterations 20] [--runs 5] [--json]

``--json`` prints one JSON object per strategy (one per line) instead of the tables.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.tools import StructuredTool
from langgraph.checkpoint.memory import InMemorySaver

from tarsy.config import TarsyConfig, load_config_from_data
from tarsy.events.publisher import EventPublisher
from tarsy.graphs.compiler import SessionGraph, build_chain_graph
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.context import Recorder, RunContext, ToolExecutor
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.runtime.recorder import StoreRecorder
from tarsy.store.checkpointer import PooledPostgresSaver
from tarsy.store.db import Pool, TarsyPool, open_pool
from tarsy.store.embedded import EmbeddedPostgres
from tarsy.store.migrate import apply_migrations
from tarsy.store.sessions import NewSession, insert_session
from tarsy.tools.static import StaticToolExecutor

AGENT, SERVER, CHAIN, ALERT_TYPE = "BenchAgent", "bench", "bench", "BenchAlert"
ANSWER = "Root cause: the benchmark ran."
RECORD_TABLES = ("events", "timeline_events", "llm_interactions", "mcp_interactions", "stages", "agent_executions")
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
TABLES = RECORD_TABLES + CHECKPOINT_TABLES


REASONING = (
    "The pod restarted {i} times; the last state says OOMKilled with exit code 137. Before blaming the"
    " limit I should compare the container's memory limit with its working set over the last hour and"
    " check whether a recent deployment changed the heap settings, so list the pods of the namespace"
    " again and read the next page of events."
)


def script(strategy: str, iterations: int) -> dict[str, Any]:
    def tool_turn(i: int) -> dict[str, Any]:
        thought = REASONING.format(i=i)
        if strategy == "react":
            return {"text": f'Thought: {thought}\nAction: {SERVER}.echo\nAction Input: {{"n": {i}}}'}
        return {"thinking": thought, "tool_calls": [{"name": f"{SERVER}__echo", "args": {"n": i}, "id": f"c{i}"}]}

    def final(text: str) -> dict[str, Any]:
        return {"text": f"Thought: done\nFinal Answer: {text}" if strategy == "react" else text}

    turns = [tool_turn(i) for i in range(iterations - 1)] + [final(ANSWER)]
    return {"agents": {AGENT: turns, "ExecSummaryAgent": [final("Summary: benchmark.")]}}


def make_config(directory: Path, strategy: str, iterations: int) -> TarsyConfig:
    path = directory / f"script-{strategy}-{iterations}.json"
    path.write_text(json.dumps(script(strategy, iterations)), encoding="utf-8")
    tarsy = {
        "defaults": {"llm_provider": "bench", "strategy": strategy, "max_iterations": max(iterations, 1)},
        "mcp_servers": {SERVER: {"transport": {"type": "stdio", "command": "true"}}},
        "agents": {AGENT: {"mcp_servers": [SERVER]}},
        "agent_chains": {CHAIN: {"alert_types": [ALERT_TYPE], "stages": [{"name": "investigate", "agent": AGENT}]}},
    }
    providers = {"llm_providers": {"bench": {"type": "scripted", "script": str(path), "model": "zero-latency"}}}
    return load_config_from_data(tarsy=tarsy, llm_providers=providers, env={})


def tools(output_bytes: int) -> StaticToolExecutor:
    """The ``bench.echo`` tool: a kubectl-like pod table of about ``output_bytes``."""

    async def echo(n: int) -> str:
        header = "NAME                                   READY   STATUS             RESTARTS   AGE\n"
        rows = []
        for i in range(max(0, output_bytes - len(header)) // 78 + 1):
            suffix = hashlib.sha256(f"{n}:{i}".encode()).hexdigest()
            rows.append(
                f"checkout-api-{suffix[:10]}-{suffix[10:15]}        1/1     Running            {i % 7}          {i}h\n"
            )
        return f"ok {n}\n" + (header + "".join(rows))[:output_bytes] if output_bytes else f"ok {n}"

    return StaticToolExecutor(
        {SERVER: [StructuredTool.from_function(coroutine=echo, name="echo", description="Echo.")]}
    )


@dataclass(frozen=True)
class Sample:
    wall_ms: float
    cpu_ms: float
    round_trips: float = 0.0


async def timed(run: Callable[[], Awaitable[dict[str, Any]]], pool: Pool | None = None) -> Sample:
    trips = pool.round_trips.count if isinstance(pool, TarsyPool) else 0
    wall, cpu = time.perf_counter(), time.process_time()
    out = await run()
    wall_ms, cpu_ms = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    sample = Sample(wall_ms, cpu_ms, (pool.round_trips.count - trips) if isinstance(pool, TarsyPool) else 0)
    if out.get("final_analysis") != ANSWER:
        raise RuntimeError(f"the benchmark session did not finish as scripted: {out}")
    return sample


async def new_session(pool: Pool) -> str:
    async with pool.connection() as conn:
        row = await insert_session(conn, NewSession(ALERT_TYPE, CHAIN, {"bench": True}, None, "bench"))
    return str(row["id"])


def invoke(graph: SessionGraph, ctx: RunContext) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def run() -> dict[str, Any]:
        alert = {"alert_type": ALERT_TYPE, "data": {"bench": True}, "runbook": None}
        cfg: Any = {"configurable": {"thread_id": ctx.session_id}}
        return dict(await graph.ainvoke({"alert": alert}, cfg, context=ctx))

    return run


def context(session_id: str, config: TarsyConfig, recorder: Recorder, executor: ToolExecutor) -> RunContext:
    return RunContext(session_id, config, recorder, ModelFactory(config, env={}), executor)


@dataclass(frozen=True)
class Accounting:
    rows: dict[str, int]  # rows added per table
    tuples: dict[str, tuple[int, int]]  # (inserted, updated) tuples per table, from pg_stat_user_tables
    checkpoint_bytes: dict[str, int]  # pg_column_size of this thread's rows per checkpoint table
    wal_bytes: int  # WAL written during the session
    commits: int  # write transactions committed during the session (WAL commit records)
    stored_bytes: int  # pg_column_size of every row of the session, in our tables and the checkpointer's
    raw_bytes: int  # the conversation itself: message texts, reasoning, tool arguments and results, once each


class Postgres:
    def __init__(self, pool: Pool, saver: PooledPostgresSaver, executor: ToolExecutor) -> None:
        self.pool, self.saver, self.executor = pool, saver, executor

    async def run(self, graph: SessionGraph, config: TarsyConfig, session_id: str | None = None) -> tuple[str, Sample]:
        session_id = session_id or await new_session(self.pool)
        recorder = StoreRecorder(self.pool, EventPublisher(self.pool), session_id)
        return session_id, await timed(invoke(graph, context(session_id, config, recorder, self.executor)), self.pool)

    async def _rows(self) -> dict[str, int]:
        async with self.pool.connection() as conn:
            counts = {}
            for table in TABLES:
                cur = await conn.execute(f"SELECT count(*) AS n FROM {table}".encode())  # fixed table names
                found = await cur.fetchone()
                counts[table] = int(found["n"]) if found else 0
            return counts

    async def _tuples(self) -> dict[str, tuple[int, int]]:
        """Cumulative inserts and updates; waits until the backends have flushed their statistics."""
        previous: dict[str, tuple[int, int]] | None = None
        while True:
            await asyncio.sleep(1.2)  # backends flush table statistics about once a second when idle
            async with self.pool.connection() as conn:
                cur = await conn.execute(
                    "SELECT relname, n_tup_ins, n_tup_upd FROM pg_stat_user_tables WHERE relname = ANY(%s)",
                    (list(TABLES),),
                )
                now = {r["relname"]: (int(r["n_tup_ins"]), int(r["n_tup_upd"])) for r in await cur.fetchall()}
            if now == previous:
                return now
            previous = now

    async def _lsn(self) -> str:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT pg_current_wal_insert_lsn()::text AS lsn")
            found = await cur.fetchone()
            assert found is not None
            return str(found["lsn"])

    async def _wal(self, start: str, end: str) -> tuple[int, int]:
        """WAL bytes and commit records between two positions (pg_walinspect)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT pg_wal_lsn_diff(%s::pg_lsn, %s::pg_lsn)::bigint AS bytes, coalesce(sum(count)"
                " FILTER (WHERE \"resource_manager/record_type\" = 'Transaction/COMMIT'), 0)::bigint AS commits"
                " FROM pg_get_wal_stats(%s::pg_lsn, %s::pg_lsn, per_record => true)",
                (end, start, start, end),
            )
            found = await cur.fetchone()
            assert found is not None
            return int(found["bytes"]), int(found["commits"])

    async def _bytes(self, thread_id: str) -> dict[str, int]:
        sizes = {}
        async with self.pool.connection() as conn:
            for table in CHECKPOINT_TABLES:
                sql = f"SELECT coalesce(sum(pg_column_size(t.*)), 0) AS b FROM {table} t WHERE thread_id = %s"
                cur = await conn.execute(sql.encode(), (thread_id,))  # fixed table names
                found = await cur.fetchone()
                sizes[table] = int(found["b"]) if found else 0
        return sizes

    async def _stored(self, session_id: str) -> int:
        total = 0
        async with self.pool.connection() as conn:
            for table in (*RECORD_TABLES, "alert_sessions"):
                key = "id" if table == "alert_sessions" else "session_id"
                sql = f"SELECT coalesce(sum(pg_column_size(t.*)), 0) AS b FROM {table} t WHERE {key} = %s"
                cur = await conn.execute(sql.encode(), (session_id,))  # fixed table names
                found = await cur.fetchone()
                total += int(found["b"]) if found else 0
        return total + sum((await self._bytes(session_id)).values())

    async def _raw(self, session_id: str) -> int:
        """Bytes of the conversation: every message once (interactions store only new ones), with reasoning."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT request_messages, response, thinking FROM llm_interactions WHERE session_id = %s",
                (session_id,),
            )
            rows = await cur.fetchall()
        total = 0
        for row in rows:
            for message in [*row["request_messages"], *([row["response"]] if row["response"] else [])]:
                total += len(str(message.get("content") or "").encode())
                total += sum(
                    len(json.dumps(c.get("arguments") or {}).encode()) for c in message.get("tool_calls") or []
                )
            total += len((row["thinking"] or "").encode())
        return total

    async def account(self, graph: SessionGraph, config: TarsyConfig, iterations: int) -> Accounting:
        """One session with every write counted (not timed: the counting waits for statistics)."""
        rows, tuples = await self._rows(), await self._tuples()
        session_id = await new_session(self.pool)
        start = await self._lsn()
        await self.run(graph, config, session_id)
        wal_bytes, commits = await self._wal(start, await self._lsn())
        rows_after, tuples_after = await self._rows(), await self._tuples()
        calls = rows_after["llm_interactions"] - rows["llm_interactions"]
        if calls != iterations + 1:  # the agent's calls and the executive summary
            raise RuntimeError(f"expected {iterations + 1} model calls in the session, got {calls}")
        return Accounting(
            rows={t: rows_after[t] - rows[t] for t in TABLES},
            tuples={t: (tuples_after[t][0] - tuples[t][0], tuples_after[t][1] - tuples[t][1]) for t in TABLES},
            checkpoint_bytes=await self._bytes(session_id),
            wal_bytes=wal_bytes,
            commits=commits,
            stored_bytes=await self._stored(session_id),
            raw_bytes=await self._raw(session_id),
        )

    async def checkpoint_bytes(self, graph: SessionGraph, config: TarsyConfig) -> int:
        session_id, _ = await self.run(graph, config)
        return sum((await self._bytes(session_id)).values())


async def memory_sample(graph: SessionGraph, config: TarsyConfig, executor: ToolExecutor, run: int) -> Sample:
    return await timed(invoke(graph, context(f"memory-{run}", config, MemoryRecorder(), executor)))


def median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.wall_ms for s in samples),
        statistics.median(s.cpu_ms for s in samples),
        statistics.median(s.round_trips for s in samples),
    )


def marginal(long: float, short: float, iterations: int) -> float:
    return (long - short) / (iterations - 1)


@dataclass(frozen=True)
class StrategyResult:
    strategy: str
    pg_long: Sample
    pg_short: Sample
    mem_long: Sample
    mem_short: Sample
    long: Accounting
    short: Accounting
    growth: dict[int, int]  # iterations → checkpoint bytes of the session


async def measure(pg: Postgres, workdir: Path, strategy: str, iterations: int, runs: int) -> StrategyResult:
    sizes = sorted({1, iterations, *(n for n in (5, 10, 40) if n != iterations)})
    configs = {n: make_config(workdir, strategy, n) for n in sizes}
    pg_graphs = {n: build_chain_graph(c, CHAIN, checkpointer=pg.saver) for n, c in configs.items()}
    mem_graphs = {n: build_chain_graph(c, CHAIN, checkpointer=InMemorySaver()) for n, c in configs.items()}
    samples: dict[tuple[str, int], list[Sample]] = {}
    for run in range(runs + 1):  # run 0 warms up imports, caches and connections
        for n in (1, iterations):
            _, pg_sample = await pg.run(pg_graphs[n], configs[n])
            mem_sample = await memory_sample(mem_graphs[n], configs[n], pg.executor, run * 1000 + n)
            if run:
                samples.setdefault(("pg", n), []).append(pg_sample)
                samples.setdefault(("mem", n), []).append(mem_sample)
    growth = {n: await pg.checkpoint_bytes(pg_graphs[n], configs[n]) for n in sizes if n not in (1, iterations)}
    long = await pg.account(pg_graphs[iterations], configs[iterations], iterations)
    short = await pg.account(pg_graphs[1], configs[1], 1)
    growth[1], growth[iterations] = sum(short.checkpoint_bytes.values()), sum(long.checkpoint_bytes.values())
    return StrategyResult(
        strategy,
        median(samples[("pg", iterations)]),
        median(samples[("pg", 1)]),
        median(samples[("mem", iterations)]),
        median(samples[("mem", 1)]),
        long,
        short,
        dict(sorted(growth.items())),
    )


def figures(r: StrategyResult, n: int) -> dict[str, Any]:
    """The strategy's figures as one JSON-ready object (``--json``)."""
    rows = sum(marginal(r.long.rows[t], r.short.rows[t], n) for t in TABLES)
    checkpoint = sum(r.long.checkpoint_bytes.values())
    return {
        "strategy": r.strategy,
        "iterations": n,
        "pg_wall_ms_per_iteration": round(marginal(r.pg_long.wall_ms, r.pg_short.wall_ms, n), 3),
        "memory_wall_ms_per_iteration": round(marginal(r.mem_long.wall_ms, r.mem_short.wall_ms, n), 3),
        "pg_cpu_ms_per_iteration": round(marginal(r.pg_long.cpu_ms, r.pg_short.cpu_ms, n), 3),
        "memory_cpu_ms_per_iteration": round(marginal(r.mem_long.cpu_ms, r.mem_short.cpu_ms, n), 3),
        "db_round_trips_per_iteration": round(marginal(r.pg_long.round_trips, r.pg_short.round_trips, n), 2),
        "db_round_trips_per_session": r.pg_long.round_trips,
        "rows_per_iteration": round(rows, 2),
        "commits_per_iteration": round(marginal(r.long.commits, r.short.commits, n), 2),
        "stored_bytes_per_session": r.long.stored_bytes,
        "checkpoint_bytes_per_session": checkpoint,
        "raw_conversation_bytes": r.long.raw_bytes,
        "stored_to_raw_ratio": round(r.long.stored_bytes / max(1, r.long.raw_bytes), 2),
        "checkpoint_to_raw_ratio": round(checkpoint / max(1, r.long.raw_bytes), 2),
        "checkpoint_bytes_growth": {str(k): v for k, v in r.growth.items()},
    }


def report(results: list[StrategyResult], iterations: int, runs: int, tool_output_bytes: int) -> None:
    n = iterations
    tool = f"a tool returning {tool_output_bytes:,} bytes" if tool_output_bytes else "a trivial tool"
    print(f"TARSy agent-loop benchmark: {n}-iteration investigation ({n - 1} tool calls, then the answer)")
    print(f"zero-latency scripted model, {tool}; embedded PostgreSQL 18, AsyncPostgresSaver, StoreRecorder")
    print(f"median of {runs} runs after a warm-up; per iteration = (session({n}) - session(1)) / {n - 1}")
    print("\nOrchestration overhead per iteration (one model call + one tool round)")
    print(f"  {'strategy':<17}{'store':<24}{'wall ms':>9}{'cpu ms':>9}")
    for r in results:
        for store, long, short in (
            ("PostgreSQL", r.pg_long, r.pg_short),
            ("in memory (reference)", r.mem_long, r.mem_short),
        ):
            wall, cpu = marginal(long.wall_ms, short.wall_ms, n), marginal(long.cpu_ms, short.cpu_ms, n)
            print(f"  {r.strategy:<17}{store:<24}{wall:>9.2f}{cpu:>9.2f}")
    print(f"\nWhole session with {n} iterations (stage records, executive summary and final analysis included)")
    print(f"  {'strategy':<17}{'store':<24}{'wall ms':>9}{'cpu ms':>9}")
    for r in results:
        for store, s in (("PostgreSQL", r.pg_long), ("in memory (reference)", r.mem_long)):
            print(f"  {r.strategy:<17}{store:<24}{s.wall_ms:>9.1f}{s.cpu_ms:>9.1f}")
    print("\nDatabase writes per iteration: rows added / tuples inserted / tuples updated (pg_stat_user_tables)")
    print(f"  {'table':<19}" + "".join(f"{r.strategy:>24}" for r in results))
    totals = [[0.0, 0.0, 0.0] for _ in results]
    for table in TABLES:
        cells = []
        for i, r in enumerate(results):
            rows = marginal(r.long.rows[table], r.short.rows[table], n)
            ins = marginal(r.long.tuples[table][0], r.short.tuples[table][0], n)
            upd = marginal(r.long.tuples[table][1], r.short.tuples[table][1], n)
            totals[i] = [totals[i][0] + rows, totals[i][1] + ins, totals[i][2] + upd]
            cells.append(f"{rows:>8.1f}{ins:>8.1f}{upd:>8.1f}")
        print(f"  {table:<19}" + "".join(cells))
    print(f"  {'total':<19}" + "".join(f"{t[0]:>8.1f}{t[1]:>8.1f}{t[2]:>8.1f}" for t in totals))
    commits = "".join(f"{marginal(r.long.commits, r.short.commits, n):>24.1f}" for r in results)
    wal = "".join(f"{marginal(r.long.wal_bytes, r.short.wal_bytes, n):>24,.0f}" for r in results)
    print(f"  {'commits':<19}{commits}\n  {'WAL bytes':<19}{wal}")
    print("\nCheckpoint bytes per session (sum of pg_column_size over the thread's checkpoint rows)")
    for r in results:
        parts = ", ".join(
            f"{CHECKPOINT_TABLES[i]} {r.long.checkpoint_bytes[t]:,}" for i, t in enumerate(CHECKPOINT_TABLES)
        )
        print(f"  {r.strategy:<17}{n} iterations: {sum(r.long.checkpoint_bytes.values()):>10,} B ({parts})")
    print("  growth with the number of iterations (total bytes):")
    for r in results:
        print(f"  {r.strategy:<17}" + "  ".join(f"{k}: {v:,}" for k, v in r.growth.items()))
    print(f"\nStored bytes per {n}-iteration session against the raw conversation (texts, reasoning, tool data)")
    for r in results:
        f = figures(r, n)
        print(
            f"  {r.strategy:<17}stored {f['stored_bytes_per_session']:,} B, checkpoints"
            f" {f['checkpoint_bytes_per_session']:,} B, raw {f['raw_conversation_bytes']:,} B:"
            f" {f['stored_to_raw_ratio']}x stored, {f['checkpoint_to_raw_ratio']}x checkpoints"
        )
    trips = "".join(f"{marginal(r.pg_long.round_trips, r.pg_short.round_trips, n):>24.1f}" for r in results)
    print(f"\nDatabase round trips per iteration (counted by the pool){trips}")


async def main(iterations: int, runs: int, strategies: list[str], tool_output_bytes: int, as_json: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tarsy-bench-"))
    server = EmbeddedPostgres(workdir / "pgdata", delete_on_stop=True)
    try:
        pool = await open_pool(server.uri(), min_size=2, max_size=10)
        try:
            await apply_migrations(pool)
            saver = PooledPostgresSaver(pool)  # the service shares its pool with the checkpointer the same way
            await saver.setup()
            async with pool.connection() as conn:
                await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            pg = Postgres(pool, saver, tools(tool_output_bytes))
            results = [await measure(pg, workdir, s, iterations, runs) for s in strategies]
        finally:
            await pool.close()
    finally:
        server.stop()
    if as_json:
        for r in results:
            print(json.dumps(figures(r, iterations)))
    else:
        report(results, iterations, runs, tool_output_bytes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=20, help="model calls of the investigating agent (>= 2)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median reported)")
    parser.add_argument("--strategy", choices=["native-thinking", "react"], action="append", help="default: both")
    parser.add_argument("--tool-output-bytes", type=int, default=2048, help="size of each tool result")
    parser.add_argument("--json", action="store_true", help="one JSON object per strategy instead of the tables")
    args = parser.parse_args()
    if args.iterations < 2:
        parser.error("--iterations must be at least 2")
    strategies = args.strategy or ["native-thinking", "react"]
    asyncio.run(main(args.iterations, args.runs, strategies, args.tool_output_bytes, args.json))
