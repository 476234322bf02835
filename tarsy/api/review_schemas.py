"""Request and response models of triage and review (docs/review.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tarsy.contracts import QualityRating, ReviewAction, ReviewStatus

MAX_REVIEW_SESSIONS = 100
MAX_REVIEW_COMMENT_CHARS = 4000
MAX_ASSIGNEE_CHARS = 200

TriageGroup = Literal["needs_review", "in_progress", "reviewed", "mine"]


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_ids: list[str] = Field(
        ..., min_length=1, max_length=MAX_REVIEW_SESSIONS, description="The sessions to act on (repeats count once)"
    )
    action: ReviewAction
    quality_rating: QualityRating | None = Field(None, description="Required by `complete`; refused otherwise")
    comment: str | None = Field(
        None, max_length=MAX_REVIEW_COMMENT_CHARS, description="Recorded in the audit log; required by `feedback`"
    )
    assignee: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_ASSIGNEE_CHARS,
        description="`claim` only: who to assign (default: the caller)",
    )

    def mismatch(self) -> str | None:
        """Why the fields do not fit the action (a 400: the schema alone cannot say it), or None."""
        if (self.action == "complete") != (self.quality_rating is not None):
            return "quality_rating is required by complete and allowed with no other action"
        if self.action == "feedback" and not (self.comment or "").strip():
            return "feedback needs a non-empty comment"
        if self.assignee is not None and self.action != "claim":
            return "assignee is allowed with claim only"
        if self.comment is not None and "\x00" in self.comment:
            return "comment must not contain NUL characters"
        return None


class ReviewError(BaseModel):
    code: Literal["not_found", "conflict"]
    message: str


class ReviewResult(BaseModel):
    session_id: str
    ok: bool = Field(description="The action was applied to this session")
    review_status: ReviewStatus | None = Field(description="After the request (unchanged when not ok)")
    assignee: str | None
    quality_rating: QualityRating | None
    reviewed_at: datetime | None
    error: ReviewError | None = Field(None, description="Why it was not applied")


class ReviewResponse(BaseModel):
    results: list[ReviewResult] = Field(description="One per distinct session id, in request order")
    applied: int
    failed: int


class ReviewEventOut(BaseModel):
    """One audited review transition."""

    id: int
    action: ReviewAction
    actor: str
    at: datetime
    from_status: ReviewStatus | None
    to_status: ReviewStatus | None
    assignee: str | None
    quality_rating: QualityRating | None
    comment: str | None
