"""Prompt composition, in one place.

System prompt tiers: the role line and general SRE instructions → one block per MCP server with its
instructions → the agent's custom instructions → its required skills and skill catalog
(``tarsy.nodes.skills``) → lessons from past investigations (investigation memory, when it is on
and some memory matched: ``tarsy.memory.prompt``) → the strategy's format rules (ReAct also gets
the tool list). The user
message carries the alert between clear delimiters, the runbook, and the earlier stages' results,
then the task of this agent's role.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.nodes.context import ToolSpec
from tarsy.nodes.orchestrator import sub_agents_prompt
from tarsy.nodes.react_parser import REACT_FORMAT
from tarsy.nodes.skills import skills_prompt

GENERAL_INSTRUCTIONS = """\
You are an expert Site Reliability Engineer investigating a production alert.
Work from evidence: gather facts with the tools you have before concluding, and say which facts
support each conclusion. Prefer read-only, namespaced, narrowly scoped queries. Never invent tool
output. Sensitive values are masked as [MASKED_...]; do not try to recover them.
Finish with a clear analysis: what is happening, the most likely root cause, the evidence, and the
concrete next steps for the on-call engineer."""

ACTION_SAFETY = """\
## Safety rules for actions
You may change the production system. Changes are risky, so:
- Act only on hard evidence from the investigation: name the facts that make the change necessary.
  Without such evidence, do nothing and say why.
- Prefer doing nothing, or the smallest, most reversible change that resolves the problem.
- Before calling a tool that changes anything, say in your reply what will change, what it affects,
  and exactly how to undo it. A person may have to approve the call and reads this first.
