"""The structural Kubernetes Secret masker (``kubernetes_secret``).

Regexes cannot tell a Secret's ``data:`` from a ConfigMap's, so this masker parses the text as JSON
or (multi-document) YAML and replaces the whole ``data`` / ``stringData`` value of every mapping
whose ``kind`` is ``Secret`` with ``[MASKED_SECRET_DATA]``. Key names go too: ``tls.key`` or
``db-password`` say what the Secret holds.

It finds Secrets at any depth (single objects, ``SecretList``/``List`` items, a Secret nested in a
tool's JSON envelope) and inside string values that themselves hold a manifest: the
``kubectl.kubernetes.io/last-applied-configuration`` annotation, or a whole manifest returned as a
JSON string. Only those spans change; everything else, ConfigMaps included, stays byte for byte.
Text that is neither JSON nor YAML is returned unchanged (the regexes still run after this).
"""

from __future__ import annotations

import json
import re
from typing import Final

from tarsy.masking.documents import (
    Node,
    ParseError,
    parse_json_documents,
    parse_yaml_documents,
    walk,
)

SECRET_DATA_PLACEHOLDER: Final = "[MASKED_SECRET_DATA]"

_QUOTED_PLACEHOLDER: Final = json.dumps(SECRET_DATA_PLACEHOLDER)
_SECRET_FIELDS: Final = frozenset({"data", "stringData"})
# Cheap pre-check: ``kind: Secret``, ``"kind": "Secret"``, ``\"kind\":\"Secret\"``... (SecretList too).
_SECRET_HINT: Final = re.compile(r"kind[^A-Za-z0-9]{1,64}Secret")
# How many manifests-inside-strings-inside-manifests we follow.
_MAX_EMBEDDING: Final = 3
_BLOCK_INDENT: Final = re.compile(r"(?:[ \t]*\n)*( +)")

Edit = tuple[int, int, str]


def mask_kubernetes_secrets(text: str) -> str:
    """Replace the ``data``/``stringData`` of every Kubernetes Secret in ``text``."""
    return _mask_document(text, 0)


def _mask_document(text: str, embedding: int) -> str:
    if "Secret" not in text or _SECRET_HINT.search(text) is None:
        return text
    if text.lstrip()[:1] in ("{", "[", '"'):
        try:
            roots = parse_json_documents(text)
        except ParseError:
            pass  # not JSON after all (e.g. a YAML flow mapping); try YAML
        else:
            return _apply(text, _edits(text, roots, embedding, in_yaml=False))
    try:
        roots = parse_yaml_documents(text)
        edits = _edits(text, roots, embedding, in_yaml=True)
    except ParseError:
        return text
    return _apply(text, edits)


def _edits(text: str, roots: list[Node], embedding: int, *, in_yaml: bool) -> list[Edit]:
    edits: list[Edit] = []
    replaced: set[int] = set()  # ids of data/stringData values already covered by an edit
    for node in walk(roots):
        if id(node) in replaced:
            continue
        if node.kind == "map" and _is_secret(node):
            for key, value in node.entries:
                if key.kind == "str" and key.value in _SECRET_FIELDS:
                    edits.append(_secret_field_edit(text, node, key, value, in_yaml=in_yaml))
                    replaced.update(id(inner) for inner in walk([value]))
        elif node.kind == "str" and embedding < _MAX_EMBEDDING:
            edit = _embedded_manifest_edit(text, node, embedding, in_yaml=in_yaml)
            if edit is not None:
                edits.append(edit)
    return edits


def _is_secret(node: Node) -> bool:
    return any(
        key.kind == "str" and key.value == "kind" and value.kind == "str" and value.value == "Secret"
        for key, value in node.entries
    )


def _secret_field_edit(text: str, mapping: Node, key: Node, value: Node, *, in_yaml: bool) -> Edit:
    if not in_yaml or mapping.flow:
        return value.start, value.end, _QUOTED_PLACEHOLDER
    # Block YAML: replace from the end of the key, so the value (possibly an indented block on the
    # following lines) becomes an inline scalar: ``data: "[MASKED_SECRET_DATA]"``.
    return key.end, _trim_end(text, key.end, value.end), ": " + _QUOTED_PLACEHOLDER


def _embedded_manifest_edit(text: str, node: Node, embedding: int, *, in_yaml: bool) -> Edit | None:
    original = node.value
    if original is None or "Secret" not in original:
        return None
    masked = _mask_document(original, embedding + 1)
    if masked == original:
        return None
    if not in_yaml:
        return node.start, node.end, json.dumps(masked, ensure_ascii=False)
    if node.style == "|":
        block = _literal_block_edit(text, node, original, masked)
        if block is not None:
            return block
    # A JSON string literal is also a valid YAML double-quoted scalar.
    return node.start, _trim_end(text, node.start, node.end), json.dumps(masked, ensure_ascii=False)


def _literal_block_edit(text: str, node: Node, original: str, masked: str) -> Edit | None:
    """Re-emit a ``|`` block scalar in the same style, as kubectl writes last-applied-configuration.

    Gives up (the caller falls back to a quoted scalar) when the block has an explicit indentation
    indicator or a comment on its header, when the new content would need one, or when its trailing
    newlines differ from the original's (the chomping indicator would then lie).
    """
    header_end = text.find("\n", node.start, node.end)
    if header_end < 0:
        return None
    header = text[node.start : header_end].rstrip()
    indent = _BLOCK_INDENT.match(text, header_end + 1)
    content = masked.rstrip("\n")
    if header not in ("|", "|-", "|+") or indent is None or not content or content[0] in " \t":
        return None
    if len(masked) - len(content) != len(original) - len(original.rstrip("\n")):
        return None
    body = "\n".join(indent.group(1) + line if line else "" for line in content.split("\n"))
    return node.start, _trim_end(text, header_end, node.end), f"{header}\n{body}"


def _trim_end(text: str, lower: int, end: int) -> int:
    """Move ``end`` back over trailing whitespace (block values own the line breaks after them)."""
    while end > lower and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _apply(text: str, edits: list[Edit]) -> str:
    if not edits:
        return text
    out: list[str] = []
    position = 0
    for start, end, replacement in sorted(edits):
        if start < position:
            raise ValueError("overlapping Secret masking edits")  # a bug here, never input
        out.append(text[position:start])
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)
