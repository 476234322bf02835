"""Scoring ended sessions in the background: start a run, score, store, announce.

A run starts when a session ends (its chain's ``scoring``, or ``defaults.scoring``, enabled) or on
``POST /api/v1/sessions/{id}/score``. It runs as a task of its own, after the worker has finished
the session, and never changes the session: a failed run is a ``failed`` score row, nothing more.
Every run is kept (``session_scores``); ``session.score_updated`` announces each start and end.
With investigation memory on, every ended session is scored and a completed run is followed, in
the same task, by a reflection that turns it into memories (``tarsy.runtime.reflection``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from tarsy.config import TarsyConfig
from tarsy.config.base import ScoringConfig
from tarsy.contracts import LLMInteraction
from tarsy.errors import ConflictError, public_reason
from tarsy.events import types as ev
from tarsy.graphs.scoring import build_scoring_graph, scoring_messages, session_record
from tarsy.llm.messages import messages_to_dicts
from tarsy.masking.outbound import OutputMasking
from tarsy.nodes.score_parser import ScoreParseError, parse_score
from tarsy.runtime.deps import RunnerDeps
from tarsy.runtime.reflection import Reflector
from tarsy.store import scores
from tarsy.store import sessions as repo
from tarsy.store.db import Row

log = logging.getLogger(__name__)

SCORING_INTERACTION = "scoring"
SYSTEM_AUTHOR = "tarsy"


def scoring_config(config: TarsyConfig, chain_id: str) -> ScoringConfig:
    """The chain's ``scoring``, else ``defaults.scoring``."""
    chain = config.agent_chains.get(chain_id)
    if chain is not None and chain.scoring is not None:
        return chain.scoring
    return config.defaults.scoring


def abandoned_after(config: TarsyConfig) -> float:
    """Seconds after which a ``scoring`` row has lost its process: twice the longest timeout."""
    chains = [chain.scoring.timeout for chain in config.agent_chains.values() if chain.scoring is not None]
    return 2 * max([config.defaults.scoring.timeout, *chains])


def scoring_provider(config: TarsyConfig, chain_id: str) -> str:
    chain = config.agent_chains.get(chain_id)
    return (
        scoring_config(config, chain_id).llm_provider
        or (chain.llm_provider if chain is not None else None)
        or config.defaults.llm_provider
    )


def public_score(row: Row | None) -> dict[str, Any] | None:
    """A score row as the API shows it (texts were masked before they were stored)."""
    if row is None:
        return None
    return {
        "id": str(row["id"]),
        "status": row["status"],
        "score": row["score"],
        "outcome": row["outcome"],
        "analysis": row["analysis"],
        "failure_tags": list(row["failure_tags"] or []),
        "dropped_tags": list(row["dropped_tags"] or []),
        "tool_report": row["tool_report"],
        "provider": row["provider"],
        "error": row["error"],
        "requested_by": row["requested_by"],
        "created_at": row["created_at"],
        "scored_at": row["scored_at"],
    }


