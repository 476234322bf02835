"""A ``ToolExecutor`` over plain LangChain tools, grouped by a server name.

For runs without MCP servers: LangGraph Studio, embedding apps that bring their own tools, and
tests with canned tools. Agents see only the tools of the servers they are allowed to use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.tools import BaseTool

from tarsy.config import ResolvedAgent
from tarsy.contracts import ToolOutcome, ToolRequest, ToolScope, ToolSpec
from tarsy.tools.selection import configured_servers


class StaticToolExecutor:
    def __init__(self, per_server: Mapping[str, Sequence[BaseTool]] | None = None) -> None:
        self._tools: dict[str, BaseTool] = {
            f"{server}.{tool.name}": tool for server, tools in (per_server or {}).items() for tool in tools
        }

    def _allowed(self, agent: ResolvedAgent) -> dict[str, BaseTool]:
        """The tools of the agent's servers that its ``tools`` allow-list (if any) lets through."""
        granted = configured_servers(agent)
        allowed: dict[str, BaseTool] = {}
        for name, tool in self._tools.items():
            server, _, tool_name = name.partition(".")
            if server not in granted:
                continue
            only = granted[server]
            if only is None or tool_name in only:
                allowed[name] = tool
        return allowed

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]:
        return [
            ToolSpec(name=name, description=tool.description, parameters=_schema(tool))
            for name, tool in self._allowed(agent).items()
        ]

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        tool = self._allowed(agent).get(request.name)
        if tool is None:
            known = ", ".join(sorted(self._allowed(agent))) or "none"
            return ToolOutcome(f"Error: unknown tool '{request.name}'. Available tools: {known}.", is_error=True)
        try:
            result = await tool.ainvoke(request.arguments)
        except Exception as exc:
            # A tool's own failure is the model's business: it gets the message and can adapt.
            return ToolOutcome(f"Error: {type(exc).__name__}: {exc}", is_error=True)
        return ToolOutcome(result if isinstance(result, str) else str(result))


def _schema(tool: BaseTool) -> dict[str, Any]:
    schema: Any = tool.tool_call_schema
    if isinstance(schema, dict):
        return schema
    params: dict[str, Any] = schema.model_json_schema()
    return params
