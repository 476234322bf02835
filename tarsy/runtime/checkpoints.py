"""Resume points of a session, derived from its records, and what a fork from one of them copies.

An agent's durable state is its records (``tarsy.nodes.replay``), so a point an investigation can
be resumed from is a cut through the records, not a LangGraph checkpoint:

- ``stage-<n>`` (stage boundary): every stage row before record index ``n`` is reused whole; stage
  ``n`` and everything after run again. Offered when all earlier stages completed.
- ``stage-<n>-agent-<a>-call-<k>`` (agent iteration): as the boundary, plus the first ``k`` model
  calls of agent ``a`` of stage ``n`` and the tool calls they asked for; its call ``k`` is the first
  one made again. Parallel siblings keep what they had recorded before that call was made (their
  model calls made earlier and those calls' tool calls); the rest of their work runs again.

Ids are stable: they name record coordinates (stage index, agent index, call count), not rows.
See docs/langgraph.md "Forking".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from tarsy.errors import NotFoundError
from tarsy.store.db import Row
from tarsy.store.forks import RecordCopy, SessionRecords
from tarsy.store.records import step_event_id

CheckpointKind = Literal["stage_boundary", "agent_iteration"]

_ID = re.compile(r"^stage-(?P<stage>\d{1,6})(?:-agent-(?P<agent>\d{1,6})-call-(?P<call>\d{1,6}))?$")
NOT_COPIED = frozenset({"approval_requested", "approval_decided"})  # approvals stay the parent's
PREVIEW_CHARS = 200


@dataclass(frozen=True)
class Checkpoint:
    id: str
    kind: CheckpointKind
    stage_index: int
    stage_name: str
    stage_type: str
    at: datetime
    agent_name: str | None = None
    agent_index: int | None = None
    iteration: int | None = None  # model calls of the agent reused
    stages_completed: list[str] = field(default_factory=list)
    model_calls: int = 0  # model calls reused in all
    tool_calls: int = 0  # tool calls reused in all
    last_reply: str | None = None  # first line of the agent's last reused reply
    last_tool_calls: list[str] = field(default_factory=list)  # the tools that reply asked for


@dataclass(frozen=True)
class Cut:
    """A resume point in record coordinates."""

    stage_index: int
    agent_index: int | None = None
    calls: int = 0

    @property
    def id(self) -> str:
        if self.agent_index is None:
            return f"stage-{self.stage_index}"
        return f"stage-{self.stage_index}-agent-{self.agent_index}-call-{self.calls}"


def parse_id(checkpoint_id: str) -> Cut:
    found = _ID.match(checkpoint_id)
    if found is None:
        raise NotFoundError(
            f"checkpoint '{checkpoint_id[:80]}' not found: ids look like stage-2 or stage-2-agent-0-call-3"
        )
    if found["agent"] is None:
        return Cut(int(found["stage"]))
    return Cut(int(found["stage"]), int(found["agent"]), int(found["call"]))


def _step_iteration(step: str) -> int:
    """The model call a step belongs to: ``3.1`` (a tool call it asked for) or ``r3.0`` (a sub-agent
    result delivered before it) are both call 3."""
    return int(step.split(".", 1)[0].removeprefix("r"))


@dataclass
class Selection:
    """The parent rows a cut keeps."""

    stages: list[Row] = field(default_factory=list)
    reopened: set[str] = field(default_factory=set)  # stage/execution ids run again
    executions: list[Row] = field(default_factory=list)
    calls: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    tools: list[Row] = field(default_factory=list)


class SessionCuts:
    """The records of one session, indexed for cutting."""

    def __init__(self, records: SessionRecords) -> None:
        self.records = records
        self.stages = records.stages
        self.by_stage: dict[str, list[Row]] = {}
        for execution in records.executions:
            self.by_stage.setdefault(str(execution["stage_id"]), []).append(execution)

    def answered(self, execution_id: str) -> list[Row]:
        return [c for c in self.records.calls if str(c["execution_id"]) == execution_id and c["answered"]]

    def _stage_at(self, index: int) -> Row | None:
        return next((s for s in self.stages if int(s["stage_index"]) == index), None)

    def _earlier_complete(self, index: int) -> bool:
        earlier = [s for s in self.stages if int(s["stage_index"]) < index]
        return len(earlier) == index and all(s["status"] == "completed" for s in earlier)

    def valid(self, cut: Cut) -> Row | None:
        """The stage row of the cut when the session offers it, else None."""
        stage = self._stage_at(cut.stage_index)
        if stage is None or not self._earlier_complete(cut.stage_index):
            return None
        if cut.agent_index is None:
            return stage
        execution = self.execution(stage, cut.agent_index)
        if execution is None:
            return None
        count = len(self.answered(str(execution["id"])))
        last = count if execution["status"] != "completed" else count - 1
        return stage if 1 <= cut.calls <= last else None

    def execution(self, stage: Row, agent_index: int) -> Row | None:
        """The stage's own execution of ``agent_index`` (not a sub-agent it dispatched)."""
        executions = self.by_stage.get(str(stage["id"]), [])
        return next((e for e in executions if int(e["agent_index"]) == agent_index and _own(e)), None)

    def select(self, cut: Cut) -> Selection:
        """The rows kept by a valid cut."""
        chosen = Selection()
        whole = {str(s["id"]) for s in self.stages if int(s["stage_index"]) < cut.stage_index}
        chosen.stages = [s for s in self.stages if str(s["id"]) in whole]
        for stage_id in whole:
            chosen.executions += self.by_stage.get(stage_id, [])
        chosen.calls = [c for c in self.records.calls if str(c["stage_id"]) in whole]
        chosen.events = [e for e in self.records.events if str(e["stage_id"]) in whole]
        chosen.tools = [t for t in self.records.tools if str(t["stage_id"]) in whole]
        if cut.agent_index is not None:
            self._select_partial(cut, chosen)
        chosen.events = [e for e in chosen.events if e["event_type"] not in NOT_COPIED]
        return chosen

    def _select_partial(self, cut: Cut, chosen: Selection) -> None:
        stage = self._stage_at(cut.stage_index)
        assert stage is not None
        assert cut.agent_index is not None
        own = self.execution(stage, cut.agent_index)
        assert own is not None
        own_calls = self.answered(str(own["id"]))
        until = own_calls[cut.calls]["created_at"] if cut.calls < len(own_calls) else None
        chosen.stages.append(stage)
        chosen.reopened.add(str(stage["id"]))
        for execution in self.by_stage.get(str(stage["id"]), []):
            calls = self.answered(str(execution["id"]))
            kept = cut.calls if execution is own else sum(1 for c in calls if until is None or c["created_at"] < until)
            if kept == 0:
                continue
            self._keep_execution(execution, calls, kept, chosen)

    def _keep_execution(self, execution: Row, answered: list[Row], kept: int, chosen: Selection) -> None:
        """An execution's first ``kept`` model calls, their tool calls and the records between them."""
        execution_id = str(execution["id"])
        chosen.executions.append(execution)
        chosen.reopened.add(execution_id)
        until = answered[kept]["created_at"] if kept < len(answered) else None
        chosen.calls += [
            c
            for c in self.records.calls
            if str(c["execution_id"]) == execution_id and (until is None or c["created_at"] < until)
        ]
        own = [e for e in self.records.events if str(e["execution_id"]) == execution_id]
        dropped = [e["seq"] for e in own if e["step"] is not None and _step_iteration(str(e["step"])) >= kept]
        first_dropped = min(dropped) if dropped else None

        def keep(event: Row) -> bool:
            if event["step"] is not None:
                return _step_iteration(str(event["step"])) < kept
            return first_dropped is None or event["seq"] < first_dropped

        events = [e for e in own if keep(e)]
        chosen.events += events
        kept_events = {str(e["id"]) for e in events}
        chosen.tools += [
            t
            for t in self.records.tools
            if str(t["execution_id"]) == execution_id
            and (
                str(t["timeline_event_id"]) in kept_events
                if t["timeline_event_id"] is not None
                else until is None or t["created_at"] < until
            )
        ]


