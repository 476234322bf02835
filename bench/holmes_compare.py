"""TARSy against HolmesGPT on the same one-tool investigation: same fake model, same stdio MCP server.

Both systems investigate a CrashLoopBackOff alert with a zero-latency OpenAI-compatible model
(``bench/fakes/model_server.py``: the first reply calls ``get_pods``, the next one answers) and the
same stdio MCP server (``bench/fakes/mcp_server.py``, started by the same Python for both):

- TARSy end to end through its API: ``tarsy serve`` (embedded PostgreSQL) in a subprocess, timed
  from ``POST /api/v1/alerts`` to the session's terminal ``session.status`` event
  (``bench/compare_tarsy.py``). TARSy's chain always ends with the executive summary, one more
  model call than HolmesGPT makes; it is counted, not hidden (the "model calls" column).
- HolmesGPT from PyPI, in a virtual environment of its own that this script makes
  (``.bench-venvs/holmesgpt``; the first install takes minutes), driven through its Python API
  (``Config`` → ``create_toolcalling_llm`` → ``ToolCallingLLM.call``, what ``holmes ask`` does) in a
  subprocess that times each investigation itself (``bench/holmes_driver.py``).

Process start-up is excluded on both sides; each side runs one untimed warm-up first, then the
timed runs alternate between the systems (the first of each round alternating too), so a change of
load on the machine hits both alike. Figures are printed, never asserted.

    .venv/bin/python bench/holmes_compare.py [--runs 10] [--model-latency 0] [--skip-holmes] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
from compare_holmes import DEFAULT_SPEC, DEFAULT_VENV, ensure_venv, holmes_process
from compare_tarsy import tarsy_process

BENCH = Path(__file__).resolve().parent
MODEL_SERVER = BENCH / "fakes" / "model_server.py"
MCP_SERVER = BENCH / "fakes" / "mcp_server.py"
TARGET_MEDIAN_S, TARGET_SPEEDUP = 0.3, 2.0


@contextmanager
def fake_model(latency_s: float) -> Iterator[str]:
    """The fake model server in a process of its own; yields its OpenAI base URL (``.../v1``)."""
    cmd = [sys.executable, str(MODEL_SERVER), "--latency", str(latency_s)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake model server exited with {proc.wait()} before it was ready")
        yield str(json.loads(line)["base_url"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Side(Protocol):
    version: str

    async def investigate(self) -> float: ...


def summarize(seconds: list[float], calls: Counter[str]) -> dict[str, Any]:
    ordered = sorted(seconds)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8] if len(ordered) > 1 else ordered[0]
    return {
        "runs": len(ordered),
        "median_s": statistics.median(ordered),
        "p90_s": p90,
        "mean_s": statistics.fmean(ordered),
        "min_s": ordered[0],
        "max_s": ordered[-1],
        "seconds": seconds,
        "model_calls_per_investigation": calls["calls"] / len(ordered),
        "tool_calls_per_investigation": calls["tool_call"] / len(ordered),
    }


async def _interleave(sides: dict[str, Side], model: httpx.AsyncClient, runs: int) -> dict[str, dict[str, Any]]:
    """One warm-up each, then ``runs`` rounds alternating which system goes first."""
    for side in sides.values():
        await side.investigate()
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    calls: dict[str, Counter[str]] = {name: Counter() for name in sides}
    for round_ in range(runs):
        for name in list(sides) if round_ % 2 == 0 else list(reversed(sides)):
            (await model.post("/stats/reset")).raise_for_status()
            seconds[name].append(await sides[name].investigate())
            calls[name].update((await model.get("/stats")).json())
    return {name: {"version": sides[name].version, **summarize(seconds[name], calls[name])} for name in sides}


async def measure(args: argparse.Namespace, base_url: str, workdir: Path, holmes: Path | None) -> dict[str, Any]:
    mcp_command = [sys.executable, str(MCP_SERVER)]
    async with AsyncExitStack() as stack:
        model = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url.removesuffix("/v1")))
        print("[tarsy] starting tarsy serve (embedded PostgreSQL)", file=sys.stderr, flush=True)
        sides: dict[str, Side] = {
            "tarsy": await stack.enter_async_context(tarsy_process(workdir, base_url, mcp_command))
        }
        tools: list[str] = []
        if holmes is not None:
            process = await stack.enter_async_context(holmes_process(holmes, base_url, mcp_command))
            sides["holmes"], tools = process, process.tools
        print(f"[bench] {args.runs} run(s) per system after one warm-up each", file=sys.stderr, flush=True)
        results = await _interleave(sides, model, args.runs)
    if "holmes" in results:
        results["holmes"]["tools_offered"] = tools
    return results


def _git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True)
    return done.stdout.strip()


def run(args: argparse.Namespace) -> dict[str, Any]:
    holmes_python = None if args.skip_holmes else ensure_venv(Path(args.holmes_venv), args.holmes_spec)
    with fake_model(args.model_latency) as base_url, tempfile.TemporaryDirectory(prefix="tarsy-bench-") as tmp:
        results = asyncio.run(measure(args, base_url, Path(tmp), holmes_python))
    tarsy, holmes = results["tarsy"], results.get("holmes")
    return {
        "benchmark": "one-tool investigation, end to end",
        "commit": _git_commit(),
        "model_latency_s": args.model_latency,
        "runs": args.runs,
        "target": {"tarsy_median_s_at_most": TARGET_MEDIAN_S, "speedup_over_holmes_at_least": TARGET_SPEEDUP},
        "tarsy": tarsy,
        "holmes": holmes,
        "holmes_over_tarsy_median": holmes["median_s"] / tarsy["median_s"] if holmes else None,
    }


def table(report: dict[str, Any]) -> str:
    latency_ms = report["model_latency_s"] * 1000
    lines = [
        f"One-tool investigation end to end: model latency {latency_ms:.0f} ms, "
        f"{report['runs']} runs per system after one warm-up (commit {report['commit'] or '?'})",
        "",
        f"{'system':<10} {'version':<10} {'median':>8} {'p90':>8} {'min':>8} {'max':>8} {'model calls':>12}",
    ]
    for name, key in (("TARSy", "tarsy"), ("HolmesGPT", "holmes")):
        side = report[key]
        if side is None:
            lines.append(f"{name:<10} skipped (--skip-holmes)")
            continue
        figures = " ".join(f"{side[k]:>7.3f}s" for k in ("median_s", "p90_s", "min_s", "max_s"))
        lines.append(f"{name:<10} {side['version']:<10} {figures} {side['model_calls_per_investigation']:>12.1f}")
    ratio = report["holmes_over_tarsy_median"]
    median = report["tarsy"]["median_s"]
    lines.append("")
    if ratio is not None:
        lines.append(f"HolmesGPT median / TARSy median: {ratio:.2f}x (TARSy is faster when above 1)")
    met = median <= TARGET_MEDIAN_S and (ratio is None or ratio >= TARGET_SPEEDUP)
    lines.append(
        f"target: TARSy median <= {TARGET_MEDIAN_S:.1f} s and >= {TARGET_SPEEDUP:.0f}x faster than HolmesGPT: "
        + ("met" if met else "not met")
        + (" (speed-up not measured: --skip-holmes)" if ratio is None else "")
    )
    lines.append(
        "TARSy's model calls include its executive summary (a chain always ends with one). TARSy lends "
        "each investigation a warm process of the stdio MCP server (docs/mcp.md); HolmesGPT starts it "
        "for each tool call."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="timed investigations per system (after a warm-up)")
    parser.add_argument("--model-latency", type=float, default=0.0, help="seconds the fake model waits per reply")
    parser.add_argument("--skip-holmes", action="store_true", help="measure TARSy only (no HolmesGPT venv)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--holmes-venv", default=str(DEFAULT_VENV), help="HolmesGPT's virtual environment")
    parser.add_argument("--holmes-spec", default=DEFAULT_SPEC, help="what pip installs there")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    report = run(args)
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
