"""Hierarchical resolution: which strategy, provider, iteration limit and MCP servers an agent run uses.

Layers, lowest to highest precedence: ``defaults`` → agent definition → chain → stage → the stage's
agent entry (synthesis, chat and executive summary have their own top layer instead). A layer
overrides a value when it sets it (not None). For MCP servers the agent definition's list counts when
it is not empty, and any higher layer that sets a list (even ``[]``) replaces it. The ``tools``
allow-list resolves the same way (any layer that sets it replaces it). Gemini's ``native_tools``
come from the agent definition only, and never reach the executive summary. Skills (``skills``,
``required_skills``) come from the agent definition too, for stage agents and chat only: synthesis
and the executive summary work from what the investigation found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tarsy.config.agents import OrchestratorConfig
from tarsy.config.base import AgentType, Strategy, SuccessPolicy
from tarsy.config.builtin import EXEC_SUMMARY_AGENT, SYNTHESIS_AGENT
from tarsy.config.chains import ChainConfig, StageConfig, stage_agent_count
from tarsy.config.models import TarsyConfig
from tarsy.config.providers import LLMProviderConfig


@dataclass(frozen=True)
class ResolvedAgent:
    """Everything needed to run one agent, with every override applied."""

    name: str
    """The agent definition's name (``agents.<name>``)."""
    display_name: str
    """Unique within its stage: ``<name>-<n>`` for replicas and repeated agents, else ``name``."""
    agent_type: AgentType
    strategy: Strategy
    llm_provider: str
    provider: LLMProviderConfig
    max_iterations: int
    mcp_servers: tuple[str, ...]
    custom_instructions: str
    tools: tuple[str, ...] | None = None
    """``server.tool`` names or globs the agent may be offered; ``None``: all tools of its servers."""
    native_tools: frozenset[str] = frozenset()
    """Gemini built-in tools switched on for this agent (by its definition)."""
    skills: tuple[str, ...] = ()
    """Skills it may load with ``tarsy.load_skill`` (its definition's ``skills``, else every skill)."""
    required_skills: tuple[str, ...] = ()
    """Skills whose bodies open its prompt."""
    fallback_providers: tuple[str, ...] = ()
    """Providers to switch to when ``llm_provider`` fails, in order (agent > stage > chain > defaults)."""
    sub_agents: tuple[str, ...] = ()
    """Agents it may dispatch (``tarsy.dispatch_agent``): agent > stage > chain; chat: chat > chain."""
    orchestrator: OrchestratorConfig = field(default_factory=OrchestratorConfig)
    """Its guardrails for sub-agents."""


@dataclass(frozen=True)
class _Layer:
    strategy: Strategy | None = None
    llm_provider: str | None = None
    max_iterations: int | None = None
    mcp_servers: Sequence[str] | None = None
    tools: Sequence[str] | None = None


def resolve_agent(config: TarsyConfig, chain_id: str, stage_index: int, agent_index: int) -> ResolvedAgent:
    """The ``agent_index``-th run of a stage: an entry of ``agents``, or a replica (0..replicas-1)."""
    chain = config.chain(chain_id)
    stage = _stage(chain, chain_id, stage_index)
    count = stage_agent_count(stage)
    if not 0 <= agent_index < count:
        runs = f"{count} agent run(s)"
        raise IndexError(f"chain {chain_id!r} stage {stage.name!r} has {runs}, not {agent_index + 1}")
    if stage.replicas > 1:
        entry = stage.agents[0]
        display_name = f"{entry.name}-{agent_index + 1}"
    else:
        entry = stage.agents[agent_index]
        display_name = _display_name(stage, agent_index)
    entry_layer = _Layer(entry.strategy, entry.llm_provider, entry.max_iterations, entry.mcp_servers, entry.tools)
    layers = [_chain_layer(chain), _stage_layer(stage), entry_layer]
    fallbacks = _first(stage.fallback_providers, chain.fallback_providers)
    subs = _first(stage.sub_agents, chain.sub_agents)
    return _resolve(config, entry.name, layers, display_name=display_name, fallbacks=fallbacks, sub_agents=subs)


