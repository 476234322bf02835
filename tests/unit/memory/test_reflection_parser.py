"""The reflection parser on messy answers: fences, prose, other spellings, unknown ids and
categories, limits (docs/memory.md "Learning")."""

from __future__ import annotations

import pytest

from tarsy.memory.reflection_parser import ReflectionParseError, parse_reflection

KNOWN = {"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"}
A, B = sorted(KNOWN)


def parse(text: str, *, max_actions: int = 10, max_chars: int = 200):  # type: ignore[no-untyped-def]
    return parse_reflection(text, KNOWN, max_actions=max_actions, max_chars=max_chars)


def test_a_fenced_answer_with_prose_around_it() -> None:
    text = (
        "Here is what I learnt:\n```json\n"
        '{"create": [{"content": "api pods OOMKill below 512Mi", "category": "root_cause"},'
        ' {"text": "Check kubectl top first", "type": "Diagnostic Step", "scope": "any"}],'
        f' "reinforce": [{{"memory_id": "{A}"}}], "deprecate": [{{"id": "{B}", "reason": "limit was raised"}}]}}'
        "\n```\nHope this helps."
    )
    plan = parse(text)
    assert [(c.content, c.category, c.scope) for c in plan.create] == [
        ("api pods OOMKill below 512Mi", "root_cause", "alert_type"),
        ("Check kubectl top first", "diagnostic_step", "any"),
    ]
    assert plan.reinforce == [A]
    assert [(d.memory_id, d.reason) for d in plan.deprecate] == [(B, "limit was raised")]
    assert plan.dropped == []


def test_unknown_ids_categories_and_repeats_are_dropped_and_reported() -> None:
    text = (
        '{"create": [{"content": "x", "category": "gossip"}, {"content": ""}, "a bare string"],'
        f' "reinforce": ["{A}", "not-an-id", "33333333-3333-4333-8333-333333333333"],'
        f' "deprecate": [{{"id": "{A}"}}]}}'
    )
    plan = parse(text)
    assert plan.create == [] and plan.reinforce == [A] and plan.deprecate == []
    assert len(plan.dropped) == 6
    assert any("gossip" in d for d in plan.dropped)
    assert any("unknown memory id 'not-an-id'" in d for d in plan.dropped)
    assert any("already reinforced" in d for d in plan.dropped)


def test_limits_cut_long_texts_and_extra_actions() -> None:
    creates = ", ".join(f'{{"content": "lesson {i} {"y" * 50}", "category": "pitfall"}}' for i in range(4))
    plan = parse(f'{{"create": [{creates}]}}', max_actions=2, max_chars=30)
    assert len(plan.create) == 2 and all(len(c.content) <= 30 for c in plan.create)
    assert plan.dropped == ["create: 2 over the limit of 2"]


def test_nothing_learnt_is_an_answer_and_no_json_is_not() -> None:
    assert parse('{"create": [], "reinforce": [], "deprecate": []}').empty
    assert parse('I found nothing. {"note": "none"}').dropped  # JSON without the keys: nothing to do
    with pytest.raises(ReflectionParseError):
        parse("Nothing worth remembering here.")


def test_the_first_object_with_actions_wins_over_earlier_noise() -> None:
    text = '{"thinking": "..."} then {"reinforce": "' + B + '"}'
    assert parse(text).reinforce == [B]
