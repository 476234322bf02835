"""Provider fallback: which provider an execution's model calls go to, and when to switch.

An execution starts on its resolved ``llm_provider``; its ``fallback_providers`` (agent > stage >
chain > defaults) are tried in order when that fails:

* at once on failures that will not pass by waiting: bad credentials (401/403) and an exhausted
  quota or credit;
* after two consecutive failed attempts on server errors, timeouts (including a silent stream),
  lost connections, rate limits and responses that could not be read.

A request the provider refuses as malformed (other 4xx) does not switch: another provider would be
sent the same request. The switch sticks for the rest of the execution (a resumed execution starts
on the provider of its last answered call). Providers of another type than Google are skipped for
an agent that needs Gemini's native tools. Without a fallback left, the usual retry policy applies
and the failure names the provider, as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage
from langgraph.types import RetryPolicy

from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.config.providers import StreamTimeouts
from tarsy.llm.errors import Category, classify
from tarsy.nodes.model_call import retrying
from tarsy.nodes.streaming import StreamDeadlines

SWITCH_AT_ONCE: frozenset[Category] = frozenset({"credentials", "quota_exhausted"})
SWITCH_AFTER_TWO: frozenset[Category] = frozenset({"provider_down", "timeout", "rate_limit", "unknown"})
ATTEMPTS_BEFORE_SWITCH = 2
MAX_TIMEOUT_GROWTH = 4.0


def candidates(config: TarsyConfig, agent: ResolvedAgent, native_tools: frozenset[str]) -> list[str]:
    """The primary provider, then the usable fallbacks in order."""
    names = [agent.llm_provider]
    for name in agent.fallback_providers:
        provider = config.llm_providers.get(name)
        if provider is None:
            continue
        if native_tools and provider.type != "google":
            continue  # it cannot run the Gemini built-in tools this agent relies on
        names.append(name)
    return names


@dataclass(frozen=True)
class Switch:
    """One change of provider, as recorded on the execution and in the timeline."""

    from_provider: str
    from_model: str
    to_provider: str
    to_model: str
    reason: str
    category: str

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass
class ProviderRoute:
    """Where an execution's calls go now; the providers left to try; how patient its streams are."""

    names: Sequence[str]
    index: int = 0
    growth: dict[str, float] = field(default_factory=dict)  # stream timeout factor per provider

    @classmethod
    def starting_at(cls, names: Sequence[str], last_used: str | None) -> ProviderRoute:
        """A route that resumes on the provider of the execution's last answered call, when it is listed."""
        index = names.index(last_used) if last_used in names else 0
        return cls(names, index)

    @property
    def current(self) -> str:
        return self.names[self.index]

    @property
    def has_next(self) -> bool:
        return self.index + 1 < len(self.names)

    def policy(self, base: RetryPolicy) -> RetryPolicy:
        """With a fallback left: two attempts on switchable failures, then switch; else ``base``."""
        if not self.has_next:
            return base
        return base._replace(max_attempts=ATTEMPTS_BEFORE_SWITCH, retry_on=_switchable_after_two)

    def deadlines(self, timeouts: StreamTimeouts) -> StreamDeadlines:
        factor = self.growth.get(self.current, 1.0)
        return StreamDeadlines(timeouts.initial * factor, timeouts.stall * factor)

    def timed_out(self) -> None:
        """A silent stream on the current provider: give its next attempt twice the time (up to 4×)."""
        self.growth[self.current] = min(self.growth.get(self.current, 1.0) * 2, MAX_TIMEOUT_GROWTH)

    def should_switch(self, exc: BaseException) -> bool:
        if not self.has_next:
            return False
        category = classify(exc)
        return category in SWITCH_AT_ONCE or category in SWITCH_AFTER_TWO

    def advance(self) -> str:
        self.index += 1
        return self.current


def _switchable_after_two(exc: Exception) -> bool:
    return classify(exc) in SWITCH_AFTER_TWO


async def attempts(route: ProviderRoute, call: Callable[[], Awaitable[AIMessage]], base: RetryPolicy) -> AIMessage:
    """``call`` on the current provider under the route's policy; a silent stream widens its deadlines."""

    async def watched() -> AIMessage:
        try:
            return await call()
        except TimeoutError:
            route.timed_out()
            raise

    return await retrying(watched, route.policy(base))
