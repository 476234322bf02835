"""Results of a provider's own tools (Gemini code execution, search grounding) as timeline events."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from tarsy.nodes.context import Recorder


def _code_blocks(message: AIMessage) -> list[tuple[str, str]]:
    """(code, output) pairs from Gemini's executable_code / code_execution_result blocks."""
    pairs: list[tuple[str, str]] = []
    if not isinstance(message.content, list):
        return pairs
    code: str | None = None
    for block in message.content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "executable_code":
            if code is not None:
                pairs.append((code, ""))
            code = str(block.get("executable_code", ""))
        elif kind == "code_execution_result":
            pairs.append((code or "", str(block.get("code_execution_result", ""))))
            code = None
    if code is not None:
        pairs.append((code, ""))
    return pairs


def _grounding(message: AIMessage) -> dict[str, Any] | None:
    meta = message.response_metadata.get("grounding_metadata")
    if not isinstance(meta, dict):
        return None
    queries = [str(q) for q in meta.get("web_search_queries") or []]
    sources = []
    for chunk in meta.get("grounding_chunks") or []:
        web = chunk.get("web") if isinstance(chunk, dict) else None
        if isinstance(web, dict):
            sources.append({"title": web.get("title") or "", "uri": web.get("uri") or ""})
    if not queries and not sources:
        return None
    return {"queries": queries, "sources": sources}


async def record_native_tool_results(
    message: AIMessage, *, recorder: Recorder, stage_id: str | None, execution_id: str | None
) -> None:
    for code, output in _code_blocks(message):
        await recorder.timeline_event(
            event_type="code_execution",
            content=f"```python\n{code}\n```\n\nOutput:\n```\n{output}\n```",
            stage_id=stage_id,
            execution_id=execution_id,
            metadata={"code": code, "output": output},
        )
    grounding = _grounding(message)
    if grounding is not None:
        lines = [f"- [{s['title'] or s['uri']}]({s['uri']})" for s in grounding["sources"]]
        await recorder.timeline_event(
            event_type="google_search_result",
            content="Searched: " + "; ".join(grounding["queries"]) + ("\n" + "\n".join(lines) if lines else ""),
            stage_id=stage_id,
            execution_id=execution_id,
            metadata=grounding,
        )