- If a call is rejected, do not try to reach the same change another way.
- Finish with a report of what was done (each change, its result and how to undo it) and what was
  deliberately not done."""

NATIVE_FORMAT_RULES = """\
## How to work
Call the available functions to gather evidence. When you have enough, reply with your final
analysis as plain markdown and call no more functions."""

NO_TOOLS_RULES = """\
## How to work
Answer from the information given, as plain markdown."""

FORCED_CONCLUSION = """\
You have reached the limit of investigation steps. Do not call any more tools. Using only the
information gathered so far, give your best final analysis now, and state clearly what remains
unverified."""

CHANGES_LINE = (
    " Action agents ran in this chain: say what they changed in the system (or that nothing was changed) "
    "and how to undo it."
)

EMPTY_RESPONSE_NUDGE = """\
Your last reply was empty. Continue the investigation: call a tool, or give your final answer."""

TaskKind = Literal["investigation", "synthesis", "exec_summary", "chat", "sub_agent"]


class AgentTask(TypedDict, total=False):
    """What an agent is asked to do; everything its prompt is built from besides config."""

    kind: TaskKind
    alert_type: str
    data: Any
    runbook: str | None
    stage_name: str
    previous: list[dict[str, str]]  # earlier stage results: stage_name, agent_name, text
    findings: list[dict[str, str]]  # parallel agents' results, for synthesis
    question: str  # chat; a sub-agent's task
    acted: bool  # exec summary of a chain with action stages: say what was changed


@dataclass(frozen=True)
class StageResult:
    """What a finished stage hands to the stages after it."""

    stage_name: str
    agent_name: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"stage_name": self.stage_name, "agent_name": self.agent_name, "text": self.text}


def role_line(agent: ResolvedAgent) -> str:
    # The scripted model routes by this exact sentence (tarsy.llm.scripted); keep them in step.
    return f"You are {agent.display_name}, an agent of TARSy."


def format_tools(tools: Sequence[ToolSpec]) -> str:
    lines = []
    for tool in tools:
        props = tool.parameters.get("properties", {}) if isinstance(tool.parameters, dict) else {}
        required = set(tool.parameters.get("required", [])) if isinstance(tool.parameters, dict) else set()
        params = ", ".join(
            f"{name}{'' if name in required else '?'}: {spec.get('type', 'any') if isinstance(spec, dict) else 'any'}"
            for name, spec in props.items()
        )
        lines.append(f"- {tool.name}({params}): {tool.description.strip().splitlines()[0] if tool.description else ''}")
    return "\n".join(lines)


def system_prompt(
    config: TarsyConfig, agent: ResolvedAgent, tools: Sequence[ToolSpec], memories: str | None = None
) -> str:
    parts = [f"# Role\n{role_line(agent)}\n\n{GENERAL_INSTRUCTIONS}"]
    if agent.agent_type == "action":
        parts.append(ACTION_SAFETY)
    for server_id in agent.mcp_servers:
        server = config.mcp_servers.get(server_id)
        if server is not None and server.instructions.strip():
            parts.append(f"## {server_id} instructions\n{server.instructions.strip()}")
    if agent.custom_instructions.strip():
        parts.append(f"## Agent instructions\n{agent.custom_instructions.strip()}")
    for section in (skills_prompt(config, agent), sub_agents_prompt(config, agent), memories):
        if section:
            parts.append(section)
    if agent.strategy == "react":
        listing = format_tools(tools) if tools else "(no tools are available: answer from the information given)"
        parts.append(f"## Tools\n{listing}\n\n## Response format\n{REACT_FORMAT}")
    else:
        parts.append(NATIVE_FORMAT_RULES if tools else NO_TOOLS_RULES)
    return "\n\n".join(parts)


def format_alert(alert_type: str, data: Any) -> str:
    body = data if isinstance(data, str) else json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    return f"Alert type: {alert_type}\n<!-- ALERT_DATA_START -->\n{body}\n<!-- ALERT_DATA_END -->"


def format_results(results: Sequence[dict[str, str]], heading: str) -> str:
    return "\n\n".join(
        f"### {heading} {i}: {r['stage_name']} (agent: {r['agent_name']})\n{r['text'].strip()}"
        for i, r in enumerate(results, start=1)
    )


def _context_sections(task: AgentTask) -> list[str]:
    parts = [f"## Alert\n{format_alert(task.get('alert_type', 'unknown'), task.get('data'))}"]
    runbook = task.get("runbook")
    if runbook:
        parts.append(f"## Runbook\n<!-- RUNBOOK START -->\n{runbook.strip()}\n<!-- RUNBOOK END -->")
    previous = task.get("previous") or []
    if previous:
        parts.append(f"## Results of earlier stages\n{format_results(previous, 'Stage')}")
    return parts


def user_prompt(task: AgentTask) -> str:
    kind = task.get("kind", "investigation")
    alert_type = task.get("alert_type", "unknown")
    if kind == "synthesis":
        findings = format_results(task.get("findings") or [], "Finding")
        return "\n\n".join(
            [
                f"Synthesize the parallel investigations of this {alert_type} alert.",
                *_context_sections(task),
                f"## Findings of the parallel agents\n{findings}",
                "## Your task\nWeigh the findings against each other, resolve contradictions, and give one "
                "analysis with the most likely root cause, the evidence, your confidence (HIGH, MEDIUM or "
                "LOW) and the next steps.",
            ]
        )
    if kind == "exec_summary":
        return "\n\n".join(
            [
                f"Write the executive summary of this {alert_type} investigation.",
                *_context_sections(task),
                "## Your task\nIn at most five short lines of markdown: what happened, the root cause, the "
                "impact and the recommended action. No preamble." + (CHANGES_LINE if task.get("acted") else ""),
            ]
        )
    if kind == "sub_agent":
        return "\n\n".join(
            [
                f"An agent investigating this {alert_type} alert delegated a task to you.",
                *_context_sections(task),
                f"## Your task\n{task.get('question', '').strip()}\n\nDo this task only, and answer with what "
                "you found (or did), the evidence, and what you could not determine.",
            ]
        )
    if kind == "chat":
        return "\n\n".join(
            [
                f"An engineer asks a follow-up question about this {alert_type} investigation.",
                *_context_sections(task),
                f"## Question\n{task.get('question', '').strip()}",
            ]
        )
    return "\n\n".join(
        [
            f"Investigate this {alert_type} alert.",
            *_context_sections(task),
            f"## Your task\nYou are running the stage '{task.get('stage_name', '')}'. Investigate and report.",
        ]
    )
