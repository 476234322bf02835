"""``TARSY_UPDATE_GOLDENS=1`` rewrites a changed golden and fails the test that did it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import goldens


def test_update_mode_rewrites_and_then_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(goldens.UPDATE_ENV, "1")
    golden = tmp_path / "answer.txt"
    golden.write_text("old", encoding="utf-8")

    goldens.check_golden(golden, "new")

    assert golden.read_text(encoding="utf-8") == "new"
    with pytest.raises(pytest.fail.Exception, match="rewrote these goldens"):
        goldens.fail_if_rewritten()


def test_update_mode_without_a_change_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(goldens.UPDATE_ENV, "1")
    golden = tmp_path / "answer.txt"
    golden.write_text("same", encoding="utf-8")

    goldens.check_golden(golden, "same")

    assert goldens.take_rewritten() == []


def test_a_plain_run_compares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(goldens.UPDATE_ENV, raising=False)
    monkeypatch.delenv("TARSY_UPDATE_GOLDEN", raising=False)
    golden = tmp_path / "answer.txt"
    golden.write_text("old", encoding="utf-8")

    with pytest.raises(pytest.fail.Exception, match="differs from its golden file"):
        goldens.check_golden(golden, "new")
    assert golden.read_text(encoding="utf-8") == "old"
