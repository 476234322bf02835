"""Reading a text-ReAct reply: call a tool, finish, or tell the model exactly what to fix.

The ``react`` strategy works with any chat model, including ones without native function calling,
so the reply is free text and models drift from the format in predictable ways: bold or heading
markers, missing colons, code fences, prose around the steps, several actions at once, a made-up
``Observation:``, or output cut off by the token limit. The parser accepts every reading that is
unambiguous and otherwise returns ``ReactMalformed`` with a hint the agent loop sends back as the
next user message; it never raises, because a format slip is the model's to correct, not an error.

Precedence: the first ``Action`` wins if it comes before any ``Final Answer`` and has arguments;
a ``Final Answer`` that comes first ends the turn. Everything after the first action's input (a
second action, an invented observation) is ignored.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeAlias

from tarsy.nodes.action_input import read_action_input, strip_fences
from tarsy.tools.names import ToolNameError, from_wire, split_canonical

REACT_FORMAT = """\
To call a tool, reply with exactly these three lines and then stop:
Thought: <your reasoning>
Action: <server.tool, e.g. kubernetes-server.pods_list>
Action Input: <the tool's arguments as one JSON object, e.g. {"namespace": "prod"}>

When you have enough information, reply with:
Thought: <your reasoning>
Final Answer: <your complete answer>"""


@dataclass(frozen=True)
class ReactAction:
    """Call ``tool`` (canonical ``server.tool``) with ``arguments``; ``raw_input`` is what the model wrote."""

    thought: str
    tool: str
    raw_input: str
    arguments: dict[str, Any]
    kind: ClassVar[Literal["action"]] = "action"


@dataclass(frozen=True)
class ReactFinal:
    """The model finished; ``answer`` is its markdown, kept as written."""

    thought: str
    answer: str
    kind: ClassVar[Literal["final"]] = "final"


@dataclass(frozen=True)
class ReactMalformed:
    """The reply could not be read; ``hint`` is the message that tells the model how to fix it."""

    thought: str
    problem: str
    hint: str
    kind: ClassVar[Literal["malformed"]] = "malformed"


ReactStep: TypeAlias = ReactAction | ReactFinal | ReactMalformed
Key = Literal["thought", "action", "input", "final", "observation"]

_MARKER = re.compile(
    r"[ \t]*(?:(?:#+|>+|[-+*]|\d+[.)])[ \t]+)*(?P<open>[*_]{0,3})"
    r"(?P<word>thoughts?|action[ \t_]*input|action|final[ \t_]*answer|observation)\b"
    r"[*_]{0,3}[ \t]*(?P<colon>[:：])?[*_]{0,3}[ \t]*",
    re.IGNORECASE,
)
# Steps written on one line ("Thought: ... Action: x Action Input: {...}"); case and colon required.
_INLINE = re.compile(
    r"(?<=\s)(?:\*\*)?(?:Action Input|ACTION INPUT|Action|ACTION|Final Answer|FINAL ANSWER|Observation)"
    r"(?:\*\*)?:"
)
_TOOL_TOKEN = re.compile(r"[`*'\"]*[\w.\-/]+[`*'\"]*\s*(?:\(.*)?")
_QUALIFIED = re.compile(r"(?<![\w.\-/])[A-Za-z][\w-]*(?:\.|__|/)[\w.\-/]*\w")
_CALL_START = re.compile(r"[`*]*[\w.\-/]+[`*]*\s*\(")
_CALL = re.compile(r"(?P<name>[^\s(]+)\s*\((?P<args>.*)\)\s*\Z", re.DOTALL)
_DECORATION = "`*'\"[]<>"
_NO_TOOL = frozenset({"", "none", "n/a", "na", "null", "nothing", "no action", "no tool"})


@dataclass(frozen=True)
class _Marker:
    key: Key
    start: int  # where the marker begins; the previous marker's content ends here
    body: int  # where this marker's content begins


def parse_react(text: str) -> ReactStep:
    """Read one model reply in the ReAct format."""
    reply = _unwrap_fence(text.replace("\ufeff", ""))
    if not reply.strip():
        return _malformed("", "empty response", "Your response was empty.")
    markers = _scan(reply)
    action = _first(markers, "action")
    final = _first(markers, "final")
    if action is not None and (final is None or action < final):
        step = _action_step(reply, markers, action, final_follows=final is not None)
        if step is not None:
            return step
    if final is not None:
        return _final_step(reply, markers, final)
    return _undecided(reply, markers)


def _unwrap_fence(text: str) -> str:
    """Drop a code fence around the whole reply, keeping fences inside it (e.g. in the answer)."""
    lines = text.strip().splitlines()
    if not lines or not re.fullmatch(r"(?:```|~~~)[\w-]*", lines[0].strip()):
        return text
    lines = lines[1:]
    if lines and lines[-1].strip() in ("```", "~~~"):
        lines = lines[:-1]
    return "\n".join(lines)


def _scan(text: str) -> list[_Marker]:
    """Every step marker at a line start, outside code fences; a made-up observation ends the scan."""
    markers: list[_Marker] = []
    in_fence = quoting = False  # quoting: inside an Action Input or Final Answer, where YAML keys live
    offset = 0
    for line in text.splitlines(keepends=True):
        found = None if in_fence else _marker_at(line, offset, quoting)
        if line.count("```") % 2 or line.lstrip().startswith("~~~"):
            in_fence = not in_fence
        offset += len(line)
        if found is None:
            continue
        markers.extend(found)
        quoting = found[-1].key in ("input", "final")
        if found[-1].key == "observation" and _first(markers, "action") is not None:
            break
    return markers


def _marker_at(line: str, offset: int, quoting: bool) -> list[_Marker] | None:
    """The marker(s) a line starts with; a lower-case ``action:`` inside an input is a YAML key."""
    match = _MARKER.match(line)
    if match is None:
        return None
    word, rest = match["word"], line[match.end() :].rstrip()
    key = _key(word)
    casual = word.islower() and not match["open"]
    if quoting and casual:
        return None
    if not match["colon"] and not _accepts_without_colon(key, word, rest):
        return None
    first = _Marker(key, offset, offset + match.end())
    if key not in ("thought", "action"):
        return [first]
    inline = _INLINE.search(line, match.end())
    if inline is None:
        return [first]
    tail = _marker_at(line[inline.start() :], offset + inline.start(), quoting=False)
    return [first, *(tail or [])]


def _key(word: str) -> Key:
    squashed = re.sub(r"[\s_]", "", word.lower())
    keys: dict[str, Key] = {"actioninput": "input", "action": "action", "finalanswer": "final"}
    if squashed in keys:
        return keys[squashed]
    return "observation" if squashed == "observation" else "thought"


def _accepts_without_colon(key: Key, word: str, rest: str) -> bool:
    """A marker without a colon counts only when written like one, so prose is not mistaken for it."""
    if not (word.istitle() or word.isupper()):
        return False
    if not rest:
        return True
    if key == "thought":
        return True
    if key == "action":
        return _TOOL_TOKEN.fullmatch(rest) is not None
    if key == "input":
        return rest[0] in "{[`"
    return False


def _first(markers: list[_Marker], key: Key) -> int | None:
    return next((i for i, marker in enumerate(markers) if marker.key == key), None)


def _content(text: str, markers: list[_Marker], index: int) -> str:
    """The marker's text up to the next marker, dedented so an indented YAML block stays valid."""
    end = markers[index + 1].start if index + 1 < len(markers) else len(text)
    return textwrap.dedent(text[markers[index].body : end]).strip()


