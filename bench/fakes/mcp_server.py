"""A stdio MCP server with one tool, ``get_pods``, that returns a fixed ``kubectl get pods``-like table.

Written with the ``mcp`` package's FastMCP, the way a small real server is written, so its start-up
cost (interpreter, imports, ``initialize``) is what spawning a Python MCP server costs.

    python bench/fakes/mcp_server.py
"""

from __future__ import annotations

from mcp.server.fastmcp import FastMCP

PODS = """\
NAMESPACE   NAME                     READY   STATUS             RESTARTS      AGE
{ns}     api-1                    0/1     CrashLoopBackOff   6 (42s ago)   9m
{ns}     api-2                    1/1     Running            0             9m
{ns}     web-0                    1/1     Running            0             2d
{ns}     web-1                    1/1     Running            0             2d
Last state of api-1: Terminated, reason OOMKilled, exit code 137."""

server = FastMCP("bench", log_level="WARNING")


@server.tool()
def get_pods(namespace: str = "default") -> str:
    """List the pods of a namespace with their status, restarts and age (like `kubectl get pods`)."""
    return PODS.format(ns=namespace.ljust(9))


if __name__ == "__main__":
    server.run("stdio")