def resolve_synthesis(config: TarsyConfig, chain_id: str, stage_index: int) -> ResolvedAgent:
    """The synthesis run of a stage; chain and stage lend it their model settings, not their tools."""
    chain = config.chain(chain_id)
    stage = _stage(chain, chain_id, stage_index)
    synthesis = stage.synthesis
    agent = synthesis.agent if synthesis is not None else SYNTHESIS_AGENT
    top = _Layer(synthesis.strategy, synthesis.llm_provider) if synthesis is not None else _Layer()
    layers = [_chain_layer(chain, tools=False), _stage_layer(stage, tools=False), top]
    fallbacks = _first(stage.fallback_providers, chain.fallback_providers)
    return _resolve(config, agent, layers, skills=False, fallbacks=fallbacks)


def resolve_chat(config: TarsyConfig, chain_id: str) -> ResolvedAgent:
    """The follow-up chat agent; without servers set anywhere it gets every server the chain's stages
    use, and then (without its own ``tools``) no tool that their allow-lists leave out."""
    chain = config.chain(chain_id)
    chat = chain.chat
    top = _Layer(chat.strategy, chat.llm_provider, chat.max_iterations, chat.mcp_servers, chat.tools)
    stage_servers: dict[str, None] = {}
    stage_tools: dict[str, None] = {}
    limited = False
    for stage_index, stage in enumerate(chain.stages):
        for agent_index in range(stage_agent_count(stage)):
            resolved = resolve_agent(config, chain_id, stage_index, agent_index)
            stage_servers.update(dict.fromkeys(resolved.mcp_servers))
            limited = limited or resolved.tools is not None
            own = resolved.tools if resolved.tools is not None else [f"{s}.*" for s in resolved.mcp_servers]
            stage_tools.update(dict.fromkeys(own))
    return _resolve(
        config,
        chat.agent,
        [_chain_layer(chain), top],
        fallback_servers=tuple(stage_servers),
        fallback_tools=tuple(stage_tools) if limited else None,
        fallbacks=chain.fallback_providers,
        sub_agents=_first(chat.sub_agents, chain.sub_agents),
    )


def resolve_sub_agent(
    config: TarsyConfig, name: str, parent_skills: tuple[Sequence[str], Sequence[str]] | None = None
) -> ResolvedAgent:
    """A dispatched sub-agent: its own definition over the defaults (its servers, provider, limit).

    It inherits nothing from the dispatching agent's chain or stage and dispatches nothing itself;
    its skills are the dispatching agent's (``parent_skills``: allowed, required) unless its own
    definition lists ``skills``.
    """
    resolved = _resolve(config, name, [], nested=True)
    if parent_skills is None or config.agent(name).skills is not None:
        return resolved
    allowed, required = parent_skills
    return replace(resolved, skills=tuple(allowed), required_skills=tuple(required))


def resolve_exec_summary(config: TarsyConfig, chain_id: str) -> ResolvedAgent:
    """The executive summary writer; ``executive_summary_provider`` beats the chain's provider."""
    chain = config.chain(chain_id)
    layers = [_chain_layer(chain, tools=False), _Layer(llm_provider=chain.executive_summary_provider)]
    fallbacks = chain.fallback_providers
    return _resolve(config, EXEC_SUMMARY_AGENT, layers, native_tools=False, skills=False, fallbacks=fallbacks)


def resolve_success_policy(config: TarsyConfig, chain_id: str, stage_index: int) -> SuccessPolicy:
    chain = config.chain(chain_id)
    return _stage(chain, chain_id, stage_index).success_policy or config.defaults.success_policy


