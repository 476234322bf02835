"""The tiny MCP server over streamable HTTP or SSE, as a child process on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.unit.tools.factories import TINY_SERVER


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    port: int
    mode: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{'mcp' if self.mode == 'http' else 'sse'}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def tiny_http_server(mode: str = "http", port: int | None = None) -> Iterator[RunningServer]:
    """Start the server (``mode``: ``http`` or ``sse``), wait until it accepts connections, stop it after."""
    port = port or free_port()
    process = subprocess.Popen([sys.executable, str(TINY_SERVER), mode, str(port)], stderr=subprocess.DEVNULL)
    server = RunningServer(process, port, mode)
    try:
        _wait_for_port(port, process)
        yield server
    finally:
        server.stop()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tiny MCP server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"tiny MCP server did not listen on {port} within {timeout}s")
