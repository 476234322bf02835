"""Accepting many alerts at once (an Alertmanager group): one batched insert, one batch of events.

Each alert is checked like a single one (``check_alert_data``); an alert that cannot be stored is
reported as skipped with the reason, never failing the others. Alerts with a fingerprint that
already has an open session (or that repeat one earlier in the batch) are reported as duplicates
of that session.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

from tarsy.config import TarsyConfig
from tarsy.errors import InvalidInputError
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.runtime.alerts import AlertMasker, check_alert_data
from tarsy.store import sessions as repo
from tarsy.store.db import Pool


@dataclass(frozen=True)
class BatchAlert:
    fingerprint: str
    alert_type: str
    data: dict[str, Any]
    runbook: str | None


@dataclass(frozen=True)
class BatchOutcome:
    fingerprint: str
    session_id: str | None
    status: Literal["queued", "duplicate", "skipped"]
    reason: str | None = None
    alert_type: str | None = None


async def submit_batch(
    *,
    pool: Pool,
    publisher: EventPublisher,
    config: TarsyConfig,
    alerts: list[BatchAlert],
    author: str,
    mask: AlertMasker,
) -> list[BatchOutcome]:
    """One outcome per alert, in order."""
    outcomes: dict[int, BatchOutcome] = {}
    # Checking and masking a thousand alerts is CPU work: off the event loop, which serves SSE.
    news = await asyncio.to_thread(_prepare, config, alerts, author, mask, outcomes)
    for _ in range(2):  # a second round for duplicates whose open session ended in between
        if not news:
            break
        news = await _insert_round(pool, publisher, news, outcomes)
    for index, new in news.items():
        reason = "an open session for this fingerprint ended while the group was stored; resend"
        outcomes[index] = BatchOutcome(str(new.fingerprint), None, "skipped", reason)
    return [outcomes[i] for i in range(len(alerts))]


def _prepare(
    config: TarsyConfig, alerts: list[BatchAlert], author: str, mask: AlertMasker, outcomes: dict[int, BatchOutcome]
) -> dict[int, repo.NewSession]:
    """The sessions to insert, by alert index; alerts that cannot be stored go to ``outcomes``."""
    news: dict[int, repo.NewSession] = {}
    for index, alert in enumerate(alerts):
        try:
            chain_id, _ = config.chain_for_alert_type(alert.alert_type)
            check_alert_data(alert.data, config)
        except (LookupError, InvalidInputError) as exc:
            reason = exc.message if isinstance(exc, InvalidInputError) else str(exc)
            outcomes[index] = BatchOutcome(alert.fingerprint, None, "skipped", reason)
            continue
        masked, masking_error = mask(alert.data)
        news[index] = repo.NewSession(
            alert_type=alert.alert_type,
            chain_id=chain_id,
            alert_data=masked,
            runbook_url=alert.runbook,
            author=author,
            alert_masking_error=masking_error,
            fingerprint=alert.fingerprint,
        )
    return news


async def _insert_round(
    pool: Pool, publisher: EventPublisher, news: dict[int, repo.NewSession], outcomes: dict[int, BatchOutcome]
) -> dict[int, repo.NewSession]:
    """Insert what can be; record outcomes; return the alerts left for another round."""
    order = list(news)
    async with pool.connection() as conn, conn.transaction():
        rows = await repo.insert_sessions(conn, [news[i] for i in order])
        await publisher.publish_new(
            conn,
            [
                (
                    str(r["id"]),
                    ev.SESSION_STATUS,
                    {"status": "pending", "alert_type": r["alert_type"], "chain_id": r["chain_id"]},
                )
                for r in rows
            ],
        )
        inserted = {str(r["fingerprint"]): str(r["id"]) for r in rows}
        rest = [i for i in order if str(news[i].fingerprint) not in inserted]
        open_ids = await repo.open_sessions_for_fingerprints(conn, [str(news[i].fingerprint) for i in rest])
    left: dict[int, repo.NewSession] = {}
    claimed: set[str] = set()
    for index in order:
        new = news[index]
        fingerprint = str(new.fingerprint)
        if fingerprint in inserted and fingerprint not in claimed:
            claimed.add(fingerprint)
            outcomes[index] = BatchOutcome(fingerprint, inserted[fingerprint], "queued", alert_type=new.alert_type)
        elif fingerprint in inserted or fingerprint in open_ids:
            session_id = inserted.get(fingerprint) or open_ids[fingerprint]
            outcomes[index] = BatchOutcome(fingerprint, session_id, "duplicate")
        else:
            left[index] = new
    return left
