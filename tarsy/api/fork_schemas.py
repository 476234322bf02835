"""Request and response models of forks (``/sessions/{id}/checkpoints``, ``/sessions/{id}/fork``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tarsy.contracts import SessionStatus
from tarsy.runtime.forks import MAX_INSTRUCTIONS_CHARS


class CheckpointOut(BaseModel):
    """A point the investigation can be resumed from, with what had happened by then."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    id: str = Field(description="Stable id: `stage-<n>` or `stage-<n>-agent-<a>-call-<k>`")
    kind: Literal["stage_boundary", "agent_iteration"]
    stage_index: int = Field(description="The stage row the fork runs (again) first")
    stage_name: str
    stage_type: str
    at: datetime = Field(description="When the parent was there: the stage's start or the model call's time")
    agent_name: str | None = Field(None, description="`agent_iteration`: whose model calls are reused")
    agent_index: int | None = None
    iteration: int | None = Field(None, description="`agent_iteration`: how many of the agent's model calls")
    stages_completed: list[str] = Field(description="Stages reused whole")
    model_calls: int = Field(description="Model calls the fork reuses instead of making")
    tool_calls: int = Field(description="Tool calls the fork reuses instead of running")
    last_reply: str | None = Field(None, description="`agent_iteration`: first line of the last reused reply")
    last_tool_calls: list[str] = Field(default_factory=list, description="The tools that reply called")


class ForkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checkpoint_id: str = Field(..., min_length=1, max_length=100, description="An id from `GET .../checkpoints`")
    llm_provider: str | None = Field(
        None, min_length=1, max_length=200, description="A configured provider for every agent of the fork"
    )
    instructions: str | None = Field(
        None,
        max_length=MAX_INSTRUCTIONS_CHARS,
        description="Extra operator instructions added to every agent's prompt (masked)",
    )


class ForkAccepted(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    session_id: str
    status: Literal["queued"] = "queued"
    forked_from: str
    checkpoint_id: str


class ForkOrigin(BaseModel):
    """Where a fork came from and what it changed."""

    session_id: str
    checkpoint_id: str
    llm_provider: str | None
    instructions: str | None


class ForkSummary(BaseModel):
    """A session forked from this one."""

    session_id: str
    status: SessionStatus
    checkpoint_id: str
    llm_provider: str | None
    author: str
    created_at: datetime
