"""Forking a session: a new session from a resume point of an ended one.

The fork is an ordinary queued session with the parent's alert, chain, runbook and MCP selection.
Its records before the fork point are copies of the parent's (``tarsy.runtime.checkpoints`` says
which), so when a worker runs its chain graph from the start, every agent replays those records
(``tarsy.nodes.replay``) and makes no model or tool call for them; what comes after runs live, with
the fork's model provider and extra instructions when given. The parent is only read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tarsy.config import TarsyConfig
from tarsy.errors import ConflictError, InvalidInputError
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.masking.outbound import OutputMasking
from tarsy.runtime.alerts import queue_full
from tarsy.runtime.checkpoints import Checkpoint, checkpoints, find, record_copy
from tarsy.store import forks as store
from tarsy.store.db import Pool, Row

FORKABLE = ("completed", "failed", "cancelled", "timed_out")
MAX_INSTRUCTIONS_CHARS = 4000


@dataclass(frozen=True)
class ForkRequest:
    checkpoint_id: str
    llm_provider: str | None = None
    instructions: str | None = None


@dataclass(frozen=True)
class Forked:
    session: Row  # id, alert_type, chain_id, status, created_at
    checkpoint: Checkpoint


async def list_checkpoints(pool: Pool, session_id: str) -> list[Checkpoint]:
    async with pool.connection() as conn:
        records = await store.session_records(conn, session_id)
    return checkpoints(records)


def check_provider(config: TarsyConfig, name: str | None) -> str | None:
    """A configured provider name (400 listing the configured ones otherwise)."""
    if name is None:
        return None
    if name not in config.llm_providers:
        known = ", ".join(sorted(config.llm_providers)) or "none"
        raise InvalidInputError(f"llm_provider '{name[:100]}' is not configured; the configured providers: {known}")
    return name


def check_instructions(text: str | None, masking: OutputMasking) -> str | None:
    """Stripped, at most ``MAX_INSTRUCTIONS_CHARS``, masked (they reach prompts and records)."""
    if text is None or not text.strip():
        return None
    if "\x00" in text:
        raise InvalidInputError("instructions must not contain NUL characters")
    if len(text) > MAX_INSTRUCTIONS_CHARS:
        raise InvalidInputError(f"instructions are {len(text)} characters; the limit is {MAX_INSTRUCTIONS_CHARS}")
    return masking.text(text.strip())


def check_forkable(parent: Row, config: TarsyConfig) -> None:
    status = str(parent["status"])
    if status not in FORKABLE:
        raise ConflictError(
            f"session {parent['id']} is {status}; only an ended session ({', '.join(FORKABLE)}) can be forked"
        )
    if str(parent["chain_id"]) not in config.agent_chains:
        raise ConflictError(f"session {parent['id']} ran chain '{parent['chain_id']}', which is no longer configured")


async def fork_session(
    *,
    pool: Pool,
    publisher: EventPublisher,
    config: TarsyConfig,
    masking: OutputMasking,
    parent: Row,
    request: ForkRequest,
    author: str,
) -> Forked:
    """Queue the fork: its session row, the copied records and its first event commit together."""
    check_forkable(parent, config)
    fork = store.NewFork(
        session_id=str(uuid.uuid4()),
        parent_id=str(parent["id"]),
        checkpoint_id=request.checkpoint_id,
        author=author,
        llm_provider=check_provider(config, request.llm_provider),
        instructions=check_instructions(request.instructions, masking),
    )
    async with publisher.lock(fork.session_id), pool.connection() as conn, conn.transaction():
        checkpoint, chosen = find(await store.session_records(conn, fork.parent_id), request.checkpoint_id)
        row = await store.insert_fork_session(conn, fork, max_pending=config.queue.max_pending)
        if row is None:
            raise queue_full(config)
        await store.copy_records(conn, fork.session_id, record_copy(chosen))
        data = {
            "status": "pending",
            "alert_type": row["alert_type"],
            "chain_id": row["chain_id"],
            "forked_from": fork.parent_id,
            "checkpoint_id": checkpoint.id,
        }
        await publisher.publish(fork.session_id, ev.SESSION_STATUS, data, conn=conn)
    publisher.forget(fork.session_id)
    return Forked(row, checkpoint)
