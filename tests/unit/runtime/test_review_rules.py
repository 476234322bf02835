"""Every review transition of docs/review.md, allowed and refused, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tarsy.errors import ConflictError
from tarsy.runtime.review_rules import ReviewAsk, transition
from tarsy.store.reviews import ReviewState

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
RUNNING = ReviewState(None, None, None, None, None)
NEEDS = ReviewState("needs_review", None, None, None, None)
MINE = ReviewState("in_progress", "otto", None, None, None)
THEIRS = ReviewState("in_progress", "ada", None, None, None)
DONE = ReviewState("reviewed", "ada", "accurate", NOW, "ada")


def test_claim_from_needs_review_assigns_the_caller_or_the_named_assignee() -> None:
    assert transition(NEEDS, ReviewAsk("claim", "otto"), NOW) == ReviewState("in_progress", "otto", None, None, None)
    handed = transition(NEEDS, ReviewAsk("claim", "otto", assignee="bob"), NOW)
    assert handed is not None and handed.assignee == "bob"


def test_the_assignee_may_hand_a_claim_over_but_nobody_else_may_take_it() -> None:
    over = transition(MINE, ReviewAsk("claim", "otto", assignee="bob"), NOW)
    assert over is not None and (over.review_status, over.assignee) == ("in_progress", "bob")
    with pytest.raises(ConflictError, match="claimed by ada; unclaim it first"):
        transition(THEIRS, ReviewAsk("claim", "otto"), NOW)
    with pytest.raises(ConflictError, match="already claimed by otto"):
        transition(MINE, ReviewAsk("claim", "otto"), NOW)
    with pytest.raises(ConflictError, match="already reviewed"):
        transition(DONE, ReviewAsk("claim", "otto"), NOW)


def test_unclaim_frees_any_claim_and_only_a_claim() -> None:
    assert transition(THEIRS, ReviewAsk("unclaim", "otto"), NOW) == NEEDS
    for state in (NEEDS, DONE):
        with pytest.raises(ConflictError, match="only a claimed session can be unclaimed"):
            transition(state, ReviewAsk("unclaim", "otto"), NOW)


@pytest.mark.parametrize("state", [NEEDS, MINE])
def test_complete_records_rating_reviewer_and_time(state: ReviewState) -> None:
    done = transition(state, ReviewAsk("complete", "otto", quality_rating="partially_accurate"), NOW)
    assert done == ReviewState("reviewed", "otto", "partially_accurate", NOW, "otto")


@pytest.mark.parametrize("state", [NEEDS, MINE])
def test_acknowledge_marks_reviewed_without_a_rating(state: ReviewState) -> None:
    assert transition(state, ReviewAsk("acknowledge", "otto"), NOW) == ReviewState(
        "reviewed", "otto", None, NOW, "otto"
    )


@pytest.mark.parametrize("action", ["complete", "acknowledge"])
def test_finishing_someone_elses_claim_or_a_reviewed_session_is_refused(action: str) -> None:
    ask = ReviewAsk(action, "otto", quality_rating="accurate" if action == "complete" else None)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="claimed by ada; only they"):
        transition(THEIRS, ask, NOW)
    with pytest.raises(ConflictError, match="already reviewed; reopen it first"):
        transition(DONE, ask, NOW)


def test_reopen_clears_the_review_and_only_applies_to_reviewed_sessions() -> None:
    assert transition(DONE, ReviewAsk("reopen", "otto"), NOW) == NEEDS
    for state in (NEEDS, MINE):
        with pytest.raises(ConflictError, match="only a reviewed session can be reopened"):
            transition(state, ReviewAsk("reopen", "otto"), NOW)


@pytest.mark.parametrize("state", [NEEDS, THEIRS, DONE])
def test_feedback_never_changes_the_state(state: ReviewState) -> None:
    assert transition(state, ReviewAsk("feedback", "otto"), NOW) is None


@pytest.mark.parametrize("action", ["claim", "unclaim", "complete", "reopen", "feedback", "acknowledge"])
def test_a_running_session_cannot_be_reviewed(action: str) -> None:
    with pytest.raises(ConflictError, match="has not ended yet"):
        transition(RUNNING, ReviewAsk(action, "otto"), NOW)  # type: ignore[arg-type]