def _thought(text: str, markers: list[_Marker], before: int) -> str:
    """The Thought(s) before marker ``before``; without any, the prose that opened the reply."""
    thoughts = [_content(text, markers, i) for i in range(before) if markers[i].key == "thought"]
    if thoughts:
        return "\n\n".join(t for t in thoughts if t)
    return text[: markers[0].start].strip() if markers else text.strip()


def _action_step(text: str, markers: list[_Marker], index: int, *, final_follows: bool) -> ReactStep | None:
    """The step for the first Action, or None when it is no action and a Final Answer follows."""
    thought = _thought(text, markers, index)
    content = _content(text, markers, index)
    spec, _, after = content.partition("\n")
    name = spec.strip().strip(_DECORATION).rstrip(".,;:").strip()
    input_index = _input_marker(markers, index)
    if name.lower() in _NO_TOOL:
        if final_follows:
            return None
        return _malformed(thought, "Action names no tool", "Your `Action:` line does not name a tool.")
    if name.lower().replace("_", " ") == "final answer" and input_index is not None:
        return _final_or_empty(thought, _content(text, markers, input_index))
    call_style = _CALL_START.match(spec.strip()) is not None
    call = (_CALL.match(spec.strip()) or _CALL.match(content)) if call_style else None
    if call_style and call is None:
        return _malformed(thought, "Action call cut off", f"Your `Action: {spec.strip()}` call is not closed.")
    raw = _input_text(_content(text, markers, input_index)) if input_index is not None else None
    if call is not None:
        name = call["name"].strip(_DECORATION)
        raw = raw or call["args"].strip()
    if raw is None and after.strip()[:1] in ("{", "`"):
        raw = _input_text(after.strip())  # the model forgot the "Action Input:" label
    if raw is None:
        if final_follows:
            return None
        return _malformed(
            thought,
            "Action without Action Input",
            f"Your response had `Action: {name}` but no `Action Input:` line, or it was cut off.",
        )
    return _action(thought, name, raw)


