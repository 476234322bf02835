-- An alert may replace the configured MCP servers/tools for its session (validated at submission).
ALTER TABLE alert_sessions ADD COLUMN mcp_selection jsonb;
