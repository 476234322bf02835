"""Follow-up chat on a finished session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.routes.sessions import load_session
from tarsy.errors import ConflictError
from tarsy.runtime.chat_requests import cancel_chat, post_message
from tarsy.store import chats

router = APIRouter(prefix="/api/v1/sessions", tags=["chat"])


class ChatMessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(..., description="The question", min_length=1)


class ChatMessageAccepted(BaseModel):
    chat_id: str
    message_id: str
    stage_index: int
    status: str


class ChatMessageOut(BaseModel):
    message_id: str
    author: str
    content: str
    created_at: datetime
    status: str
    stage_id: str | None
    stage_index: int
    answer: str | None
    error_message: str | None
    cancelled_by: str | None


class ChatHistory(BaseModel):
    chat_id: str | None
    messages: list[ChatMessageOut]


@router.post(
    "/{session_id}/chat/messages",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ChatMessageAccepted,
    responses={k: ERROR_RESPONSES[k] for k in (400, 404, 409, 413, 422)},
)
async def post_chat_message(
    session_id: str, body: ChatMessageRequest, services: ServicesDep, author: AuthorDep
) -> ChatMessageAccepted:
    """Ask a follow-up question; the answer streams on the session's SSE stream as a chat stage."""
    session = await load_session(services.pool, session_id)
    message = await post_message(
        pool=services.pool,
        publisher=services.publisher,
        config=services.config,
        session=session,
        author=author,
        content=body.content,
    )
    services.workers.nudge()
    return ChatMessageAccepted(
        chat_id=str(message["chat_id"]),
        message_id=str(message["id"]),
        stage_index=int(message["stage_index"]),
        status="pending",
    )


@router.get("/{session_id}/chat", response_model=ChatHistory, responses={404: ERROR_RESPONSES[404]})
async def get_chat(session_id: str, services: ServicesDep) -> dict[str, Any]:
    session = await load_session(services.pool, session_id)
    chat, messages = await chats.history(services.pool, str(session["id"]))
    return {
        "chat_id": None if chat is None else str(chat["id"]),
        "messages": [
            {
                "message_id": str(m["id"]),
                "author": m["author"],
                "content": m["content"],
                "created_at": m["created_at"],
                "status": m["status"],
                "stage_id": None if m["stage_id"] is None else str(m["stage_id"]),
                "stage_index": m["stage_index"],
                "answer": m["answer"],
                "error_message": m["error_message"],
                "cancelled_by": m["cancelled_by"],
            }
            for m in messages
        ],
    }


@router.post(
    "/{session_id}/chat/cancel",
    response_model=ChatMessageAccepted,
    responses={k: ERROR_RESPONSES[k] for k in (404, 409)},
)
async def cancel_chat_message(session_id: str, services: ServicesDep, author: AuthorDep) -> ChatMessageAccepted:
    session = await load_session(services.pool, session_id)
    message = await cancel_chat(
        pool=services.pool, publisher=services.publisher, session_id=str(session["id"]), by=author
    )
    if message is None:
        raise ConflictError(f"session {session_id} has no chat message being answered")
    await services.workers.cancel_local(str(message["id"]))
    return ChatMessageAccepted(
        chat_id=str(message["chat_id"]),
        message_id=str(message["id"]),
        stage_index=int(message["stage_index"]),
        status=str(message["status"]),
    )
