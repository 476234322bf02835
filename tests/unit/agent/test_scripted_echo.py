"""The scripted model's "echo" turn (used by the browser test to put a URL only it knows into a
demo chat answer); ordinary questions still get the demo's ordinary answer."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from tarsy.llm.scripted import ScriptedChatModel, load_script

SYSTEM = SystemMessage("You are ChatAgent, an agent of TARSy.")


async def test_echo_turn_answers_with_what_follows_its_marker() -> None:
    model = ScriptedChatModel(script={"agents": {"ChatAgent": load_script("demo")["agents"]["ChatAgent"]}})
    asked = "## Question\nQuote back: ![probe](http://127.0.0.1:5555/pixel.png)"
    reply = await model.ainvoke([SYSTEM, HumanMessage(asked)])
    assert reply.text == "(demo mode) Quoted: ![probe](http://127.0.0.1:5555/pixel.png)"


async def test_other_questions_get_the_ordinary_demo_answer() -> None:
    model = ScriptedChatModel(script={"agents": {"ChatAgent": load_script("demo")["agents"]["ChatAgent"]}})
    reply = await model.ainvoke([SYSTEM, HumanMessage("## Question\nWhat should I check first?")])
    assert reply.text.startswith("(demo mode) Based on the investigation")
