"""Turning a ReAct ``Action Input:`` into tool arguments, whatever shape the model wrote it in.

Models are asked for a JSON object but also answer with YAML, ``key=value`` pairs, a bare value, or
JSON cut off by the token limit. The cascade below tries the strictest reading first so that a valid
JSON object is never reinterpreted, and it never raises: the last resort hands the text to the tool
as ``{"input": raw}``. ``read_action_input`` also says which reading won, so the ReAct parser can
tell "the model wrote prose" from "the model's JSON was cut off" and ask for a retry in the latter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml

Source = Literal["empty", "json", "repaired_json", "yaml", "pairs", "raw"]

# Answers that mean "this tool takes no arguments"; passing {"input": "None"} would fail validation.
_NO_INPUT = frozenset({"none", "null", "n/a", "no input", "(none)"})
_FENCE_OPEN = re.compile(r"\A(?P<fence>```|~~~)[\w+-]*[ \t]*\n?")
_KEY = r"[A-Za-z_][\w.-]*"
_PAIR = re.compile(rf"\s*[\"']?(?P<key>{_KEY})[\"']?\s*(?:=|:(?!//))\s*(?P<value>.*?)\s*")
_INT = re.compile(r"[-+]?(?:0|[1-9]\d*)")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class ActionInput:
    """Parsed arguments plus the reading that produced them."""

    arguments: dict[str, Any]
    source: Source


def parse_action_input(raw: str) -> dict[str, Any]:
    """The tool arguments for ``raw``; see ``read_action_input`` for the cascade."""
    return read_action_input(raw).arguments


def read_action_input(raw: str) -> ActionInput:
    """Try JSON object, JSON value, repaired JSON, YAML mapping, key/value pairs, then the raw text."""
    text = strip_fences(raw)
    if not text or text.lower() in _NO_INPUT:
        return ActionInput({}, "empty")
    parsed = _json_value(text)
    if parsed is not None:
        value = parsed[0]
        if value is None:
            return ActionInput({}, "empty")
        return ActionInput(value if isinstance(value, dict) else {"input": value}, "json")
    if text.startswith("{"):
        repaired = repair_json(text)
        if repaired is not None:
            return ActionInput(repaired, "repaired_json")
    mapping = _yaml_mapping(text)
    if mapping is not None:
        return ActionInput(mapping, "yaml")
    pairs = _pairs(text)
    if pairs is not None:
        return ActionInput(pairs, "pairs")
    return ActionInput({"input": text}, "raw")


def strip_fences(raw: str) -> str:
    """The text inside a markdown code fence (or inline backticks) around ``raw``.

    The closing fence may be missing when the output was truncated; prose after it is dropped.
    """
    text = raw.strip()
    opener = _FENCE_OPEN.match(text)
    if opener is None:
        if len(text) >= 2 and text[0] == text[-1] == "`":
            return text.strip("`").strip()
        return text
    body = text[opener.end() :]
    close = body.find(opener.group("fence"))
    return (body if close < 0 else body[:close]).strip()


def _json_value(text: str) -> tuple[Any] | None:
    """The JSON value in ``text`` (wrapped so that ``null`` is distinguishable from failure).

    An object may be followed by prose ("...and then I will wait"); anything else must be exact.
    """
    try:
        return (json.loads(text, parse_constant=_reject_constant),)
    except ValueError:
        pass
    if not text.startswith("{"):
        return None
    try:
        value, _end = json.JSONDecoder(parse_constant=_reject_constant).raw_decode(text)
    except ValueError:
        return None
    return (value,)


def _reject_constant(name: str) -> Any:
    """Refuse NaN and Infinity: Python accepts them, but no tool's JSON schema does."""
    raise ValueError(f"{name} is not JSON")


def repair_json(text: str) -> dict[str, Any] | None:
    """Close the strings, arrays and objects that output cut off by the token limit left open.

    Only closing is attempted, never guessing: a half-written key or literal stays unparseable, and
    so does any member the model did not finish, because a silently dropped filter (a namespace, a
    label selector) would change what the tool does.
    """
    if not text.startswith("{"):
        return None
    closed = _close(text)
    if closed is None:
        return None
    try:
        value = json.loads(closed, parse_constant=_reject_constant)
    except ValueError:
        return None
    return value if isinstance(value, dict) and value else None  # "{" alone recovered nothing


def _close(prefix: str) -> str | None:
    """``prefix`` with its open string and brackets closed, or None if it is not a JSON prefix."""
    stack: list[str] = []
    in_string = escaped = False
    for ch in prefix:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and (not stack or stack.pop() != ch):
            return None
    if in_string:  # a dangling backslash would escape the quote we add
        return (prefix[:-1] if escaped else prefix) + '"' + "".join(reversed(stack))
    return prefix.rstrip().rstrip(",") + "".join(reversed(stack))


class _CoreLoader(yaml.SafeLoader):
    """A safe loader with YAML 1.2 core scalars only.

    PyYAML's default YAML 1.1 rules turn ``on: yes`` into ``{True: True}``, ``12:30`` into 750 and
    ``2024-01-01`` into a ``date`` that JSON cannot carry; tool arguments need none of that.
    """

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry


_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]*\.[0-9]+|[0-9]+\.[0-9]*|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)
_CoreLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _yaml_mapping(text: str) -> dict[str, Any] | None:
    """A YAML mapping whose keys all look like argument names; prose such as "Note: ..." is refused."""
    try:
        value = yaml.load(text, Loader=_CoreLoader)  # a SafeLoader: builds plain data only
    except yaml.YAMLError:
        return None
    if not isinstance(value, dict) or not value:
        return None
    if not all(isinstance(key, str) and re.fullmatch(_KEY, key) for key in value):
        return None
    return value


def _pairs(text: str) -> dict[str, Any] | None:
    """``key: value`` or ``key=value`` per line, or ``a=1, b=2`` on one line; None if any line is not."""
    result: dict[str, Any] = {}
    for line in filter(None, (line.strip() for line in text.splitlines())):
        for part in _split_pairs(line):
            match = _PAIR.fullmatch(part)
            if match is None:
                return None
            result[match["key"]] = coerce_scalar(match["value"])
    return result or None


def _split_pairs(line: str) -> list[str]:
    """Split at top-level commas only when every piece is itself a pair, so values keep their commas."""
    pieces = [piece for piece in _top_level_split(line) if piece.strip()]
    if pieces and all(_PAIR.fullmatch(piece) for piece in pieces):
        return pieces
    return [line]


def _top_level_split(line: str) -> list[str]:
    """``line`` split at commas outside quotes and brackets (``a=1, msg="x, y", ids=[1, 2]``)."""
    pieces: list[str] = []
    depth, quote, start = 0, "", 0
    for index, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            pieces.append(line[start:index])
            start = index + 1
    pieces.append(line[start:])
    return pieces


def coerce_scalar(value: str) -> Any:
    """Read a value the way a person would: quoted string, number, boolean, null, JSON list or object."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value[:1] in ("[", "{"):
        parsed = _json_value(value)
        return value if parsed is None else parsed[0]
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "none", "~", ""):
        return None
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value
