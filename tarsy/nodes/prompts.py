"""Prompt composition, in one place.

System prompt tiers: general SRE instructions → one block per MCP server with its instructions →
the agent's custom instructions → the strategy's format rules. The user message carries the alert
between clear delimiters, the runbook, and the earlier stages' results.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tarsy.config import ResolvedAgent, TarsyConfig

GENERAL_INSTRUCTIONS = """\
You are an expert Site Reliability Engineer investigating a production alert.
Work from evidence: gather facts with the tools you have before concluding, and say which facts
support each conclusion. Prefer read-only, namespaced, narrowly scoped queries. Never invent tool
output. Sensitive values are masked as [MASKED_...]; do not try to recover them.
Finish with a clear analysis: what is happening, the most likely root cause, the evidence, and the
concrete next steps for the on-call engineer."""

NATIVE_FORMAT_RULES = """\
## How to work
Call the available functions to gather evidence. When you have enough, reply with your final
analysis as plain markdown and call no more functions."""

FORCED_CONCLUSION = """\
You have reached the limit of investigation steps. Do not call any more tools. Using only the
information gathered so far, give your best final analysis now, and state clearly what remains
unverified."""


@dataclass(frozen=True)
class StageResult:
    """What a finished stage hands to the stages after it."""

    stage_name: str
    agent_name: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"stage_name": self.stage_name, "agent_name": self.agent_name, "text": self.text}


def system_prompt(config: TarsyConfig, agent: ResolvedAgent) -> str:
    parts = [f"# Role\nYou are {agent.display_name}, an agent of TARSy.\n\n{GENERAL_INSTRUCTIONS}"]
    for server_id in agent.mcp_servers:
        server = config.mcp_servers.get(server_id)
        if server is not None and server.instructions.strip():
            parts.append(f"## {server_id} instructions\n{server.instructions.strip()}")
    if agent.custom_instructions.strip():
        parts.append(f"## Agent instructions\n{agent.custom_instructions.strip()}")
    parts.append(NATIVE_FORMAT_RULES)
    return "\n\n".join(parts)


def format_alert(alert_type: str, data: Any) -> str:
    body = data if isinstance(data, str) else json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    return f"Alert type: {alert_type}\n<!-- ALERT_DATA_START -->\n{body}\n<!-- ALERT_DATA_END -->"


def format_previous_stages(results: Sequence[StageResult]) -> str:
    blocks = [
        f"### Stage {i}: {r.stage_name} (agent: {r.agent_name})\n{r.text.strip()}"
        for i, r in enumerate(results, start=1)
    ]
    return "\n\n".join(blocks)


def user_prompt(
    *,
    alert_type: str,
    data: Any,
    runbook: str | None,
    previous: Sequence[StageResult],
    stage_name: str,
) -> str:
    parts = [f"Investigate this {alert_type} alert.\n\n## Alert\n{format_alert(alert_type, data)}"]
    if runbook:
        parts.append(f"## Runbook\n<!-- RUNBOOK START -->\n{runbook.strip()}\n<!-- RUNBOOK END -->")
    if previous:
        parts.append(f"## Results of earlier stages\n{format_previous_stages(previous)}")
    parts.append(f"## Your task\nYou are running the stage '{stage_name}'. Investigate and report.")
    return "\n\n".join(parts)
