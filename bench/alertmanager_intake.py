"""Alertmanager webhook latency: seconds to accept a group of N realistic alerts (one batched insert).

Starts TARSy (API only, no workers) on an embedded PostgreSQL and posts groups of 100, 1,000 and
4,200 alerts (the last one 2.5 MB, capped at ``system.alertmanager.max_alerts_per_request``). The
target is well under 1 s for 1,000 alerts. Prints figures; asserts nothing.

    .venv/bin/python bench/alertmanager_intake.py [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests.support

from tests.e2e.test_alertmanager_groups import _realistic
from tests.support.pg import Databases
from tests.support.server import running_tarsy, write_config

SIZES = tuple(int(s) for s in __import__("os").environ.get("BENCH_SIZES", "100,1000,4200").split(","))


async def _measure(url: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp) / "config", script={"agents": {"*": [{"text": "ok"}]}})
        async with running_tarsy(config, url, workers=0) as tarsy:
            print(f"{'alerts':>7}{'bytes':>11}{'opened':>8}{'seconds':>10}")
            for size in SIZES:
                times: list[float] = []
                opened = 0
                body = json.dumps(_realistic(size))
                for _ in range(runs):
                    async with tarsy.services.pool.connection() as conn:
                        await conn.execute("TRUNCATE alert_sessions CASCADE")
                    start = time.perf_counter()
                    resp = await tarsy.client.post(
                        "/api/v1/alerts/alertmanager", content=body, headers={"content-type": "application/json"}
                    )
                    times.append(time.perf_counter() - start)
                    opened = resp.json()["queued"]
                print(f"{size:>7}{len(body):>11}{opened:>8}{statistics.median(times):>10.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    databases = Databases()
    try:
        url = databases.migrated()
        asyncio.run(_measure(url, args.runs))
    finally:
        databases.stop()


if __name__ == "__main__":
    main()