def _own(execution: Row) -> bool:
    """A stage's own agent run; a sub-agent (``dispatch_index`` > 0) is cut with its parent's time."""
    return int(execution.get("dispatch_index") or 0) == 0


def _first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


def _describe(cuts: SessionCuts, cut: Cut, stage: Row) -> Checkpoint:
    chosen = cuts.select(cut)
    boundary = Checkpoint(
        id=cut.id,
        kind="stage_boundary",
        stage_index=cut.stage_index,
        stage_name=str(stage["name"]),
        stage_type=str(stage["stage_type"]),
        at=stage["started_at"],
        stages_completed=[str(s["name"]) for s in chosen.stages if str(s["id"]) not in chosen.reopened],
        model_calls=sum(1 for c in chosen.calls if c["answered"]),
        tool_calls=sum(1 for e in chosen.events if e["event_type"] == "llm_tool_call"),
    )
    if cut.agent_index is None:
        return boundary
    execution = cuts.execution(stage, cut.agent_index)
    assert execution is not None
    last = cuts.answered(str(execution["id"]))[cut.calls - 1]
    return replace(
        boundary,
        kind="agent_iteration",
        at=last["created_at"],
        agent_name=str(execution["agent_name"]),
        agent_index=cut.agent_index,
        iteration=cut.calls,
        last_reply=_first_line(str(last["reply"] or "")) or None,
        last_tool_calls=[str(n) for n in last["tool_names"] or []],
    )


