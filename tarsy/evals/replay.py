"""The replay MCP server: a scenario's recorded tool outputs under kubernetes-mcp-server's tools.

``python -m tarsy.evals.replay --scenario DIR --calls FILE`` serves over stdio exactly the tools
(names, descriptions, input schemas) of kubernetes-mcp-server 0.0.67 (read-only), answers each call
from the scenario's recordings (matching rules in docs/evals.md), answers an unrecorded call as the
real server would answer for an object that does not exist, and appends every call to FILE as a
JSON line. The low-level MCP ``Server`` serves the committed schemas verbatim (FastMCP would
rebuild them from Python signatures). ``replay_server`` builds the same server for in-process use.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from tarsy.evals.errors import ScenarioError
from tarsy.evals.scenario import Scenario, kubernetes_tools, load_scenario, match

SERVER_NAME = "kubernetes-mcp-server"
DEFAULT_NAMESPACE = "default"
CONTEXT = "eval-cluster"


@dataclass(frozen=True)
class ReplayedCall:
    """One call as the replay server saw it: ``recording`` is the index that answered, or None."""

    tool: str
    args: dict[str, Any]
    recording: int | None
    is_error: bool


def answer(scenario: Scenario, tool: str, args: dict[str, Any]) -> tuple[str, bool, int | None]:
    """(text, is_error, recording index) for one call."""
    index = match(scenario.spec.recordings, tool, args)
    if index is not None:
        recorded = scenario.answers[index]
        return recorded.text, recorded.is_error, index
    text, is_error = unrecorded(scenario, tool, args)
    return text, is_error, None


def _plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y") and not lower.endswith(("ay", "ey", "oy")):
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith(("s", "x", "ch")) else "s")


def _resource_name(api_version: str, kind: str) -> str:
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    return f"{_plural(kind)}.{group}" if group else _plural(kind)


def _namespaces(scenario: Scenario) -> list[str]:
    found = {"default", "kube-system"}
    for recording in scenario.spec.recordings:
        if isinstance(recording.args.get("namespace"), str):
            found.add(recording.args["namespace"])
    data = scenario.spec.alert.data
    if isinstance(data, dict) and isinstance(data.get("namespace"), str):
        found.add(data["namespace"])
    return sorted(found)


def unrecorded(scenario: Scenario, tool: str, args: dict[str, Any]) -> tuple[str, bool]:
    """What the real server answers for something the scenario's cluster does not have."""
    name = str(args.get("name", ""))
    namespace = str(args.get("namespace") or DEFAULT_NAMESPACE)
    empty = f"No resources found in {namespace} namespace." if args.get("namespace") else "No resources found."
    if tool == "pods_get":
        return f'failed to get pod {name} in namespace {namespace}: pods "{name}" not found', True
    if tool == "pods_log":
        return f'failed to get pod {name} log in namespace {namespace}: pods "{name}" not found', True
    if tool == "resources_get":
        plural = _resource_name(str(args.get("apiVersion", "")), str(args.get("kind", "")))
        return f'failed to get resource: {plural} "{name}" not found', True
    if tool in ("pods_list", "pods_list_in_namespace", "resources_list"):
        return empty, False
    if tool == "events_list":
        return "# No events found", False
    if tool in ("pods_top", "nodes_top"):
        what = "pods" if tool == "pods_top" else "nodes"
        return f"failed to get {what} top: metrics API not available", True
    if tool in ("nodes_log", "nodes_stats_summary"):
        return f'failed to get node {name}: nodes "{name}" not found', True
    if tool == "namespaces_list":
        rows = "".join(f"{ns:<20} Active   30d\n" for ns in _namespaces(scenario))
        return f"NAME                 STATUS   AGE\n{rows}", False
    if tool == "configuration_view":
        return _KUBECONFIG, False
    if tool == "projects_list":
        return "failed to list projects: the server could not find the requested resource", True
    return f"tool not found: {tool}", True


_KUBECONFIG = f"""\
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://10.0.0.1:6443
  name: {CONTEXT}
contexts:
- context:
    cluster: {CONTEXT}
    user: {CONTEXT}-reader
  name: {CONTEXT}
current-context: {CONTEXT}
preferences: {{}}
users:
- name: {CONTEXT}-reader
  user: {{}}
"""


def replay_server(scenario: Scenario, on_call: Callable[[ReplayedCall], None]) -> Server[Any, Any]:
    """The MCP server replaying ``scenario``; ``on_call`` sees every tool call."""
    server: Server[Any, Any] = Server(SERVER_NAME, version="0.0.67")
    tools = [types.Tool.model_validate(tool) for tool in kubernetes_tools()]

    @server.list_tools()  # type: ignore[untyped-decorator,no-untyped-call]
    async def list_tools() -> list[types.Tool]:
        return tools

    @server.call_tool(validate_input=True)  # type: ignore[untyped-decorator]
    async def call_tool(name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        text, is_error, index = answer(scenario, name, arguments)
        on_call(ReplayedCall(name, dict(arguments), index, is_error))
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], isError=is_error)

    return server


def append_call(file: Path) -> Callable[[ReplayedCall], None]:
    """Record each call as one JSON line in ``file`` (flushed at once: the caller reads it after)."""

    def record(call: ReplayedCall) -> None:
        with file.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(call), sort_keys=True) + "\n")

    return record


def read_calls(file: Path) -> list[ReplayedCall]:
    if not file.exists():
        return []
    lines = file.read_text("utf-8").splitlines()
    return [ReplayedCall(**json.loads(line)) for line in lines if line.strip()]


async def _serve(scenario: Scenario, calls: Path) -> None:
    server = replay_server(scenario, append_call(calls))
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tarsy.evals.replay", description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path, required=True, help="the scenario directory")
    parser.add_argument("--calls", type=Path, required=True, help="append every call here as a JSON line")
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"replay: {exc.message}", file=sys.stderr)
        return 2
    anyio.run(_serve, scenario, args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
