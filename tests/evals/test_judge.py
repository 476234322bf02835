"""The judge: its verdict read from messy model answers, and the rule combining it with the exact
checks (a fact with ``match_any`` is found only when both agree)."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from tarsy.evals.judge import RUBRIC, combine, judge, judge_messages, parse_verdict, scripted_verdict
from tarsy.evals.scenario import load_scenario

from .conftest import SCENARIOS

SCENARIO = load_scenario(SCENARIOS / "oomkilled-basic")
ALL_STATED = {
    "facts": [{"id": i, "stated": True, "reason": "r"} for i in ("oomkilled", "limit-256mi", "startup-load")],
    "forbidden": [{"id": i, "given": False, "reason": "r"} for i in ("blames-node", "blames-image")],
}


@pytest.mark.parametrize(
    "answer",
    [
        json.dumps(ALL_STATED),
        f"Here is my grading:\n```json\n{json.dumps(ALL_STATED, indent=2)}\n```\nThanks!",
        f"```\n{json.dumps(ALL_STATED)}\n```",
        f"I think {{this}} is fine. {json.dumps(ALL_STATED)} -- end",
        json.dumps(ALL_STATED).replace("true", '"yes"').replace("false", '"no"'),
    ],
)
def test_reads_verdicts_however_wrapped(answer: str) -> None:
    verdicts = parse_verdict(answer)

    assert verdicts["oomkilled"] == (True, "r")
    assert verdicts["blames-node"] == (False, "r")
    assert len(verdicts) == 5


def test_skips_unreadable_entries_and_refuses_an_answer_without_verdicts() -> None:
    partial = {
        "facts": [{"id": "oomkilled", "stated": "maybe"}, {"stated": True}, {"id": "limit-256mi", "stated": "true"}]
    }

    assert parse_verdict(json.dumps(partial)) == {"limit-256mi": (True, "")}
    with pytest.raises(ValueError, match="no JSON object"):
        parse_verdict("The report is great, all facts are there.")
    with pytest.raises(ValueError, match="no JSON object"):
        parse_verdict('{"score": 90}')


def test_a_fact_with_match_any_needs_both_the_judge_and_the_string() -> None:
    analysis = "The container was OOMKilled; the limit is 512Mi."
    verdicts = {"oomkilled": (True, "ok"), "limit-256mi": (True, "kind judge"), "startup-load": (True, "ok")}

    items = {i.id: i for i in combine(SCENARIO, analysis, verdicts)}

    assert items["oomkilled"].holds  # judge and string agree
    assert not items["limit-256mi"].holds  # judge says yes, the string 256Mi is not there
    assert items["startup-load"].holds  # no match_any: the judge alone
    assert items["startup-load"].exact is None
    assert not items["blames-node"].holds and items["blames-node"].judge is None  # no verdict given


def test_a_forbidden_string_in_a_negation_is_not_a_hit_unless_the_judge_agrees() -> None:
    analysis = "This is not an ErrImagePull problem: the image was pulled."

    rejected = {i.id: i for i in combine(SCENARIO, analysis, {"blames-image": (False, "rules it out")})}
    given = {i.id: i for i in combine(SCENARIO, analysis, {"blames-image": (True, "blames it")})}

    assert rejected["blames-image"].exact is True and not rejected["blames-image"].holds
    assert given["blames-image"].holds


async def test_the_judge_is_asked_the_fixed_rubric_and_a_garbled_answer_fails_the_run() -> None:
    asked: list[list[SystemMessage | HumanMessage]] = []

    async def garbled(messages: list[SystemMessage | HumanMessage]) -> str:
        asked.append(messages)
        return "Sorry, I cannot grade this."

    verdict = await judge(SCENARIO, "an analysis", garbled)

    assert asked[0][0].content == RUBRIC
    assert "<report>\nan analysis\n</report>" in asked[0][1].text
    assert verdict.judge_error is not None
    assert not any(i.holds for i in verdict.facts)


def test_the_scripted_judge_answers_like_a_judge_from_the_exact_checks() -> None:
    reference = SCENARIO.spec.reference_analysis
    messages = judge_messages(SCENARIO, reference)
    assert reference in messages[1].text

    verdicts = parse_verdict(scripted_verdict(SCENARIO, "nothing relevant"))

    assert verdicts["oomkilled"][0] is False
    assert verdicts["startup-load"][0] is True  # no exact check: taken as stated offline
    assert verdicts["blames-image"][0] is False
