"""Reflection after a completed scoring run: one model call proposes memories, applied in one
transaction (docs/memory.md "Learning"). It runs in the scoring run's task and never changes the
session or its score: a failure is logged, nothing more."""

from __future__ import annotations

import logging
import time
from typing import Any

from tarsy.config import TarsyConfig
from tarsy.contracts import LLMInteraction
from tarsy.errors import public_reason
from tarsy.graphs.scoring import session_record
from tarsy.llm.messages import messages_to_dicts
from tarsy.masking.outbound import OutputMasking
from tarsy.memory.reflection import ScoreSummary, reflection_messages
from tarsy.memory.reflection_parser import parse_reflection
from tarsy.memory.service import Applied, LearntFrom, MemoryService
from tarsy.runtime.deps import RunnerDeps
from tarsy.runtime.session_memory import alert_query
from tarsy.store import sessions as repo
from tarsy.store.db import Row

log = logging.getLogger(__name__)

REFLECTION_INTERACTION = "reflection"
RELATED_MEMORIES = 10
"""Existing memories the model is shown (the only ones it may reinforce or deprecate)."""


def reflection_provider(config: TarsyConfig, scoring_provider: str) -> str:
    """``memory.reflection.llm_provider``, else the provider that scored the session."""
    return config.memory.reflection.llm_provider or scoring_provider


class Reflector:
    """Turns a scored session into memories."""

    def __init__(self, deps: RunnerDeps, memory: MemoryService, masking: OutputMasking) -> None:
        self._deps = deps
        self._memory = memory
        self._masking = masking

    async def after_score(self, score: Row) -> Applied | None:
        """Reflect on the session of a completed score; never raises (the score stands either way)."""
        session_id = str(score["session_id"])
        try:
            return await self._reflect(score)
        except Exception as exc:  # reflection must never disturb scoring: the reason goes to the log
            log.warning("reflection on session %s failed: %s", session_id, public_reason(exc, log, "reflection"))
            return None

    async def _reflect(self, score: Row) -> Applied | None:
        session_id = str(score["session_id"])
        session = await repo.get_session(self._deps.pool, session_id)
        if session is None:
            return None
        timeline = await repo.list_timeline(self._deps.pool, session_id)
        record = self._masking.text(session_record(dict(session), [dict(e) for e in timeline]))
        alert_type = str(session["alert_type"])
        query = alert_query(alert_type, session["alert_data"]) + "\n" + str(session.get("final_analysis") or "")
        related = await self._memory.related(alert_type, query, RELATED_MEMORIES)
        summary = ScoreSummary(
            int(score["score"]), str(score["outcome"]), str(score["analysis"] or ""), list(score["failure_tags"] or [])
        )
        limits = self._memory.config.limits
        messages = reflection_messages(record, summary, related, limits.max_content_chars)
        provider = reflection_provider(self._deps.config, str(score["provider"]))
        started = time.monotonic()
        reply = await self._deps.models.model_for(provider).ainvoke(messages)
        answer = self._masking.text(reply.text)
        await self._record(session_id, provider, messages, answer, reply, started)
        plan = parse_reflection(
            answer,
            {m.id for m in related},
            max_actions=limits.max_actions_per_reflection,
            max_chars=limits.max_content_chars,
        )
        if plan.dropped:
            log.info("reflection on session %s: left out %s", session_id, "; ".join(plan.dropped))
        source = LearntFrom(session_id, alert_type, str(session["chain_id"]))
        applied = await self._memory.apply_plan(source, plan)
        log.info(
            "reflection on session %s: %d created, %d reinforced, %d deprecated",
            session_id,
            len(applied.created),
            len(applied.reinforced),
            len(applied.deprecated),
        )
        return applied

    async def _record(
        self, session_id: str, provider: str, messages: list[Any], answer: str, reply: Any, started: float
    ) -> None:
        usage = getattr(reply, "usage_metadata", None) or {}
        recorder = self._deps.recorder(session_id)
        await recorder.llm_interaction(
            LLMInteraction(
                stage_id=None,
                execution_id=None,
                interaction_type=REFLECTION_INTERACTION,
                provider=provider,
                model=self._deps.models.model_name(provider),
                conversation_offset=0,
                request_messages=[
                    {**m, "content": self._masking.text(str(m.get("content", "")))} for m in messages_to_dicts(messages)
                ],
                tools=[],
                response={"role": "assistant", "content": answer},
                thinking="",
                input_tokens=int(usage.get("input_tokens", 0)),
                output_tokens=int(usage.get("output_tokens", 0)),
                thinking_tokens=0,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )
        await recorder.flush()