def _input_marker(markers: list[_Marker], index: int) -> int | None:
    """The Action Input right after the action, or right before it (models sometimes swap them)."""
    if index + 1 < len(markers) and markers[index + 1].key == "input":
        return index + 1
    if index > 0 and markers[index - 1].key == "input":
        return index - 1
    return None


def _input_text(content: str) -> str:
    """The input part of an Action Input: JSON or a fenced block as a whole, else up to a blank line."""
    if content[:1] in ("{", "[", "`", "~"):
        return content
    return re.split(r"\n[ \t]*\n", content, maxsplit=1)[0].strip()


def _action(thought: str, name: str, raw: str) -> ReactStep:
    tool = _canonical_tool(name)
    if isinstance(tool, ReactMalformed):
        return ReactMalformed(thought, tool.problem, tool.hint)
    parsed = read_action_input(raw)
    if parsed.source == "raw" and strip_fences(raw).startswith("{"):
        return _malformed(
            thought,
            "Action Input is not valid JSON",
            f"The `Action Input:` for `{tool}` is not a valid JSON object (was it cut off?). "
            "Send the complete JSON object again.",
        )
    return ReactAction(thought, tool, raw, parsed.arguments)


def _canonical_tool(name: str) -> str | ReactMalformed:
    """``server.tool`` from what the model wrote: ``server.tool``, ``server__tool`` or ``server/tool``."""
    token = name.split()[0] if name.split() else name
    if not _QUALIFIED.fullmatch(token):
        found = _QUALIFIED.search(name)
        token = found.group(0) if found else token
    token = token.strip(_DECORATION)
    if token.startswith("functions.") and "__" in token:  # OpenAI's internal prefix leaking into text
        token = token.removeprefix("functions.")
    seps = {sep: token.find(sep) for sep in (".", "__", "/") if sep in token}
    if not seps:
        return _malformed(
            "",
            "tool name has no server",
            f"`{token}` is not a full tool name: tools are named `server.tool` (the server id, a dot, "
            f"then the tool name, e.g. `<server>.{token}`), exactly as your list of tools spells them.",
        )
    sep = min(seps, key=lambda s: seps[s])
    try:
        if sep == "__":
            return from_wire(token)
        canonical = token.replace("/", ".", 1) if sep == "/" else token
        split_canonical(canonical)
        return canonical
    except ToolNameError as exc:
        return _malformed("", "invalid tool name", f"The tool name `{token}` is invalid: {exc}.")


def _final_step(text: str, markers: list[_Marker], index: int) -> ReactStep:
    """The answer runs to the end, unless a tool call the model should not have added follows it."""
    end = len(text)
    for i in range(index + 1, len(markers) - 1):
        if markers[i].key == "action" and markers[i + 1].key == "input":
            end = markers[i].start
            break
    answer = text[markers[index].body : end].strip()
    return _final_or_empty(_thought(text, markers, index), answer)


def _final_or_empty(thought: str, answer: str) -> ReactStep:
    if answer:
        return ReactFinal(thought, answer)
    return _malformed(thought, "Final Answer is empty", "Your `Final Answer:` was empty.")


def _undecided(text: str, markers: list[_Marker]) -> ReactMalformed:
    thought = _thought(text, markers, len(markers))
    keys = {marker.key for marker in markers}
    if "input" in keys:
        return _malformed(
            thought, "Action Input without Action", "Your response had `Action Input:` but no `Action:` line."
        )
    if markers and markers[0].key == "observation":
        return _malformed(
            thought,
            "Observation written by the model",
            "Your response started with `Observation:`; observations come from the tools, never from you.",
        )
    if "thought" in keys:
        return _malformed(
            thought,
            "no Action or Final Answer",
            "Your response had a `Thought:` but neither an `Action:` nor a `Final Answer:`.",
        )
    return _malformed(
        thought,
        "no ReAct format",
        "Your response did not follow the format: it had neither `Action:` nor `Final Answer:`.",
    )


def _malformed(thought: str, problem: str, what_was_wrong: str) -> ReactMalformed:
    return ReactMalformed(thought, problem, f"{what_was_wrong}\n\n{REACT_FORMAT}")
