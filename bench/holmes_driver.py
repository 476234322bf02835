"""Runs one-tool investigations with HolmesGPT's Python API and prints their wall times as JSON.

Executed by the Python of HolmesGPT's own virtual environment (``bench/holmes_compare.py`` makes it),
never imported by TARSy. Everything a HolmesGPT process does once (imports, the model client, loading
the toolsets, which lists the MCP server's tools) happens before the clock starts, as it does at
start-up of HolmesGPT's server; each timed investigation is what ``holmes ask`` does per question:
build the messages, then ``ToolCallingLLM.call`` until the model answers.

It speaks JSON lines so that the comparison can interleave HolmesGPT's investigations with TARSy's
(a load change on the machine then hits both alike): once ready it prints
``{"ready": true, "version", "tools"}``; for each ``run`` line read on stdin it runs one
investigation and prints ``{"seconds", "tool_calls"}`` (or ``{"error"}``); it exits at end of input.

    <holmes venv>/bin/python bench/holmes_driver.py --api-base URL --mcp-command PY --mcp-arg SERVER.py
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

QUESTION = (
    "Alert: KubePodCrashLooping. Pod api-1 in namespace default is in CrashLoopBackOff. "
    "Investigate and give the root cause."
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-base", required=True, help="the fake model's OpenAI base URL (ends in /v1)")
    parser.add_argument("--mcp-command", required=True, help="the stdio MCP server's command")
    parser.add_argument("--mcp-arg", action="append", default=[], help="one argument of that command (repeat)")
    return parser.parse_args(argv)


def _protocol_out() -> TextIO:
    """The real stdout for our JSON lines; whatever else writes to fd 1 goes to stderr instead."""
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    return out


def _send(out: TextIO, message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    out = _protocol_out()
    # HolmesGPT keeps its toolset cache and MCP logs under ~/.holmes: a fresh home keeps runs apart.
    os.environ["HOME"] = tempfile.mkdtemp(prefix="holmes-bench-home-")
    logging.disable(logging.WARNING)

    from holmes import get_version
    from holmes.config import Config
    from holmes.core.prompt import build_initial_ask_messages
    from holmes.core.tools import PrerequisiteCacheMode, ToolsetTag
    from holmes.core.tools_utils.filesystem_result_storage import tool_result_storage

    config = Config(
        model="openai/fake",
        api_key="bench-fake-key",
        api_base=args.api_base,
        max_steps=10,
        mcp_servers={
            "bench": {
                "description": "Kubernetes pods of the cluster under investigation",
                "config": {"mode": "stdio", "command": args.mcp_command, "args": list(args.mcp_arg)},
            }
        },
    )
    with tool_result_storage() as tool_results_dir:
        # As HolmesGPT's server builds its executor: only configured toolsets (here the MCP server).
        ai = config.create_toolcalling_llm(
            toolset_tag_filter=[ToolsetTag.CORE, ToolsetTag.CLUSTER],
            enable_all_toolsets_possible=False,
            prerequisite_cache=PrerequisiteCacheMode.DISABLED,
            tool_results_dir=Path(tool_results_dir),
        )
        tools = sorted(t["function"]["name"] for t in ai.tool_executor.get_all_tools_openai_format())
        _send(out, {"ready": True, "version": get_version(), "tools": tools})
        for line in sys.stdin:
            if line.strip() != "run":
                continue
            start = time.perf_counter()
            messages = build_initial_ask_messages(QUESTION, None, ai.tool_executor, config.get_skill_catalog(), None)
            response = ai.call(messages)
            elapsed = time.perf_counter() - start
            tool_calls = len(response.tool_calls or [])
            if not response.result or tool_calls != 1:
                _send(out, {"error": f"expected one tool call and an answer, got {response!r}"[:2000]})
                return 1
            _send(out, {"seconds": elapsed, "tool_calls": tool_calls})
    return 0


if __name__ == "__main__":
    sys.exit(main())