def _cuts_of(cuts: SessionCuts) -> Iterable[Cut]:
    for stage in cuts.stages:
        index = int(stage["stage_index"])
        yield Cut(index)
        for execution in filter(_own, cuts.by_stage.get(str(stage["id"]), [])):
            for calls in range(1, len(cuts.answered(str(execution["id"]))) + 1):
                yield Cut(index, int(execution["agent_index"]), calls)


def checkpoints(records: SessionRecords) -> list[Checkpoint]:
    """Every resume point the session offers, in the order the investigation passed them."""
    cuts = SessionCuts(records)
    found: list[Checkpoint] = []
    for cut in _cuts_of(cuts):
        stage = cuts.valid(cut)
        if stage is not None:
            found.append(_describe(cuts, cut, stage))
    return found


def find(records: SessionRecords, checkpoint_id: str) -> tuple[Checkpoint, Selection]:
    """The checkpoint and the rows a fork from it copies; ``NotFoundError`` when not offered."""
    cut = parse_id(checkpoint_id)
    cuts = SessionCuts(records)
    stage = cuts.valid(cut)
    if stage is None:
        raise NotFoundError(
            f"checkpoint '{checkpoint_id}' not found in this session; GET its /checkpoints for the ones it offers"
        )
    return _describe(cuts, cut, stage), cuts.select(cut)


def record_copy(chosen: Selection) -> RecordCopy:
    """New ids for the chosen rows. An agent step's timeline event gets the id the recorder derives
    for that step of the new execution, so a step the fork runs again resets it instead of adding one."""
    ids: dict[str, str] = {}
    for row in (*chosen.stages, *chosen.executions, *chosen.calls, *chosen.tools):
        ids[str(row["id"])] = str(uuid.uuid4())
    for event in chosen.events:
        execution = event["execution_id"]
        if event["step"] is not None and execution is not None and str(execution) in ids:
            ids[str(event["id"])] = step_event_id(ids[str(execution)], str(event["event_type"]), str(event["step"]))
        else:
            ids[str(event["id"])] = str(uuid.uuid4())
    return RecordCopy(ids=ids, reopened=frozenset(chosen.reopened))
