"""``bench/holmes_compare.py`` and its fakes work offline: the fake model plays a one-tool
investigation for any prompt (streamed or not), the stdio MCP server serves ``get_pods``, and the
TARSy side of the comparison completes and prints valid JSON. HolmesGPT's install is never run
here (``--skip-holmes``); its side runs only from ``make bench-holmes``. No figure is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from openai import AsyncOpenAI

pytestmark = [pytest.mark.integration]

BENCH = Path(__file__).resolve().parents[3] / "bench"
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {"name": "bench__get_pods", "parameters": {"type": "object", "properties": {}}},
    },
    {"type": "function", "function": {"name": "other_tool", "parameters": {"type": "object", "properties": {}}}},
]
QUESTION: list[Any] = [{"role": "system", "content": "You investigate."}, {"role": "user", "content": "Why?"}]


@pytest.fixture
def model_url() -> Iterator[str]:
    cmd = [sys.executable, str(BENCH / "fakes" / "model_server.py")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield str(json.loads(proc.stdout.readline())["base_url"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _after_tool(call_id: str) -> list[Any]:
    call = {"id": call_id, "type": "function", "function": {"name": "bench__get_pods", "arguments": "{}"}}
    return [
        *QUESTION,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": "api-1 CrashLoopBackOff"},
    ]


async def test_the_fake_model_calls_the_offered_tool_then_answers(model_url: str) -> None:
    client = AsyncOpenAI(base_url=model_url, api_key="fake")
    first = await client.chat.completions.create(model="fake", messages=QUESTION, tools=TOOLS)
    calls = first.choices[0].message.tool_calls or []
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [  # type: ignore[union-attr]
        ("bench__get_pods", {"namespace": "default"})
    ]
    second = await client.chat.completions.create(model="fake", messages=_after_tool(calls[0].id), tools=TOOLS)
    assert second.choices[0].message.tool_calls is None
    assert "Root cause" in (second.choices[0].message.content or "")
    no_tools = await client.chat.completions.create(model="fake", messages=QUESTION)
    assert "Root cause" in (no_tools.choices[0].message.content or "")
    async with httpx.AsyncClient() as http:
        stats = (await http.get(model_url.removesuffix("/v1") + "/stats")).json()
    assert stats == {"calls": 3, "tool_call": 1, "answer": 2}


async def test_the_fake_model_streams_the_tool_call_and_the_usage(model_url: str) -> None:
    client = AsyncOpenAI(base_url=model_url, api_key="fake")
    stream = await client.chat.completions.create(
        model="fake", messages=QUESTION, tools=TOOLS, stream=True, stream_options={"include_usage": True}
    )
    names, finish, usage = [], None, None
    async for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            names += [c.function.name for c in choice.delta.tool_calls or [] if c.function and c.function.name]
            finish = choice.finish_reason or finish
    assert (names, finish) == (["bench__get_pods"], "tool_calls")
    assert usage is not None and usage.total_tokens > 0
    answer = await client.chat.completions.create(model="fake", messages=_after_tool("c1"), tools=TOOLS, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in answer if c.choices])
    assert text.startswith("Root cause")


async def test_the_mcp_server_serves_get_pods_over_stdio() -> None:
    params = StdioServerParameters(command=sys.executable, args=[str(BENCH / "fakes" / "mcp_server.py")])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = await session.list_tools()
        result = await session.call_tool("get_pods", {"namespace": "shop"})
    assert [t.name for t in tools.tools] == ["get_pods"]
    text = " ".join(getattr(block, "text", "") for block in result.content)
    assert "shop" in text and "api-1" in text and "CrashLoopBackOff" in text and "OOMKilled" in text


@pytest.mark.slow
def test_the_tarsy_side_completes_and_prints_json() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "holmes_compare.py"), "--runs", "1", "--skip-holmes", "--json"],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout)
    assert report["holmes"] is None and report["holmes_over_tarsy_median"] is None
    tarsy = report["tarsy"]
    assert tarsy["runs"] == 1 and len(tarsy["seconds"]) == 1 and tarsy["median_s"] > 0
    # One tool call, the answer, and the executive summary: the chain really ran against the fakes.
    assert tarsy["tool_calls_per_investigation"] == 1
    assert tarsy["model_calls_per_investigation"] == 3
