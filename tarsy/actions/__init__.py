"""Action agents and human approval: which tool calls change things, the gate that makes them wait
for a person (a LangGraph interrupt), and the session's life while it waits (docs/actions.md)."""
