"""The approval gate: a ``ToolExecutor`` wrapper that makes state-changing calls wait for a person.

For a call that needs approval (``policy.rule_for``) the gate looks up the approval row of the call
(keyed by session, execution, the number of model calls stored so far, call id, tool and
arguments: the same on every re-run of the node). Without a decision it records the request
(once: a re-run finds the same row) and interrupts the graph with ``langgraph.types.interrupt``.
The resume value only wakes the graph: the row is the truth, so when ``interrupt`` returns a value
meant for an earlier request the gate asks again until the row holds a decision or the graph stops.
Approved → the call runs with exactly the stored arguments, at most once (a re-run returns the
stored result); rejected or expired → the model gets the rejection and the comment as the result.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from langgraph.types import interrupt

from tarsy.actions import records
from tarsy.actions.policy import ApprovalRule, rule_for
from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.contracts import Recorder, ToolExecutor, ToolOutcome, ToolRequest, ToolScope, ToolSpec
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.masking.outbound import OutputMasking
from tarsy.store import approvals as store
from tarsy.store.db import Pool, Row

log = logging.getLogger(__name__)


def call_key(session_id: str, scope: ToolScope, model_calls: int, request: ToolRequest) -> str:
    """The same for every re-run of the call's node, different for every other call."""
    ident = [session_id, scope.execution_id, model_calls, request.call_id, request.name, request.arguments]
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()


def refusal(row: Row) -> str:
    """What the model reads when its call was not run."""
    status = str(row["status"])
    if status == "expired":
        text = "Not run: nobody decided on this call before its approval timed out, so it was rejected."
    elif status == "cancelled":
        text = "Not run: the session was cancelled while this call waited for approval."
    else:
        text = f"Not run: {row['decided_by'] or 'a person'} rejected this call."
    if row["comment"] and status != "cancelled":
        text += f" Their comment: {row['comment']}"
    return text + " Do not try to get around the decision; continue without this change, or report what you would do."


class ApprovalGate:
    """Wraps the session's tool executor; calls that need nobody's approval pass straight through."""

    def __init__(
        self,
        inner: ToolExecutor,
        *,
        session_id: str,
        config: TarsyConfig,
        pool: Pool,
        publisher: EventPublisher,
        recorder: Recorder,
        masking: OutputMasking,
    ) -> None:
        self._inner = inner
        self._session_id = session_id
        self._config = config
        self._pool = pool
        self._publisher = publisher
        self._recorder = recorder
        self._masking = masking

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]:
        return await self._inner.list_tools(agent)

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        rule = rule_for(self._config, agent, request.name)
        if rule is None:
            return await self._inner.execute(agent, request, scope)
        model_calls, reason = (0, "")
        if scope.execution_id is not None:
            # The loop batches its records per step: write the reply that asked for this call first,
            # so the count and the stated reason read below include it (only gated calls pay this).
            flush = getattr(self._recorder, "flush", None)
            if flush is not None:
                await flush()
            model_calls, reason = await store.model_context(self._pool, scope.execution_id)
        key = call_key(self._session_id, scope, model_calls, request)
        row = await store.find(self._pool, key)
        if row is None or row["status"] == "pending":
            row = await self._request(agent, request, scope, rule, key, reason)
            row = await self._wait(row, scope)
        return await self._apply(agent, row, request, scope)

    async def _request(
        self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope, rule: ApprovalRule, key: str, reason: str
    ) -> Row:
        new = store.NewApproval(
            session_id=self._session_id,
            stage_id=scope.stage_id,
            execution_id=scope.execution_id,
            call_key=key,
            agent_name=agent.display_name,
            stage_name=None,
            tool=request.name,
            arguments=request.arguments,
            reason=reason[: records.MAX_REASON_CHARS],
            on_timeout=rule.on_timeout,
            timeout_s=rule.timeout_s,
        )
        async with self._publisher.lock(self._session_id), self._pool.connection() as conn, conn.transaction():
            row, created = await store.request(conn, new)
            if created:
                shown = records.public(row, self._masking)
                await self._publisher.publish(self._session_id, ev.APPROVAL_REQUESTED, {"approval": shown}, conn=conn)
                content = f"{agent.display_name} asks to run {request.name}"
                await records.timeline(conn, self._publisher, row, records.REQUESTED_EVENT, content, self._masking)
        if created:
            log.info("approval %s requested for %s", row["id"], request.name)
        return row

    async def _wait(self, row: Row, scope: ToolScope) -> Row:
        """Interrupt until the row holds a decision (values resuming other requests are skipped)."""
        payload: dict[str, Any] = {"approval_id": str(row["id"]), "tool": row["tool"], "session_id": self._session_id}
        while row["status"] == "pending":
            if scope.timeline_event_id is not None:
                # This call's tool event ends here; the run after the decision records the call anew.
                await self._recorder.timeline_completed(
                    scope.timeline_event_id,
                    "Waiting for approval",
                    metadata={"approval_id": payload["approval_id"], "awaiting_approval": True},
                )
            interrupt(payload)  # raises GraphInterrupt unless a resume value is at hand
            found = await store.find(self._pool, str(row["call_key"]))
            assert found is not None
            row = found
        return row

    async def _apply(self, agent: ResolvedAgent, row: Row, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        meta = {"approval_id": str(row["id"]), "approval_status": row["status"], "decided_by": row["decided_by"]}
        if row["status"] != "approved":
            await store.applied(self._pool, str(row["id"]))
            return ToolOutcome(refusal(row), is_error=True, metadata=meta)
        if row["result"] is not None:
            return ToolOutcome(str(row["result"]), is_error=bool(row["result_is_error"]), metadata=meta)
        if not await store.begin_run(self._pool, str(row["id"])):
            text = (
                "Not run again: this approved call started in an earlier attempt that stopped before its result "
                "was stored. Check whether the change happened before trying anything else."
            )
            await store.applied(self._pool, str(row["id"]), text, True)
            return ToolOutcome(text, is_error=True, metadata=meta)
        approved = ToolRequest(name=str(row["tool"]), arguments=dict(row["arguments"]), call_id=request.call_id)
        outcome = await self._inner.execute(agent, approved, scope)
        await store.applied(self._pool, str(row["id"]), outcome.content, outcome.is_error)
        return ToolOutcome(outcome.content, outcome.is_error, outcome.summarized, {**outcome.metadata, **meta})


class ApprovalRefused:
    """For runs that cannot wait for a person (follow-up chat): calls that need approval are refused."""

    def __init__(self, inner: ToolExecutor, config: TarsyConfig) -> None:
        self._inner = inner
        self._config = config

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]:
        return await self._inner.list_tools(agent)

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        if rule_for(self._config, agent, request.name) is None:
            return await self._inner.execute(agent, request, scope)
        return ToolOutcome(
            f"Not run: {request.name} changes the system and needs a person's approval, which is not available "
            "here. Describe the change you would make instead.",
            is_error=True,
        )
