"""SQL lives in ``tarsy/store`` (docs/architecture.md): other packages call its typed functions and
never send a statement of their own."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "tarsy"
# A statement written in place: execute("...") or execute(sql.SQL(...)) (a tool executor's
# execute(request) is no SQL).
STATEMENT = re.compile(r"\.execute(?:many)?\(\s*(?:f?[\"']|sql\.)")


def test_only_the_store_sends_sql() -> None:
    senders = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.parent.name != "store" and STATEMENT.search(path.read_text("utf-8"))
    }
    assert sorted(senders) == []
