"""The package as an operator installs it: build the wheel (dashboard inside) exactly as the
Containerfile does (scripts/build-wheel.sh), install it alone into a fresh virtual environment, run
`tarsy serve` from outside any checkout against PostgreSQL in demo mode, take one investigation to
completion over HTTP, and load the dashboard from the wheel's own copy.

Only the wheel is installed: its dependencies come from the test interpreter's site-packages through
a .pth path entry (a full dependency install would take minutes and the network). That entry adds
the folder to sys.path without running the .pth files inside it, so the development checkout's
editable install stays inert, and the test asserts that `tarsy` is imported from the new environment.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import site
import subprocess
import sys
import sysconfig
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.pg import Databases
from tests.support.server import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "web" / "dashboard" / "dist"


def _build_wheel(out: Path) -> Path:
    if not (DASHBOARD / "index.html").is_file():
        pytest.fail("the dashboard is not built: run `make dashboard` (make test-py does it first)")
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-wheel.sh"), str(out)],
        env={**os.environ, "PYTHON": sys.executable},
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = out.glob("tarsy-*.whl")
    return wheel


def _install(wheel: Path, venv: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shared = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (Path(purelib) / "zz_shared_dependencies.pth").write_text("\n".join(dict.fromkeys(shared)) + "\n")
    return venv / "bin" / "tarsy"


def _clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    keep = {"PATH", "LANG", "LC_ALL", "TZ"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(HOME=str(tmp), TARSY_DATA_DIR=str(tmp / "data"), **extra)
    return env


@asynccontextmanager
async def _serving(tarsy: Path, env: dict[str, str], cwd: Path, log: Path) -> AsyncIterator[httpx.AsyncClient]:
    base = f"http://127.0.0.1:{env['TARSY_PORT']}"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(tarsy), "serve"], env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                deadline = asyncio.get_running_loop().time() + 240
                while True:
                    assert proc.poll() is None, f"tarsy serve exited: {log.read_text()[-3000:]}"
                    try:
                        if (await client.get("/health/ready")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    assert asyncio.get_running_loop().time() < deadline, f"not ready: {log.read_text()[-3000:]}"
                    await asyncio.sleep(0.5)
                yield client
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def test_wheel_serves_a_demo_investigation_and_its_dashboard(databases: Databases, tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path / "dist")
    tarsy = _install(wheel, tmp_path / "venv")
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    where = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "python"), "-c", "import tarsy; print(tarsy.__file__)"],
        env=_clean_env(tmp_path),
        cwd=outside,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), f"tarsy imported from {where}, not the wheel"
    version = subprocess.run(
        [str(tarsy), "--version"], env=_clean_env(tmp_path), cwd=outside, capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.startswith("tarsy ")

    env = _clean_env(
        tmp_path,
        DATABASE_URL=databases.empty(),  # an empty database: the wheel's own migrations build the schema
        TARSY_PORT=str(free_port()),
        TARSY_DEMO="1",
        TARSY_WORKERS="1",
    )
    async with _serving(tarsy, env, outside, tmp_path / "serve.log") as client:
        config = (await client.get("/api/v1/system/config")).json()
        resp = await client.post(
            "/api/v1/alerts",
            json={
                "alert_type": "kubernetes",
                "data": {"namespace": "checkout", "pod": "checkout-api", "reason": "CrashLoopBackOff"},
            },
        )
        assert resp.status_code == 202, resp.text
        session_id = resp.json()["session_id"]
        deadline = asyncio.get_running_loop().time() + 240
        while True:
            session = (await client.get(f"/api/v1/sessions/{session_id}")).json()
            if session["status"] not in {"pending", "in_progress"}:
                break
            assert asyncio.get_running_loop().time() < deadline, f"session still {session['status']}"
            await asyncio.sleep(0.5)
        index = await client.get("/")
        assets = re.findall(r'(?:src|href)="/?(assets/[^"]+\.js)"', index.text)
        asset = await client.get(f"/{assets[0]}") if assets else None

    assert session["status"] == "completed", session
    assert session["final_analysis"]
    assert config["mode"] == "demo" and config["source"] == "built-in"
    packaged = Path(where).parent / "_dashboard"
    assert index.status_code == 200 and index.text == (packaged / "index.html").read_text()
    assert asset is not None and asset.status_code == 200
    assert asset.content == (packaged / assets[0]).read_bytes()
