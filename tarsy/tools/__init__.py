"""Tools for agents: MCP servers through langchain-mcp-adapters, and plain LangChain tools.

Import from the modules (this package imports nothing, so that ``tarsy.tools.static`` stays cheap):

- ``manager.McpManager``: the process-wide entry point (health monitor, per-run executors,
  override validation); build it in the lifespan.
- ``executor.McpToolExecutor``: the ``ToolExecutor`` of one investigation.
- ``sessions.McpSessions`` / ``server_session.ServerSession``: persistent sessions, one owner task each.
- ``selection``: the alert's ``mcp`` override and which servers an agent may use.
- ``health.McpHealth`` and ``warnings.SystemWarnings``: start-up checks, monitoring, warnings.
- ``static.StaticToolExecutor``: plain LangChain tools grouped by server name (Studio, embedding).

See ``docs/mcp.md``.
"""
