"""A tool provider over a fixed list of LangChain tools.

Used where no MCP servers are wired (the walking skeleton, Studio, embedding apps with their own
tools, tests with canned tools). Agents only see tools whose server they are allowed to use.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.tools import BaseTool

from tarsy.config import ResolvedAgent


class StaticToolProvider:
    def __init__(self, tools: Sequence[BaseTool] = (), *, per_server: dict[str, Sequence[BaseTool]] | None = None):
        self._shared = list(tools)
        self._per_server = {k: list(v) for k, v in (per_server or {}).items()}

    async def tools_for(self, agent: ResolvedAgent) -> list[BaseTool]:
        selected = list(self._shared)
        for server in agent.mcp_servers:
            selected.extend(self._per_server.get(server, ()))
        return selected
