"""Which review transitions are allowed (docs/review.md), as a pure function of the current state.

Kept apart from the store and the API so every rule is one readable branch and unit-testable
without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from tarsy.contracts import QualityRating, ReviewAction
from tarsy.errors import ConflictError
from tarsy.store.reviews import ReviewState


@dataclass(frozen=True)
class ReviewAsk:
    """One requested action by ``actor``; ``assignee`` (claim only) defaults to the actor."""

    action: ReviewAction
    actor: str
    quality_rating: QualityRating | None = None
    assignee: str | None = None


_OPEN = ReviewState(None, None, None, None, None)


def transition(current: ReviewState, ask: ReviewAsk, now: datetime) -> ReviewState | None:
    """The state after ``ask`` (None: unchanged, for feedback); ``ConflictError`` when not allowed."""
    status = current.review_status
    if status is None:
        raise ConflictError("the session has not ended yet; it can be reviewed once it ends")
    if ask.action == "feedback":
        return None
    if ask.action == "claim":
        return _claim(current, ask)
    if ask.action == "unclaim":
        if status != "in_progress":
            raise ConflictError(f"only a claimed session can be unclaimed; this one is {status}")
        return replace(_OPEN, review_status="needs_review")
    if ask.action == "reopen":
        if status != "reviewed":
            raise ConflictError(f"only a reviewed session can be reopened; this one is {status}")
        return replace(_OPEN, review_status="needs_review")
    _check_can_finish(current, ask.actor)
    rating = ask.quality_rating if ask.action == "complete" else None
    return ReviewState("reviewed", ask.actor, rating, now, ask.actor)


def _claim(current: ReviewState, ask: ReviewAsk) -> ReviewState:
    target = ask.assignee or ask.actor
    if current.review_status == "reviewed":
        raise ConflictError("the session is already reviewed; reopen it first")
    if current.review_status == "in_progress":
        if current.assignee == target:
            raise ConflictError(f"the session is already claimed by {target}")
        if current.assignee != ask.actor:
            raise ConflictError(f"the session is claimed by {current.assignee}; unclaim it first to take it over")
    return replace(_OPEN, review_status="in_progress", assignee=target)


def _check_can_finish(current: ReviewState, actor: str) -> None:
    """Complete and acknowledge: from needs_review, or from in_progress by its assignee."""
    if current.review_status == "reviewed":
        raise ConflictError("the session is already reviewed; reopen it first")
    if current.review_status == "in_progress" and current.assignee != actor:
        raise ConflictError(f"the session is claimed by {current.assignee}; only they can finish its review")
