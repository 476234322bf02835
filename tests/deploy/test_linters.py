"""The Containerfile is clean under hadolint and the workflows under actionlint (both ship their
binaries in dev-dependency wheels). Each linter is first shown to fail on a known-bad file, so a
broken wiring (no binary, ignored exit code) cannot pass silently."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: `make install` installs the dev dependencies")
    return found


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_hadolint_reports_a_bad_containerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Containerfile"
    bad.write_text("FROM python\nRUN apt-get install curl\n")
    result = _run(_tool("hadolint"), str(bad))
    assert result.returncode != 0 and "DL3006" in result.stdout  # untagged base image


def test_containerfile_is_hadolint_clean() -> None:
    result = _run(_tool("hadolint"), "Containerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_containerfile_runtime_shape() -> None:
    text = (ROOT / "Containerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 3, "multi-stage: dashboard, wheel, runtime"
    runtime = text[text.rindex("\nFROM ") :]
    assert "\nUSER 10001" in runtime
    assert 'CMD ["serve"]' in runtime and 'ENTRYPOINT ["tarsy"]' in runtime
    for compiler in ("gcc", "build-essential", "apt-get install", "npm", "node "):
        assert compiler not in runtime, f"the runtime stage must not install {compiler}"
    assert "scripts/build-wheel.sh" in text  # the same wheel build the package test drives


def test_actionlint_reports_a_bad_workflow(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = _run(_tool("actionlint"), str(bad.relative_to(tmp_path)), cwd=tmp_path)
    assert result.returncode != 0 and "nope" in result.stdout


def test_workflows_are_actionlint_clean() -> None:
    files = sorted(WORKFLOWS.glob("*.yaml"))
    assert {f.name for f in files} >= {"ci.yaml", "image.yaml", "release.yaml"}
    result = _run(_tool("actionlint"), *(str(f.relative_to(ROOT)) for f in files))
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_do_what_the_project_promises() -> None:
    ci = (WORKFLOWS / "ci.yaml").read_text()
    image = (WORKFLOWS / "image.yaml").read_text()
    release = (WORKFLOWS / "release.yaml").read_text()
    assert "pull_request" in ci and "run: make test" in ci
    assert "tags:" in image and "linux/amd64,linux/arm64" in image and "ghcr.io/" in image
    assert "file: Containerfile" in image and "push: true" in image
    assert "scripts/build-wheel.sh" in release and "gh-action-pypi-publish" in release