def _resolve(
    config: TarsyConfig,
    agent_name: str,
    layers: Sequence[_Layer],
    *,
    display_name: str | None = None,
    fallback_servers: tuple[str, ...] = (),
    fallback_tools: tuple[str, ...] | None = None,
    native_tools: bool = True,
    skills: bool = True,
    fallbacks: Sequence[str] | None = None,
    sub_agents: Sequence[str] | None = None,
    nested: bool = False,
) -> ResolvedAgent:
    """The one place precedence is applied: defaults, then the agent definition, then ``layers``."""
    agent = config.agent(agent_name)
    defaults = config.defaults
    strategy, provider, iterations = defaults.strategy, defaults.llm_provider, defaults.max_iterations
    servers: Sequence[str] | None = None
    tools: Sequence[str] | None = None
    agent_layer = _Layer(
        agent.strategy, agent.llm_provider, agent.max_iterations, agent.mcp_servers or None, agent.tools
    )
    for layer in (agent_layer, *layers):
        strategy = layer.strategy if layer.strategy is not None else strategy
        provider = layer.llm_provider if layer.llm_provider is not None else provider
        iterations = layer.max_iterations if layer.max_iterations is not None else iterations
        servers = layer.mcp_servers if layer.mcp_servers is not None else servers
        tools = layer.tools if layer.tools is not None else tools
    return ResolvedAgent(
        name=agent_name,
        display_name=display_name or agent_name,
        agent_type=agent.type,
        strategy=strategy,
        llm_provider=provider,
        provider=config.provider(provider),
        max_iterations=iterations,
        mcp_servers=tuple(servers) if servers is not None else fallback_servers,
        custom_instructions=agent.custom_instructions,
        tools=tuple(tools) if tools is not None else (fallback_tools if servers is None else None),
        native_tools=frozenset(agent.native_tools) if native_tools else frozenset(),
        skills=_skills(config, agent.skills) if skills else (),
        required_skills=tuple(agent.required_skills) if skills else (),
        fallback_providers=_fallbacks(
            provider, _first(agent.fallback_providers, fallbacks, defaults.fallback_providers)
        ),
        sub_agents=() if nested else tuple(_first(agent.sub_agents, sub_agents) or ()),
        orchestrator=agent.orchestrator or defaults.orchestrator,
    )


def _first(*choices: Sequence[str] | None) -> Sequence[str] | None:
    """The first list that is set (even ``[]``, which switches fallback off for that level down)."""
    return next((c for c in choices if c is not None), None)


def _fallbacks(primary: str, names: Sequence[str] | None) -> tuple[str, ...]:
    """The fallback list without the primary and without repeats, in order."""
    return tuple(dict.fromkeys(n for n in names or () if n != primary))


def _skills(config: TarsyConfig, allowed: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(sorted(config.skills)) if allowed is None else tuple(allowed)


def _chain_layer(chain: ChainConfig, *, tools: bool = True) -> _Layer:
    if not tools:
        return _Layer(chain.strategy, chain.llm_provider, chain.max_iterations)
    return _Layer(chain.strategy, chain.llm_provider, chain.max_iterations, chain.mcp_servers, chain.tools)


def _stage_layer(stage: StageConfig, *, tools: bool = True) -> _Layer:
    if not tools:
        return _Layer(stage.strategy, stage.llm_provider, stage.max_iterations)
    return _Layer(stage.strategy, stage.llm_provider, stage.max_iterations, stage.mcp_servers, stage.tools)


def _stage(chain: ChainConfig, chain_id: str, stage_index: int) -> StageConfig:
    if not 0 <= stage_index < len(chain.stages):
        raise IndexError(f"chain {chain_id!r} has {len(chain.stages)} stage(s), not {stage_index + 1}")
    return chain.stages[stage_index]


def _display_name(stage: StageConfig, agent_index: int) -> str:
    """An agent listed more than once in a stage gets ``-1``, ``-2``... so each run has its own name."""
    name = stage.agents[agent_index].name
    if Counter(entry.name for entry in stage.agents)[name] == 1:
        return name
    occurrence = sum(1 for entry in stage.agents[: agent_index + 1] if entry.name == name)
    return f"{name}-{occurrence}"
