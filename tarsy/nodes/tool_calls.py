"""What a model's reply asks for, as the loop handles it: tool calls read from a native reply (valid
or not), the function definitions a model is offered, and the observation a tool result becomes."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from tarsy.contracts import ToolOutcome, ToolSpec
from tarsy.tools.names import ToolNameError, from_wire, to_wire


def wire_tool(spec: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": to_wire(spec.name), "description": spec.description, "parameters": spec.parameters},
    }


def signature(name: str, arguments: dict[str, Any]) -> str:
    return f"{name}:{json.dumps(arguments, sort_keys=True, default=str)}"


def native_call(call: dict[str, Any]) -> dict[str, Any]:
    wire = str(call["name"])
    entry: dict[str, Any] = {"wire": wire, "arguments": dict(call.get("args") or {}), "call_id": call.get("id") or wire}
    try:
        entry["name"] = from_wire(wire)
    except ToolNameError as exc:
        entry["name"] = wire
        entry["error"] = f"Error: {exc}"
    return entry


def invalid_call(call: dict[str, Any]) -> dict[str, Any]:
    """A call whose arguments did not parse: the model is told so (providers echo it back as a call)."""
    wire = str(call.get("name") or "unknown")
    try:
        name = from_wire(wire)
    except ToolNameError:
        name = wire
    raw = str(call.get("args") or "")[:200]
    return {
        "wire": wire,
        "name": name,
        "arguments": {},
        "call_id": call.get("id") or wire,
        "error": f"Error: the arguments of {name} are not one JSON object ({raw!r}); call it again with a JSON "
        "object of arguments.",
    }


def observation(call: dict[str, Any], outcome: ToolOutcome, *, native: bool) -> BaseMessage:
    if native:
        return ToolMessage(
            content=outcome.content,
            tool_call_id=str(call["call_id"]),
            name=str(call.get("wire") or call["name"]),
            status="error" if outcome.is_error else "success",
        )
    label = "error" if outcome.is_error else "result"
    return HumanMessage(content=f"Observation ({call['name']} {label}):\n{outcome.content}")
