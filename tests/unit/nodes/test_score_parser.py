"""The scoring answer parser: tolerant of how models actually answer."""

from __future__ import annotations

import pytest

from tarsy.nodes.score_parser import (
    FAILURE_TAGS,
    NO_ANALYSIS,
    NO_TOOL_REPORT,
    ScoreParseError,
    parse_score,
)

CLEAN = (
    '{"score": 82, "outcome": "correct", "analysis": "Found the OOM.", '
    '"failure_tags": ["redundant_tool_calls"], "tool_report": "No log search tool."}'
)


def test_a_clean_object_is_read_field_by_field() -> None:
    parsed = parse_score(CLEAN)
    assert parsed.score == 82
    assert parsed.outcome == "correct"
    assert parsed.analysis == "Found the OOM."
    assert parsed.failure_tags == ["redundant_tool_calls"]
    assert parsed.tool_report == "No log search tool."
    assert parsed.dropped_tags == []


def test_a_code_fence_with_prose_around_it() -> None:
    text = f"Here is my rating:\n```json\n{CLEAN}\n```\nLet me know if you need more."
    assert parse_score(text).score == 82


def test_a_bare_fence_without_language() -> None:
    assert parse_score(f"```\n{CLEAN}\n```").outcome == "correct"


def test_trailing_prose_with_braces_after_the_object() -> None:
    text = CLEAN + "\nNote: {this is not json}"
    assert parse_score(text).score == 82


@pytest.mark.parametrize(
    ("value", "expected"),
    [('"85/100"', 85), ('"85%"', 85), ('"8.5/10"', 85), ("0.9", 90), ('"score: 77"', 77), ("77.6", 78), ("150", 100)],
)
def test_score_written_many_ways(value: str, expected: int) -> None:
    assert parse_score(f'{{"score": {value}}}').score == expected


def test_a_negative_score_is_clamped_to_zero() -> None:
    assert parse_score('{"score": -5, "outcome": "wrong"}').score == 0


def test_missing_fields_get_clear_defaults_and_the_outcome_follows_the_score() -> None:
    parsed = parse_score('{"score": 55}')
    assert parsed.outcome == "partial"
    assert parsed.analysis == NO_ANALYSIS
    assert parsed.tool_report == NO_TOOL_REPORT
    assert parsed.failure_tags == []


@pytest.mark.parametrize(("score", "outcome"), [(95, "correct"), (70, "correct"), (69, "partial"), (10, "wrong")])
def test_outcome_from_the_score_band(score: int, outcome: str) -> None:
    assert parse_score(f'{{"score": {score}}}').outcome == outcome


def test_the_score_is_kept_inside_its_outcome_band() -> None:
    assert parse_score('{"score": 95, "outcome": "wrong"}').score == 39
    assert parse_score('{"score": 20, "outcome": "correct"}').score == 70
    assert parse_score('{"score": 50, "outcome": "partial"}').score == 50


def test_outcome_synonyms_and_case() -> None:
    assert parse_score('{"score": 30, "outcome": "Incorrect"}').outcome == "wrong"
    assert parse_score('{"score": 80, "outcome": "CORRECT."}').outcome == "correct"
    assert parse_score('{"score": 50, "outcome": "partially correct"}').outcome == "partial"


def test_tags_outside_the_vocabulary_are_dropped_and_reported() -> None:
    parsed = parse_score('{"score": 40, "failure_tags": ["Missed Evidence", "made_up_tag", "missed-evidence", ""]}')
    assert parsed.failure_tags == ["missed_evidence"]
    assert parsed.dropped_tags == ["made_up_tag"]


def test_tags_as_a_comma_separated_string() -> None:
    parsed = parse_score('{"score": 40, "failure_tags": "tool_misuse, wrong_root_cause"}')
    assert parsed.failure_tags == ["tool_misuse", "wrong_root_cause"]


def test_keys_in_other_spellings() -> None:
    parsed = parse_score('{"Score": "60", "Outcome": "partial", "Failure Tags": ["missing_tool"], "Tool-Report": "x"}')
    assert (parsed.score, parsed.failure_tags, parsed.tool_report) == (60, ["missing_tool"], "x")


def test_a_structured_tool_report_becomes_text() -> None:
    parsed = parse_score('{"score": 60, "tool_report": [{"tool": "kubectl", "issue": "timed out"}]}')
    assert "kubectl" in parsed.tool_report


def test_the_first_object_with_a_score_wins_over_objects_without_one() -> None:
    text = 'Example: {"note": "ignore"} then {"score": 12, "outcome": "wrong"}'
    assert parse_score(text).score == 12


def test_a_score_in_plain_prose_when_there_is_no_json() -> None:
    parsed = parse_score("The investigation was decent. Score: 64/100 overall.")
    assert parsed.score == 64
    assert "decent" in parsed.analysis


def test_no_score_at_all_is_refused() -> None:
    with pytest.raises(ScoreParseError):
        parse_score("I cannot rate this investigation.")
    with pytest.raises(ScoreParseError):
        parse_score('{"score": "n/a", "outcome": "correct"}')
    with pytest.raises(ScoreParseError):
        parse_score('{"score": true}')


def test_long_texts_are_cut() -> None:
    parsed = parse_score('{"score": 80, "analysis": "' + "a" * 50_000 + '"}')
    assert len(parsed.analysis) == 20_000


def test_the_vocabulary_is_snake_case_and_unique() -> None:
    assert len(set(FAILURE_TAGS)) == len(FAILURE_TAGS)
    assert all(t == t.lower().replace("-", "_") and " " not in t for t in FAILURE_TAGS)
