"""``tarsy investigate`` as a person runs it: a subprocess, no server, no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.server import write_config

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
ALERT = {"pod": "api-1", "namespace": "prod", "reason": "CrashLoopBackOff"}


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "DATABASE_URL"}
    environ.update({"PYTHONPATH": str(ROOT), "TARSY_LOG_LEVEL": "WARNING", **(env or {})})
    environ.pop("TARSY_CONFIG_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "tarsy.cli", "investigate", *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_mode_streams_the_timeline_and_prints_the_analysis(tmp_path: Path) -> None:
    (tmp_path / "alert.json").write_text(json.dumps(ALERT))
    done = _run(tmp_path, "--alert-type", "kubernetes", "--data", "@alert.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Final analysis")
    assert "demo mode" in done.stdout.lower()
    assert "▶ stage 1/1 analysis" in done.stderr
    assert "KubernetesAgent llm_tool_call" in done.stderr  # the timeline, as it happened


def test_json_result_for_machines(tmp_path: Path) -> None:
    done = _run(tmp_path, "--alert-type", "kubernetes", "--data", json.dumps(ALERT), "--json", env={"TARSY_DEMO": "1"})
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["status"] == "completed"
    assert result["chain_id"] == "kubernetes"
    assert result["demo"] is True
    assert result["final_analysis"] and result["executive_summary"]
    assert [s["agent_name"] for s in result["stages"]] == ["KubernetesAgent"]


def test_a_failed_investigation_exits_non_zero(tmp_path: Path) -> None:
    script = {"agents": {"*": [{"error": "provider exploded"}]}}
    config = write_config(tmp_path / "config", script=script, tarsy={"mcp_servers": {}})
    done = _run(
        tmp_path, "--alert-type", "kubernetes", "--data", "pod api-1 crashed", "--config", str(config), "--json"
    )
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "failed"
    assert result["error"]
    assert result["final_analysis"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alert-type", "nope", "--data", "{}"], "--alert-type nope"),
        (["--alert-type", "kubernetes", "--data", "@missing.json"], "--data @missing.json: cannot read missing.json"),
        (["--alert-type", "kubernetes", "--chain", "nope", "--data", "x"], "--chain nope: no such chain"),
        (["--alert-type", "kubernetes", "--data", "  "], "--data: alert data is empty"),
        (["--data", "x"], "--alert-type"),
    ],
)
def test_usage_errors_exit_2_saying_what_to_fix(tmp_path: Path, args: list[str], message: str) -> None:
    done = _run(tmp_path, *args, env={"TARSY_DEMO": "1"})
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


async def test_with_database_url_the_checkpoints_go_to_postgresql(tmp_path: Path, database_url: str) -> None:
    done = _run(
        tmp_path,
        "--alert-type",
        "kubernetes",
        "--data",
        "pod api-1 crashed",
        "--json",
        env={"TARSY_DEMO": "1", "DATABASE_URL": database_url},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (result["thread_id"],))
        row = await cur.fetchone()
    assert row is not None and row[0] > 0
