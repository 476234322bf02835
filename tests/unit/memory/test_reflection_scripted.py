"""The reflection prompt and parser with the scripted model: its system prompt routes to the
``MemoryReflector`` script, names the existing memories' ids, and messy answers still parse."""

from __future__ import annotations

import pytest

from tarsy.llm.scripted import ScriptedChatModel
from tarsy.memory.ranking import Candidate
from tarsy.memory.reflection import REFLECTOR_NAME, ScoreSummary, reflection_messages
from tarsy.memory.reflection_parser import parse_reflection

OLD = Candidate("11111111-1111-4111-8111-111111111111", "api OOMKills at 256Mi", "root_cause", 0.6, None, 0.7, 0, 2)
SCORE = ScoreSummary(35, "wrong", "Blamed the network; it was memory.", ["wrong_root_cause"])

MESSY = [
    # prose, a fence without a language, a trailing comma-free object, keys in other spellings
    'Thinking...\n```\n{"Create": {"Text": "Check memory before the network", "Category": "pitfall"},'
    f' "Reinforce": "{OLD.id}"}}\n```',
    # two objects: a draft without actions, then the answer; an invented id
    '{"draft": true}\nFinal: {"deprecate": [{"memory_id": "' + OLD.id + '", "reason": "limit is 512Mi now"},'
    ' {"id": "made-up"}]}',
]


@pytest.mark.parametrize("answer", MESSY)
async def test_messy_answers_of_the_scripted_reflector_parse(answer: str) -> None:
    model = ScriptedChatModel(script={"agents": {REFLECTOR_NAME: [{"text": answer}], "*": [{"text": "wrong agent"}]}})
    messages = reflection_messages("Alert type: kubernetes\n...", SCORE, [OLD], 300)
    assert OLD.id in messages[1].text and "35/100, outcome wrong" in messages[1].text
    reply = await model.ainvoke(messages)
    plan = parse_reflection(reply.text, {OLD.id}, max_actions=5, max_chars=300)
    assert not plan.empty
    if "Create" in answer:
        assert [(c.content, c.category) for c in plan.create] == [("Check memory before the network", "pitfall")]
        assert plan.reinforce == [OLD.id]
    else:
        assert [(d.memory_id, d.reason) for d in plan.deprecate] == [(OLD.id, "limit is 512Mi now")]
        assert plan.dropped == ["deprecate: unknown memory id 'made-up'"]
