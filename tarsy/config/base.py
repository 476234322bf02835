"""The strict model base and the small vocabularies shared by several config sections."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from tarsy.config.duration import PositiveDuration

Strategy = Literal["react", "native-thinking"]
"""How an agent drives its model: text ReAct prompting, or provider function calling + thinking."""

SuccessPolicy = Literal["all", "any"]
"""Whether a parallel stage succeeds when all of its agents succeed, or when any of them does."""

AgentType = Literal["investigation", "action", "synthesis", "exec_summary", "chat"]
"""``action`` agents change things: a safety preamble in their prompt, their own stage kind (docs/actions.md)."""

OnTimeout = Literal["reject", "approve"]
"""What an approval nobody decided in time resolves to."""

NativeToolName = Literal["google_search", "code_execution", "url_context"]
"""Gemini's built-in tools, run on Google's side (off unless an agent switches them on)."""


class StrictModel(BaseModel):
    """Base of every config model.

    ``extra="forbid"`` turns a typo in YAML into an error instead of a silently ignored key, and
    ``frozen`` lets the loaded config be shared by every session without defensive copies.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    shorthand_keys: ClassVar[tuple[str, ...]] = ()
    """Input keys accepted besides the fields (rewritten by a before-validator); listed in errors."""


class ScoringConfig(StrictModel):
    """Scoring of ended sessions (``defaults.scoring``, or a chain's ``scoring``; docs/scoring.md)."""

    enabled: bool = False
    """Score every session of the chain when it ends (a re-score via the API works either way)."""
    llm_provider: str | None = None
    """Provider of the scoring model (default: the chain's, else ``defaults.llm_provider``)."""
    timeout: PositiveDuration = 300.0
    """A run taking longer fails. A run still ``scoring`` after twice the longest configured timeout
    lost its process: it is marked failed and started again when a TARSy process next starts."""
