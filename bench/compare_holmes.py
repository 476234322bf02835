"""HolmesGPT's side of ``holmes_compare.py``: its own virtual environment, and the driver run in it.

HolmesGPT comes from PyPI into ``.bench-venvs/holmesgpt`` (made on first use, reused while it holds
the requested version). ``holmes_driver.py`` runs with that environment's Python and prints its
figures as JSON; its process start-up and toolset loading are not timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV = ROOT / ".bench-venvs" / "holmesgpt"
DEFAULT_SPEC = "holmesgpt==0.45.0"
DRIVER = Path(__file__).resolve().parent / "holmes_driver.py"


def _log(message: str) -> None:
    print(f"[holmes] {message}", file=sys.stderr, flush=True)


def _installed_version(python: Path) -> str | None:
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('holmesgpt'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_venv(path: Path = DEFAULT_VENV, spec: str = DEFAULT_SPEC) -> Path:
    """The Python of a virtual environment holding ``spec``; creates or updates it (takes minutes)."""
    python = path / "bin" / "python"
    wanted = spec.partition("==")[2]
    have = _installed_version(python)
    if have is not None and (not wanted or have == wanted):
        _log(f"reusing {path} (holmesgpt {have})")
        return python
    if not python.exists():
        _log(f"creating the virtual environment {path}")
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
    _log(f"pip install {spec} (several minutes on first use; pip's output follows)")
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", spec]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as pip:
        assert pip.stdout is not None
        for line in pip.stdout:
            if line.startswith(("Collecting", "Installing", "Successfully", "ERROR")):
                _log(line.rstrip()[:160])
    if pip.returncode != 0:
        raise RuntimeError(f"pip install {spec} failed with exit code {pip.returncode}")
    return python


def run_holmes(python: Path, model_base_url: str, mcp_command: list[str], runs: int) -> dict[str, Any]:
    """One warm-up and ``runs`` timed investigations in a HolmesGPT process; the driver's JSON."""
    cmd = [str(python), str(DRIVER), "--api-base", model_base_url, "--mcp-command", mcp_command[0]]
    for arg in mcp_command[1:]:
        cmd += ["--mcp-arg", arg]
    cmd += ["--runs", str(runs)]
    _log(f"running {runs} investigation(s) after one warm-up")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600 + 30 * runs)
    if done.returncode != 0:
        raise RuntimeError(f"the HolmesGPT driver failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
