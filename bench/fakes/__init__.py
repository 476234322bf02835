"""Zero-latency stand-ins shared by the benchmarks: an OpenAI-compatible model and a stdio MCP server."""
