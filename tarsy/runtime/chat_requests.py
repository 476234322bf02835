"""Accepting and cancelling follow-up chat messages (the request side; workers answer them)."""

from __future__ import annotations

from tarsy.config import TarsyConfig
from tarsy.errors import InvalidInputError, PayloadTooLargeError
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.jsonsafe import check_storable
from tarsy.masking.outbound import OutputMasking
from tarsy.store import chats
from tarsy.store import events as store_events
from tarsy.store.db import Pool, Row


async def post_message(
    *, pool: Pool, publisher: EventPublisher, config: TarsyConfig, session: Row, author: str, content: str
) -> Row:
    if session["status"] not in ev.TERMINAL_STATUSES:
        raise InvalidInputError(
            f"session {session['id']} is still {session['status']}; follow-up chat opens when it has ended"
        )
    chain = config.agent_chains.get(str(session["chain_id"]))
    if chain is None or not chain.chat.enabled:
        raise InvalidInputError(f"follow-up chat is disabled for chain '{session['chain_id']}' (chat.enabled)")
    text = content.strip()
    check_storable(text, max_depth=config.system.max_json_depth, name="content")  # NUL, lone surrogates
    if not text:
        raise InvalidInputError("the chat message is empty; send the question in 'content'")
    limit = config.system.max_chat_message_chars
    if len(text) > limit:
        raise PayloadTooLargeError(
            f"the chat message has {len(text)} characters; the limit is {limit} (system.max_chat_message_chars)"
        )
    # Masked at intake, like alert data: the stored message, its event and the model see it masked.
    text = OutputMasking.from_config(config).text(text)
    session_id = str(session["id"])
    async with publisher.lock(session_id), pool.connection() as conn, conn.transaction():
        message = await chats.add_message(conn, session_id, author, text)
        await publisher.publish(
            session_id,
            ev.CHAT_STATUS,
            {
                "message_id": str(message["id"]),
                "chat_id": str(message["chat_id"]),
                "author": author,
                "content": text,
                "status": "pending",
            },
            conn=conn,
        )
    return message


async def cancel_chat(*, pool: Pool, publisher: EventPublisher, session_id: str, by: str) -> Row | None:
    """Cancel the session's in-flight message, wherever it runs; None when there is none; ``by`` is recorded."""
    async with publisher.lock(session_id), pool.connection() as conn, conn.transaction():
        message = await chats.request_cancel(conn, session_id, by)
        if message is None:
            return None
        if message["status"] == "cancelled":
            await publisher.publish(
                session_id,
                ev.CHAT_STATUS,
                {"message_id": str(message["id"]), "chat_id": str(message["chat_id"]), "status": "cancelled"},
                conn=conn,
            )
        else:
            await store_events.notify(conn, ev.CANCEL_CHANNEL, str(message["id"]))
    return message
