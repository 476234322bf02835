"""System warnings: problems an operator should see on the dashboard, held in memory per process.

A warning is keyed by its category and server, so a condition that persists stays one warning (with
its first ``created_at``) and is cleared when it goes away. ``GET /api/v1/system/warnings`` lists
them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

MCP_SERVER_UNHEALTHY = "mcp_server_unhealthy"


@dataclass(frozen=True)
class SystemWarning:
    id: str
    category: str
    message: str
    server: str | None
    created_at: datetime


class SystemWarnings:
    def __init__(self) -> None:
        self._warnings: dict[tuple[str, str | None], SystemWarning] = {}

    def raise_warning(self, category: str, message: str, *, server: str | None = None) -> SystemWarning:
        """Add a warning, or update the message of the one with the same category and server."""
        key = (category, server)
        current = self._warnings.get(key)
        if current is not None and current.message == message:
            return current
        warning = SystemWarning(
            id=current.id if current is not None else uuid.uuid4().hex,
            category=category,
            message=message,
            server=server,
            created_at=current.created_at if current is not None else datetime.now(UTC),
        )
        self._warnings[key] = warning
        return warning

    def clear(self, category: str, *, server: str | None = None) -> bool:
        """Remove the warning; whether there was one."""
        return self._warnings.pop((category, server), None) is not None

    def active(self) -> list[SystemWarning]:
        return sorted(self._warnings.values(), key=lambda w: (w.created_at, w.id))
