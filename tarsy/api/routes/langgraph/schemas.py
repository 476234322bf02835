"""Request bodies of the LangGraph SDK API (the fields the SDK sends that TARSy reads)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tarsy.api.schemas import AlertRequest


class AlertRunInput(AlertRequest):
    """A chain assistant's run input: the alert as ``POST /api/v1/alerts`` takes it, type required."""

    alert_type: str = Field(..., min_length=1, description="Selects the chain's alert type")


class ChatRunInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(..., min_length=1, description="The follow-up question")


class RunCreate(BaseModel):
    # The SDK sends many options TARSy has no use for (webhook, multitask_strategy, durability...).
    model_config = ConfigDict(extra="ignore")

    assistant_id: str = Field(..., description="A chain id, or `chat`")
    input: dict[str, Any] | None = Field(None, description="The alert (chain) or `{content}` (chat)")
    command: dict[str, Any] | None = Field(None, description="`{resume: ...}` answers an interrupted run")
    stream_mode: list[str] | str | None = Field(None, description="`values`, `updates`, `messages`, `events`")
    metadata: dict[str, Any] | None = Field(None, description="Kept on the thread")


class ThreadCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    thread_id: uuid.UUID | None = Field(None, description="A uuid; new when absent")
    metadata: dict[str, Any] | None = Field(None, description="Free-form metadata")
    if_exists: Literal["raise", "do_nothing"] | None = Field(None, description="`raise` (default) or `do_nothing`")


class Search(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(10, ge=1, le=1000, strict=True, description="Page size")
    offset: int = Field(0, ge=0, le=1_000_000, strict=True, description="Rows to skip")


class HistoryRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(10, ge=1, le=1000, strict=True, description="Checkpoints to return, newest first")
