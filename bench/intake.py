"""Alert intake throughput: ``POST /api/v1/alerts`` per second with the whole request path.

Starts ``tarsy serve`` as a process of its own (real embedded PostgreSQL 18, the real app and its
middleware: guard, body limit, JSON scan, masking of the alert, the session insert and its event)
with no workers, so only intake is measured, and drives it from this process with ``--clients``
concurrent keep-alive HTTP/1.1 connections (a minimal client on asyncio streams, so the load
generator stays cheap next to the server). The server's CPU is read from its process, the
database's from its server processes: the client's CPU is counted against neither.

Prints alerts/s, p50/p99 latency, and server and PostgreSQL CPU ms per alert. The target is
>= 500 alerts/s on 2 cores. Asserts nothing. ``--profile FILE`` runs the server under cProfile and
writes its stats to FILE (read them with ``python -m pstats FILE``).

    .venv/bin/python bench/intake.py [--alerts 3000] [--clients 32] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests.support

from tests.support.pg import Databases
from tests.support.server import free_port, write_config

TARGET = 500.0
ALERT = {
    "alert_type": "kubernetes",
    "data": {
        "alertname": "PodCrashLooping",
        "namespace": "payments",
        "pod": "checkout-api-7d9f8b6c4-x2k9q",
        "container": "checkout",
        "reason": "CrashLoopBackOff",
        "message": "Back-off restarting failed container checkout in pod checkout-api-7d9f8b6c4-x2k9q",
        "severity": "critical",
        "cluster": "prod-eu-west-1",
        "labels": {"app": "checkout-api", "team": "payments", "tier": "backend"},
        "annotations": {"runbook_url": "https://runbooks.example.com/pods/crashloop", "summary": "Pod restarts"},
        "restart_count": 17,
    },
}


def _request(port: int) -> bytes:
    body = json.dumps(ALERT).encode()
    head = (
        f"POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _client(port: int, request: bytes, remaining: list[int], latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while remaining[0] > 0:
            remaining[0] -= 1
            start = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if b" 202 " not in status:
                errors.append(f"{status.decode().strip()} {body[:200].decode(errors='replace')}")
    finally:
        writer.close()


async def _drive(port: int, count: int, clients: int) -> tuple[float, list[float], list[str]]:
    request = _request(port)
    remaining, latencies, errors = [count], [], []  # type: ignore[var-annotated]
    start = time.perf_counter()
    await asyncio.gather(*(_client(port, request, remaining, latencies, errors) for _ in range(clients)))
    return time.perf_counter() - start, latencies, errors


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _postgres_processes(databases: Databases) -> list[psutil.Process]:
    pid = databases.server._server.get_postmaster_info().pid
    postmaster = psutil.Process(pid)
    return [postmaster, *postmaster.children(recursive=True)]


def _start_server(url: str, config: Path, port: int, profile: str | None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TARSY_CONFIG_DIR": str(config),
        "DATABASE_URL": url,
        "TARSY_PORT": str(port),
        "TARSY_WORKERS": "0",
        "TARSY_DEMO": "0",
        "TARSY_LOG_LEVEL": os.environ.get("TARSY_LOG_LEVEL", "INFO"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    prefix = ["-m", "cProfile", "-o", profile] if profile else []
    server = subprocess.Popen([sys.executable, *prefix, "-m", "tarsy.cli", "serve"], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"tarsy serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("tarsy serve did not start within 60 s")


def _run(args: argparse.Namespace, databases: Databases, url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(
            Path(tmp) / "config", script={"agents": {"*": [{"text": "ok"}]}}, queue={"max_pending": None}
        )
        port = free_port()
        server = _start_server(url, config, port, args.profile)
        try:
            process = psutil.Process(server.pid)
            postgres = _postgres_processes(databases)
            asyncio.run(_drive(port, args.warmup, args.clients))  # connections, caches, first plans
            print(f"intake: {args.alerts} alerts per run, {args.clients} clients, {len(json.dumps(ALERT))} bytes each")
            print(f"{'run':>4}{'alerts/s':>10}{'p50 ms':>9}{'p99 ms':>9}", end="")
            print(f"{'server CPU ms/alert':>21}{'PG CPU ms/alert':>17}")
            rates: list[float] = []
            for run in range(1, args.runs + 1):
                cpu0, pg0 = _cpu([process]), _cpu(postgres)
                wall, latencies, errors = asyncio.run(_drive(port, args.alerts, args.clients))
                cpu, pg = _cpu([process]) - cpu0, _cpu(postgres) - pg0
                if errors:
                    print(f"{len(errors)} requests failed, first: {errors[0]}")
                latencies.sort()
                rate = args.alerts / wall
                rates.append(rate)
                p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
                print(
                    f"{run:>4}{rate:>10.0f}{p50 * 1000:>9.1f}{p99 * 1000:>9.1f}"
                    f"{cpu * 1000 / args.alerts:>21.2f}{pg * 1000 / args.alerts:>17.2f}"
                )
            median = statistics.median(rates)
            verdict = "meets" if median >= TARGET else "BELOW"
            print(f"median: {median:.0f} alerts/s ({verdict} the target of {TARGET:.0f}/s)")
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=3000, help="alerts per measured run")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--profile", metavar="FILE", help="run the server under cProfile, stats to FILE")
    args = parser.parse_args()
    databases = Databases()
    try:
        _run(args, databases, databases.migrated())
    finally:
        databases.stop()


if __name__ == "__main__":
    main()
