"""Test data for the history API: a few hundred sessions written straight into the database.

Every seeded fact is also kept in Python (``Seeded``), so tests compute the expected answer of a
query independently of the SQL under test.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

BASE = datetime(2026, 3, 1, tzinfo=UTC)
STATUSES = ["completed"] * 6 + ["failed"] * 2 + ["cancelled", "timed_out"]
ALERT_TYPES = {"kubernetes": "k8s-chain", "database": "db-chain", "network": "k8s-chain"}
AUTHORS = ["alice", "bob", "carol", "api-client"]
WORDS = ["memory", "restart", "latency", "disk", "certificate", "quota", "replica", "timeout", "dns", "throttle"]


@dataclass
class SeededExecution:
    id: str
    agent_name: str
    agent_index: int
    status: str
    input_tokens: int
    output_tokens: int
    thinking_tokens: int
    started_at: datetime
    completed_at: datetime | None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass
class SeededStage:
    id: str
    stage_index: int
    name: str
    stage_type: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    executions: list[SeededExecution] = field(default_factory=list)


@dataclass
class SeededSession:
    id: str
    alert_type: str
    chain_id: str
    status: str
    author: str
    alert_data: Any
    final_analysis: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    error_message: str | None = None
    executive_summary: str | None = None
    stages: list[SeededStage] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)

    @property
    def duration_ms(self) -> int | None:
        if self.started_at is None or self.completed_at is None:
            return None
        return int((self.completed_at - self.started_at) / timedelta(milliseconds=1))

    @property
    def executions(self) -> list[SeededExecution]:
        return [e for s in self.stages for e in s.executions]

    def tokens(self, name: str) -> int:
        return sum(getattr(e, name) for e in self.executions)

    @property
    def stage_count(self) -> int:
        return sum(1 for s in self.stages if s.stage_type in ("investigation", "synthesis"))


def _session(rng: random.Random, n: int, status: str) -> SeededSession:
    alert_type = rng.choice(list(ALERT_TYPES))
    created = BASE + timedelta(minutes=37 * n, milliseconds=rng.randrange(1000))
    started = None if status == "pending" else created + timedelta(milliseconds=rng.randrange(10, 60_000))
    finished = status not in ("pending", "in_progress", "cancelling")
    if status == "cancelled" and rng.random() < 0.3:
        started = None  # cancelled while still queued
    completed = created + timedelta(minutes=30) if finished and started is None else None
    if finished and started is not None:
        completed = started + timedelta(milliseconds=rng.randrange(1_000, 900_000))
    words = rng.sample(WORDS, 2)
    session = SeededSession(
        id=str(uuid.uuid4()),
        alert_type=alert_type,
        chain_id=ALERT_TYPES[alert_type],
        status=status,
        author=rng.choice(AUTHORS),
        alert_data={"pod": f"api-{n}", "reason": f"{words[0]} pressure", "count": n},
        final_analysis=f"The {words[1]} settings caused it." if status == "completed" else None,
        created_at=created,
        started_at=started,
        completed_at=completed,
        error_message="provider failed" if status == "failed" else None,
        executive_summary=f"Summary {n}" if status == "completed" else None,
    )
    if started is not None:
        for index in range(rng.randrange(1, 4)):
            stage_type = "synthesis" if index == 2 else "investigation"
            stage = SeededStage(
                id=str(uuid.uuid4()),
                stage_index=index,
                name=f"stage {index}",
                stage_type=stage_type,
                status="completed",
                started_at=started + timedelta(seconds=index),
                completed_at=started + timedelta(seconds=index + 1),
            )
            for agent_index in range(rng.randrange(1, 3)):
                stage.executions.append(
                    SeededExecution(
                        id=str(uuid.uuid4()),
                        agent_name=f"Agent{agent_index}",
                        agent_index=agent_index,
                        status="completed",
                        input_tokens=rng.randrange(100, 5000),
                        output_tokens=rng.randrange(10, 900),
                        thinking_tokens=rng.randrange(0, 300),
                        started_at=stage.started_at,
                        completed_at=stage.started_at + timedelta(milliseconds=rng.randrange(1, 999)),
                    )
                )
            session.stages.append(stage)
        if finished:
            session.stages.append(
                SeededStage(
                    id=str(uuid.uuid4()),
                    stage_index=len(session.stages),
                    name="Executive Summary",
                    stage_type="exec_summary",
                    status="completed",
                    started_at=started,
                    completed_at=completed,
                )
            )
        session.timeline = [f"Checked the {w} of pod api-{n}." for w in rng.sample(WORDS, 2)]
    return session


@dataclass
class Seeded:
    sessions: list[SeededSession]
    hits: dict[str, SeededSession]  # search hits by where the word is: alert, analysis, timeline, text

    def by_id(self, session_id: str) -> SeededSession:
        return next(s for s in self.sessions if s.id == session_id)


def build(count: int = 300, seed: int = 7) -> Seeded:
    """``count`` varied sessions plus a few with known search hits and a small queue."""
    rng = random.Random(seed)
    sessions = [_session(rng, n, rng.choice(STATUSES)) for n in range(count)]
    for n, status in enumerate(["pending"] * 4 + ["in_progress"] * 2 + ["cancelling"], start=count):
        sessions.append(_session(rng, n, status))
    # Known search hits: the word "zebrafish" in alert data, in the final analysis, only in the timeline.
    in_alert, in_analysis, in_timeline, as_text = sessions[10], sessions[20], sessions[30], sessions[40]
    in_alert.alert_data = {"message": "zebrafish tank overflow"}
    in_analysis.final_analysis = "A zebrafish ate the cable."
    in_analysis.status = "completed"
    in_timeline.timeline = ["kubectl describe: the zebrafish sidecar crashed"]
    in_timeline.final_analysis = "Nothing unusual."
    as_text.alert_data = "Plain text alert: quokkas detected in the datacenter"
    hits = {"alert": in_alert, "analysis": in_analysis, "timeline": in_timeline, "text": as_text}
    if count > 55:
        # StatefulSet pods and other identifiers SREs paste into the search box.
        for index, pod in zip((50, 51, 52, 53), ("web-0", "web-1", "web-2", "web-10"), strict=True):
            sessions[index].alert_data = {"pod": pod, "namespace": "shop", "message": f"{pod} is not ready"}
            hits[pod] = sessions[index]
        sessions[54].alert_data = {"node": "node-1.example.com", "ip": "10.0.0.12", "image": "nginx:1.25.3"}
        sessions[54].final_analysis = "The payments api pods are failing behind the ingress."
        sessions[55].alert_data = {"node": "node-10.example.com", "ip": "10.0.0.120", "image": "nginx:1.25.4"}
        sessions[55].final_analysis = "The pods of the payments service are failing their api probes."
        hits["node-1"], hits["node-10"] = sessions[54], sessions[55]
    return Seeded(sessions, hits)


def insert(url: str, seeded: Seeded) -> None:
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO alert_sessions (id, alert_type, chain_id, status, alert_data, author, final_analysis,"
            " executive_summary, error_message, created_at, started_at, completed_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    s.id,
                    s.alert_type,
                    s.chain_id,
                    s.status,
                    json.dumps(s.alert_data),
                    s.author,
                    s.final_analysis,
                    s.executive_summary,
                    s.error_message,
                    s.created_at,
                    s.started_at,
                    s.completed_at,
                )
                for s in seeded.sessions
            ],
        )
        cur.executemany(
            "INSERT INTO stages (id, session_id, stage_index, name, stage_type, status, started_at, completed_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (st.id, s.id, st.stage_index, st.name, st.stage_type, st.status, st.started_at, st.completed_at)
                for s in seeded.sessions
                for st in s.stages
            ],
        )
        cur.executemany(
            "INSERT INTO agent_executions (id, session_id, stage_id, agent_name, agent_index, strategy, llm_provider,"
            " model, status, started_at, completed_at, input_tokens, output_tokens, thinking_tokens, total_tokens)"
            " VALUES (%s, %s, %s, %s, %s, 'react', 'p', 'm', %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    e.id,
                    s.id,
                    st.id,
                    e.agent_name,
                    e.agent_index,
                    e.status,
                    e.started_at,
                    e.completed_at,
                    e.input_tokens,
                    e.output_tokens,
                    e.thinking_tokens,
                    e.total_tokens,
                )
                for s in seeded.sessions
                for st in s.stages
                for e in st.executions
            ],
        )
        cur.executemany(
            "INSERT INTO timeline_events (id, session_id, event_type, status, content)"
            " VALUES (%s, %s, 'llm_response', 'completed', %s)",
            [(str(uuid.uuid4()), s.id, text) for s in seeded.sessions for text in s.timeline],
        )
