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

from tarsy.errors import TarsyError

NodeKind = Literal["map", "seq", "str", "other", "alias"]

# JSON is parsed recursively (two frames per level), so it stops well inside Python's stack.
_MAX_JSON_DEPTH: Final = 200
# How deep YAML may nest. libyaml spends quadratic time on deeply nested flow collections
# (``[[[[...``: ~1 s at 20,000), so those are checked before parsing; block nesting while building.
_MAX_YAML_DEPTH: Final = 512
_FLOW_BRACKETS: Final = re.compile(r"[\[\]{}]")
_JSON_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
_YAML_DOCUMENT_START: Final = re.compile(r"^---[ \t]*(?:\r?\n|$)", re.MULTILINE)
_JSON_DECODER: Final = json.JSONDecoder()
# libyaml's loader when PyYAML was built with it (much faster on large tool results).
_YAML_LOADER: Final[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ParseError(TarsyError):
    """The text is not a document of the expected kind (or nests deeper than we walk)."""

    code = "unparseable_document"


@dataclass(frozen=True, slots=True)
class Node:
    """A value and the ``[start, end)`` character span it occupies in the source text.

    ``flow`` is true for JSON and for YAML ``{...}``/``[...]`` collections; ``style`` is the YAML
    scalar style (``"|"``, ``">"``, ``"'"``, ``'"'`` or ``None`` when plain). An ``alias`` node is a
    YAML ``*ref``: a leaf spanning the reference, not the anchored value.
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
    if depth > _MAX_JSON_DEPTH:
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
    """Build the trees from parser events, iteratively.

    PyYAML's composer recurses once per nesting level, and with libyaml it does so in C: a tool
    result of a few hundred thousand ``[`` would crash the process. The event parser keeps its own
    stack, and so does this loop, which also caps the depth. Every scalar counts as a string: only
    strings that spell a key such as ``data`` or contain ``Secret`` matter here, and no other YAML
    type can.
    """
    _check_flow_depth(text)
    documents: list[Node] = []
    open_collections: list[tuple[NodeKind, int, bool, list[Node]]] = []
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                kind: NodeKind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
                open_collections.append((kind, offset + _index(event.start_mark), bool(event.flow_style), []))
                if len(open_collections) > _MAX_YAML_DEPTH:
                    raise ParseError("YAML nested too deeply")
                continue
            end = offset + _index(event.end_mark)
            if isinstance(event, yaml.CollectionEndEvent):
                kind, start, flow, children = open_collections.pop()
                node = _collection(kind, start, end, flow, children)
            elif isinstance(event, yaml.ScalarEvent):
                node = Node("str", offset + _index(event.start_mark), end, value=event.value, style=event.style or None)
            elif isinstance(event, yaml.AliasEvent):
                node = Node("alias", offset + _index(event.start_mark), end)
            else:
                continue  # stream and document boundaries
            (open_collections[-1][3] if open_collections else documents).append(node)
    except yaml.YAMLError as exc:
        raise ParseError("not YAML") from exc
    return documents


def _check_flow_depth(text: str) -> None:
    """Refuse text whose brackets nest too deep (counting brackets inside strings too: cheap and
    conservative, it only means such text is left to the regexes)."""
    depth = 0
    for match in _FLOW_BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > _MAX_YAML_DEPTH:
            raise ParseError("YAML flow collections nested too deeply")


def _index(mark: Any) -> int:
    if mark is None:  # only events built by hand lack marks; the parser always sets them
        raise ParseError("YAML event without a position")
    return int(mark.index)


def _collection(kind: NodeKind, start: int, end: int, flow: bool, children: list[Node]) -> Node:
    if kind == "seq":
        return Node("seq", start, end, flow=flow, items=tuple(children))
    pairs = tuple(zip(children[::2], children[1::2], strict=True))
    return Node("map", start, end, flow=flow, entries=pairs)
