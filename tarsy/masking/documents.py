"""Position-aware parse trees of JSON and YAML text, so a document can be edited in place.

The Secret masker replaces a few spans (``data:`` sections, embedded manifests) and leaves every
other byte as it was. Re-serialising the document instead (as the Go rewrite does) would reorder
keys, drop comments and reformat ConfigMaps that were never meant to change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

import yaml

NodeKind = Literal["map", "seq", "str", "other", "alias"]

_MAX_DEPTH: Final = 256
_YAML_STR_TAG: Final = "tag:yaml.org,2002:str"
_JSON_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
_YAML_DOCUMENT_START: Final = re.compile(r"^---[ \t]*(?:\r?\n|$)", re.MULTILINE)
_JSON_DECODER: Final = json.JSONDecoder()
# libyaml's loader when PyYAML was built with it (much faster on large tool results).
_YAML_LOADER: Final[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ParseError(ValueError):
    """The text is not a document of the expected kind (or nests deeper than we walk)."""


@dataclass(frozen=True, slots=True)
class Node:
    """A value and the ``[start, end)`` character span it occupies in the source text.

    ``flow`` is true for JSON and for YAML ``{...}``/``[...]`` collections; ``style`` is the YAML
    scalar style (``"|"``, ``">"``, ``"'"``, ``'"'`` or ``None`` when plain). An ``alias`` node is a
    YAML ``*ref``: its span is that of the anchored node, not of the reference.
    """

    kind: NodeKind
    start: int
    end: int
    flow: bool = True
    value: str | None = None
    style: str | None = None
    entries: tuple[tuple[Node, Node], ...] = ()
    items: tuple[Node, ...] = ()


def parse_json_documents(text: str) -> list[Node]:
    """Parse one JSON value, or several separated by whitespace (NDJSON, concatenated output)."""
    documents: list[Node] = []
    position = _skip_json_whitespace(text, 0)
    while position < len(text):
        node, position = _json_value(text, position, 0)
        documents.append(node)
        position = _skip_json_whitespace(text, position)
    if not documents:
        raise ParseError("no JSON value")
    return documents


def parse_yaml_documents(text: str) -> list[Node]:
    """Parse every document of a (multi-document) YAML stream.

    If the stream as a whole does not parse, each ``---``-separated document is tried on its own
    and the ones that fail are skipped: tool output often puts prose (``kubectl describe``) and
    YAML manifests in one text. Raises ``ParseError`` only when no document parses.
    """
    try:
        return _compose(text, 0)
    except ParseError:
        starts = [0, *(match.end() for match in _YAML_DOCUMENT_START.finditer(text) if match.start())]
        if len(starts) == 1:
            raise
    documents: list[Node] = []
    parsed_any = False
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        try:
            documents.extend(_compose(text[start:end], start))
        except ParseError:
            continue
        parsed_any = True
    if not parsed_any:
        raise ParseError("no YAML document parses")
    return documents


def walk(roots: list[Node]) -> Iterator[Node]:
    """Every node, parents before children; mapping keys are not visited."""
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        yield node
        if node.kind == "map":
            stack.extend(value for _, value in reversed(node.entries))
        elif node.kind == "seq":
            stack.extend(reversed(node.items))


def _skip_json_whitespace(text: str, position: int) -> int:
    match = _JSON_WHITESPACE.match(text, position)
    return match.end() if match else position


def _json_value(text: str, position: int, depth: int) -> tuple[Node, int]:
    if depth > _MAX_DEPTH:
        raise ParseError("JSON nested too deeply")
    opener = text[position : position + 1]
    if opener == "{":
        return _json_object(text, position, depth)
    if opener == "[":
        return _json_array(text, position, depth)
    try:
        value, end = _JSON_DECODER.raw_decode(text, position)
    except ValueError as exc:
        raise ParseError("not JSON") from exc
    if isinstance(value, str):
        return Node("str", position, end, value=value), end
    return Node("other", position, end), end


def _json_object(text: str, start: int, depth: int) -> tuple[Node, int]:
    entries: list[tuple[Node, Node]] = []
    position = _skip_json_whitespace(text, start + 1)
    if text.startswith("}", position):
        return Node("map", start, position + 1), position + 1
    while True:
        if not text.startswith('"', position):
            raise ParseError("expected a JSON object key")
        key, position = _json_value(text, position, depth + 1)
        position = _skip_json_whitespace(text, position)
        if not text.startswith(":", position):
            raise ParseError("expected ':' in a JSON object")
        value, position = _json_value(text, _skip_json_whitespace(text, position + 1), depth + 1)
        entries.append((key, value))
        position = _skip_json_whitespace(text, position)
        if text.startswith(",", position):
            position = _skip_json_whitespace(text, position + 1)
        elif text.startswith("}", position):
            return Node("map", start, position + 1, entries=tuple(entries)), position + 1
        else:
            raise ParseError("expected ',' or '}' in a JSON object")


def _json_array(text: str, start: int, depth: int) -> tuple[Node, int]:
    items: list[Node] = []
    position = _skip_json_whitespace(text, start + 1)
    if text.startswith("]", position):
        return Node("seq", start, position + 1), position + 1
    while True:
        item, position = _json_value(text, position, depth + 1)
        items.append(item)
        position = _skip_json_whitespace(text, position)
        if text.startswith(",", position):
            position = _skip_json_whitespace(text, position + 1)
        elif text.startswith("]", position):
            return Node("seq", start, position + 1, items=tuple(items)), position + 1
        else:
            raise ParseError("expected ',' or ']' in a JSON array")


def _compose(text: str, offset: int) -> list[Node]:
    try:
        roots = list(yaml.compose_all(text, Loader=_YAML_LOADER))
    except yaml.YAMLError as exc:
        raise ParseError("not YAML") from exc
    seen: set[int] = set()
    return [_from_yaml(root, seen, offset, 0) for root in roots if root is not None]


def _from_yaml(node: yaml.Node, seen: set[int], offset: int, depth: int) -> Node:
    if depth > _MAX_DEPTH:
        raise ParseError("YAML nested too deeply")
    start, end = offset + node.start_mark.index, offset + node.end_mark.index
    if id(node) in seen:
        # The composer hands back the anchored node itself for every ``*ref``.
        return Node("alias", start, end)
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        entries = tuple(
            (_from_yaml(key, seen, offset, depth + 1), _from_yaml(value, seen, offset, depth + 1))
            for key, value in node.value
        )
        return Node("map", start, end, flow=bool(node.flow_style), entries=entries)
    if isinstance(node, yaml.SequenceNode):
        items = tuple(_from_yaml(item, seen, offset, depth + 1) for item in node.value)
        return Node("seq", start, end, flow=bool(node.flow_style), items=items)
    if isinstance(node, yaml.ScalarNode) and node.tag == _YAML_STR_TAG:
        return Node("str", start, end, value=node.value, style=node.style or None)
    return Node("other", start, end)
