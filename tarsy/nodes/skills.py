"""Skills in an agent run: the catalog in the prompt, required skills up front, ``tarsy.load_skill``.

An agent sees the skills it may load (``skills`` of its definition, all of them by default) as a
short catalog of names and descriptions, and loads the bodies it needs with the tool
``tarsy.load_skill{names}``; ``required_skills`` are in its prompt from the start. The tool is
TARSy's own (server part ``tarsy``, reserved in the config): it never needs approval, its call is
recorded like any tool call (so a resumed run replays it), and each load is a ``skill_loaded``
timeline event. Skill bodies are operator-written config, masked anyway on their way to the model.
"""

from __future__ import annotations

from typing import Any

from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.contracts import Recorder, ToolOutcome, ToolSpec
from tarsy.masking.outbound import OutputMasking

LOAD_SKILL = "tarsy.load_skill"
MAX_NAMES_PER_CALL = 10


def loadable(config: TarsyConfig, agent: ResolvedAgent) -> list[str]:
    """Skills the agent may still load: its allowed ones that exist, less those already in its prompt."""
    return [name for name in agent.skills if name in config.skills and name not in agent.required_skills]


def load_skill_spec(config: TarsyConfig, agent: ResolvedAgent) -> list[ToolSpec]:
    """The ``tarsy.load_skill`` tool, when the agent has a skill to load."""
    names = loadable(config, agent)
    if not names:
        return []
    parameters = {
        "type": "object",
        "properties": {
            "names": {
                "type": "array",
                "items": {"type": "string", "enum": names},
                "description": "Names of the skills to read (from the skill catalog in your instructions).",
            }
        },
        "required": ["names"],
    }
    description = "Read the full procedure of one or more skills from the skill catalog before following them."
    return [ToolSpec(LOAD_SKILL, description, parameters)]


def skills_prompt(config: TarsyConfig, agent: ResolvedAgent) -> str | None:
    """The prompt's skill sections: required bodies, then the catalog of loadable skills."""
    parts = [
        f"## Skill: {name}\n{config.skills[name].body.strip()}"
        for name in agent.required_skills
        if name in config.skills
    ]
    names = loadable(config, agent)
    if names:
        listing = "\n".join(f"- {name}: {config.skills[name].description}" for name in names)
        parts.append(
            "## Skills\nProcedures your team wrote down. When one fits the task, read it with\n"
            f"{LOAD_SKILL} before acting, then follow it.\n{listing}"
        )
    return "\n\n".join(parts) or None


async def load_skill(
    config: TarsyConfig,
    agent: ResolvedAgent,
    arguments: dict[str, Any],
    masking: OutputMasking,
    recorder: Recorder,
    where: dict[str, str | None],
) -> ToolOutcome:
    """Run ``tarsy.load_skill``: the bodies asked for, or an error that says what to ask instead."""
    names = arguments.get("names")
    if isinstance(names, str):
        names = [names]
    allowed = loadable(config, agent)
    listing = ", ".join(allowed) or "(none)"
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return ToolOutcome(f'Error: call {LOAD_SKILL} with {{"names": [...]}}; skills: {listing}', is_error=True)
    if len(names) > MAX_NAMES_PER_CALL:
        return ToolOutcome(f"Error: load at most {MAX_NAMES_PER_CALL} skills per call", is_error=True)
    unknown = [n for n in names if n not in allowed]
    if unknown:
        message = f"Error: no skill {', '.join(map(repr, unknown))} for you; skills you can load: {listing}"
        return ToolOutcome(masking.text(message), is_error=True)
    wanted = list(dict.fromkeys(names))
    body = "\n\n".join(f"# Skill: {n}\n{config.skills[n].body.strip()}" for n in wanted)
    await recorder.timeline_event(
        event_type="skill_loaded",
        content=", ".join(wanted),
        metadata={"skills": wanted, "sources": [config.skills[n].source for n in wanted]},
        **where,
    )
    return ToolOutcome(masking.text(body), metadata={"skills": wanted})
