"""The `tarsy` command: --version, each subcommand's --help, check-config's exit codes and messages,
migrate's refusal without a database and its run against one. Parsing and check-config run in-process
(importing TARSy once); --version and migrate run as a subprocess, as an init container would."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tarsy.build_info import version
from tarsy.cli import main
from tests.support.pg import Databases

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., tuple[int, str, str]]


def tarsy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TARSY_") and k != "DATABASE_URL"}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tarsy.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    """``run(*args, env=...)`` → (exit code, stdout, stderr) of ``tarsy.cli.main`` in this process."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    for name in list(os.environ):
        if name.startswith("TARSY_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)

    def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    yield invoke
    root.handlers[:] = handlers
    root.setLevel(level)


def test_version() -> None:
    result = tarsy("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tarsy {version()}"


@pytest.mark.parametrize(
    ("command", "names"),
    [
        (
            "serve",
            ["TARSY_CONFIG_DIR", "DATABASE_URL", "TARSY_HOST", "TARSY_PORT", "TARSY_WORKERS", "queue.worker_count"],
        ),
        ("worker", ["DATABASE_URL", "TARSY_WORKERS", "TARSY_HEALTH_PORT", "queue.worker_count"]),
        ("migrate", ["DATABASE_URL", "TARSY_LOG_FORMAT"]),
        ("check-config", ["TARSY_CONFIG_DIR", "llm_providers"]),
    ],
)
def test_help_names_environment_and_config_keys(run: Run, command: str, names: list[str]) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    for name in names:
        assert name in out, f"`tarsy {command} --help` does not mention {name}"


def test_check_config_accepts_the_builtins_and_a_valid_folder(run: Run) -> None:
    code, out, err = run("check-config")
    assert code == 0, err
    assert "built-in" in out and "is valid" in out
    code, out, err = run("check-config", str(ROOT / "deploy" / "compose" / "config"))
    assert code == 0, err


def test_check_config_reads_the_folder_from_the_environment(run: Run, tmp_path: Path) -> None:
    (tmp_path / "tarsy.yaml").write_text("queue:\n  worker_count: 0\n")
    code, _, err = run("check-config", env={"TARSY_CONFIG_DIR": str(tmp_path)})
    assert code == 1
    assert str(tmp_path) in err and "queue.worker_count" in err


def test_check_config_lists_every_problem(run: Run, tmp_path: Path) -> None:
    (tmp_path / "tarsy.yaml").write_text(
        "defaults:\n  llm_provider: nowhere\nqueue:\n  poll_interval: soon\n  bogus_key: 1\n"
    )
    code, out, err = run("check-config", str(tmp_path))
    assert code == 1
    assert "problem(s)" in err
    for expected in ("nowhere", "queue.poll_interval", "bogus_key"):
        assert expected in err
    assert out == ""


def test_check_config_missing_folder(run: Run, tmp_path: Path) -> None:
    code, _, err = run("check-config", str(tmp_path / "absent"))
    assert code == 1
    assert "config directory does not exist" in err


def test_migrate_needs_a_database_url(run: Run) -> None:
    code, _, err = run("migrate")
    assert code == 2
    assert "DATABASE_URL is not set" in err


@pytest.mark.integration
def test_migrate_applies_the_schema_once(databases: Databases) -> None:
    url = databases.empty()
    first = tarsy("migrate", env={"DATABASE_URL": url})
    assert first.returncode == 0, first.stderr
    assert "applied 001" in first.stdout
    with psycopg.connect(url) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"schema_migrations", "checkpoints"} <= tables  # TARSy's schema and LangGraph's
    again = tarsy("migrate", env={"DATABASE_URL": url})
    assert again.returncode == 0 and "schema up to date" in again.stdout