class SessionScorer:
    """Starts scoring runs and keeps their tasks until they end (or the process stops)."""

    def __init__(self, deps: RunnerDeps, masking: OutputMasking) -> None:
        self._deps = deps
        self._masking = masking
        self._tasks: set[asyncio.Task[None]] = set()
        memory = deps.memory
        learns = memory is not None and deps.config.memory.reflection.enabled
        self._reflector = Reflector(deps, memory, masking) if memory is not None and learns else None

    async def after_session(self, session_id: str, chain_id: str, status: str) -> None:
        """Called once a session has ended: score it when its chain says so, or when memory learns
        from it (reflection reads the score). Never raises."""
        if status not in ev.TERMINAL_STATUSES or not self.scores_after_end(chain_id):
            return
        try:
            await self.request(session_id, chain_id, SYSTEM_AUTHOR)
        except Exception as exc:  # scoring must never disturb the end of a session
            log.warning("scoring of session %s did not start: %s", session_id, public_reason(exc, log, "scoring"))

    def scores_after_end(self, chain_id: str) -> bool:
        memory = self._deps.config.memory
        learns = memory.enabled and memory.reflection.enabled
        return learns or scoring_config(self._deps.config, chain_id).enabled

    async def request(self, session_id: str, chain_id: str, requested_by: str) -> Row:
        """Start a run; ``ConflictError`` while one runs or when the session has not ended."""
        config = self._deps.config
        provider = scoring_provider(config, chain_id)
        row = await scores.start_score(
            self._deps.pool,
            session_id,
            provider=provider,
            requested_by=requested_by,
            abandoned_after=abandoned_after(config),
        )
        if row is None:
            session = await repo.get_session(self._deps.pool, session_id)
            if session is not None and session["status"] not in ev.TERMINAL_STATUSES:
                raise ConflictError(f"session {session_id} has not ended (status '{session['status']}')")
            raise ConflictError(f"session {session_id} is being scored already")
        await self._announce(row)
        timeout = scoring_config(config, chain_id).timeout
        task = asyncio.create_task(self._run(row, timeout), name=f"score-{session_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return row

    async def resume_abandoned(self) -> int:
        """Start again every run whose process ended mid-run (at start-up); how many. Never raises."""
        try:
            abandoned = await scores.abandon_runs(self._deps.pool, abandoned_after(self._deps.config))
        except Exception as exc:  # a database hiccup at start-up must not stop the process
            log.warning("abandoned scoring runs not checked: %s", public_reason(exc, log, "scoring"))
            return 0
        for row in abandoned:
            await self._announce(row)
            session = await repo.get_session(self._deps.pool, str(row["session_id"]))
            if session is not None:
                await self._restart(str(session["id"]), str(session["chain_id"]), str(row["requested_by"]))
        return len(abandoned)

    async def _restart(self, session_id: str, chain_id: str, requested_by: str) -> None:
        try:
            await self.request(session_id, chain_id, requested_by)
            log.info("scoring of session %s started again: its previous run lost its process", session_id)
        except ConflictError:  # another process restarted it first, or someone asked already
            pass

    async def wait_idle(self) -> None:
        """Wait for the runs in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, row: Row, timeout: float) -> None:
        score_id, session_id = str(row["id"]), str(row["session_id"])
        try:
            ended = await asyncio.wait_for(self._score(row), timeout)
        except TimeoutError:
            ended = await self._fail(score_id, f"scoring took longer than its timeout ({timeout:g}s)")
        except asyncio.CancelledError:
            await asyncio.shield(self._fail(score_id, "scoring was stopped (the process shut down)"))
            raise
        except ScoreParseError as exc:
            ended = await scores.fail_score(self._deps.pool, score_id, self._masking.text(str(exc)))
        except Exception as exc:
            ended = await self._fail(score_id, public_reason(exc, log, f"scoring of session {session_id} failed"))
        if ended is not None:
            await self._announce(ended)
        if ended is not None and ended["status"] == "completed" and self._reflector is not None:
            await self._reflector.after_score(ended)  # memory learns from the scored session

    async def _fail(self, score_id: str, reason: str) -> Row | None:
        return await scores.fail_score(self._deps.pool, score_id, self._masking.text(reason))

    async def _score(self, row: Row) -> Row | None:
        session_id, provider = str(row["session_id"]), str(row["provider"])
        session = await repo.get_session(self._deps.pool, session_id)
        if session is None:
            return None
        timeline = await repo.list_timeline(self._deps.pool, session_id)
        record = self._masking.text(session_record(dict(session), [dict(e) for e in timeline]))
        started = time.monotonic()
        out = await build_scoring_graph(self._deps.models.model_for(provider)).ainvoke({"record": record})
        answer = self._masking.text(str(out.get("answer", "")))
        await self._record(session_id, provider, record, answer, out, started)
        parsed = parse_score(answer)
        if parsed.dropped_tags:
            log.info("scoring of session %s: tags outside the vocabulary dropped: %s", session_id, parsed.dropped_tags)
        result = scores.ScoreResult(
            score=parsed.score,
            outcome=parsed.outcome,
            analysis=parsed.analysis,
            failure_tags=parsed.failure_tags,
            dropped_tags=parsed.dropped_tags,
            tool_report=parsed.tool_report,
        )
        return await scores.complete_score(self._deps.pool, str(row["id"]), result)

    async def _record(
        self, session_id: str, provider: str, record: str, answer: str, out: dict[str, Any], started: float
    ) -> None:
        recorder = self._deps.recorder(session_id)
        await recorder.llm_interaction(
            LLMInteraction(
                stage_id=None,
                execution_id=None,
                interaction_type=SCORING_INTERACTION,
                provider=provider,
                model=self._deps.models.model_name(provider),
                conversation_offset=0,
                request_messages=messages_to_dicts(scoring_messages(record)),
                tools=[],
                response={"role": "assistant", "content": answer},
                thinking="",
                input_tokens=int(out.get("input_tokens", 0)),
                output_tokens=int(out.get("output_tokens", 0)),
                thinking_tokens=0,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )
        await recorder.flush()

    async def _announce(self, row: Row) -> None:
        data = {"score_id": str(row["id"]), "status": row["status"], "score": row["score"], "outcome": row["outcome"]}
        await self._deps.publisher.publish(str(row["session_id"]), ev.SCORE_UPDATED, data)
