"""The one mapping between TARSy tool names (``server.tool``) and LLM function names (``server__tool``).

Inside TARSy a tool is named canonically as ``<server id>.<tool name>``: prompts, timelines, masking
and the ReAct parser all use that form. Native function calling cannot: OpenAI and Gemini accept
function names made of ``[a-zA-Z0-9_-]`` only, at most 64 characters, and Gemini wants the first one
to be a letter or ``_``. Every translation goes through this module so that the two spellings cannot
drift apart.

The rule, chosen so that ``from_wire(to_wire(name)) == name`` for every name ``to_wire`` accepts:

* **Server ids** (the keys of ``mcp_servers``) start with a letter and contain only letters, digits,
  ``-`` and single ``_`` (no ``__``, no trailing ``_``, no ``.``). They are copied verbatim and
  never escaped, so a wire name splits unambiguously at its *first* ``__``.
* **Tool names** (chosen by the MCP server, so not ours to restrict) may contain any character,
  including ``.`` and ``__``; the canonical name splits at its *first* ``.``. A tool name made only
  of ``[a-zA-Z0-9_-]`` is copied verbatim (``pods_list``, ``get-events``), which keeps the common
  case readable for the model. Any other tool name — or one that happens to start with the escape
  marker ``_x_`` — is written as ``_x_`` followed by the name with every character outside
  ``[a-zA-Z0-9-]`` (``_`` included) spelled ``_<lowercase hex code point>_``: ``pods.list`` becomes
  ``_x_pods_2e_list``.
* A name whose wire form would exceed 64 characters is refused rather than truncated: a truncated
  name could not be mapped back without a lookup table.

``from_wire`` accepts exactly the strings ``to_wire`` produces, so the mapping is a bijection.
"""

from __future__ import annotations

import re

from tarsy.errors import TarsyError

WIRE_SEPARATOR = "__"
CANONICAL_SEPARATOR = "."
MAX_WIRE_LENGTH = 64
ESCAPE_PREFIX = "_x_"

SERVER_ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9-]*(?:_[A-Za-z0-9-]+)*")
_PLAIN_TOOL = re.compile(r"[A-Za-z0-9_-]+")
_KEPT_IN_ESCAPE = re.compile(r"[A-Za-z0-9-]")
_ESCAPED_TOOL = re.compile(r"(?:[A-Za-z0-9-]|_[0-9a-f]{1,6}_)+")
_ESCAPE = re.compile(r"_([0-9a-f]{1,6})_")


class ToolNameError(TarsyError, ValueError):
    """A tool name that is neither a valid canonical (``server.tool``) nor wire (``server__tool``) name.

    A ``ValueError`` too, as ``int("x")`` raises one: it refuses a malformed value.
    """

    code = "invalid_tool_name"


def split_canonical(name: str) -> tuple[str, str]:
    """Split ``server.tool`` at the first ``.``; the tool part may itself contain dots."""
    server, dot, tool = name.partition(CANONICAL_SEPARATOR)
    if not dot:
        raise ToolNameError(
            f"tool name {name!r} has no server: TARSy tool names are 'server.tool', e.g. 'kubernetes.pods_list'"
        )
    check_server_id(server)
    if not tool:
        raise ToolNameError(f"tool name {name!r} has an empty tool part after {server + '.'!r}")
    return server, tool


def join_canonical(server: str, tool: str) -> str:
    """Build ``server.tool``, checking both parts the way ``split_canonical`` would."""
    name = f"{server}{CANONICAL_SEPARATOR}{tool}"
    split_canonical(name)
    return name


def check_server_id(server: str) -> str:
    """Return ``server`` if it can be used as a server id, else raise with the rule spelled out."""
    if not SERVER_ID_PATTERN.fullmatch(server):
        raise ToolNameError(
            f"server id {server!r} is invalid: it must start with a letter and contain only letters, "
            "digits, '-' and single '_' (no '.', no '__', no trailing '_')"
        )
    return server


def to_wire(canonical: str) -> str:
    """``server.tool`` → ``server__tool``, escaping the tool part if the function charset needs it."""
    server, tool = split_canonical(canonical)
    wire = f"{server}{WIRE_SEPARATOR}{_escape_tool(tool)}"
    if len(wire) > MAX_WIRE_LENGTH:
        raise ToolNameError(
            f"tool name {canonical!r} is too long: its function name {wire!r} has {len(wire)} characters, "
            f"the limit is {MAX_WIRE_LENGTH}"
        )
    return wire


def from_wire(wire: str) -> str:
    """``server__tool`` → ``server.tool``; only accepts names that ``to_wire`` could have produced."""
    server, sep, wire_tool = wire.partition(WIRE_SEPARATOR)
    if not sep:
        raise ToolNameError(f"function name {wire!r} has no '__' between the server id and the tool name")
    check_server_id(server)
    if not wire_tool:
        raise ToolNameError(f"function name {wire!r} has an empty tool part after '__'")
    canonical = f"{server}{CANONICAL_SEPARATOR}{_unescape_tool(wire, wire_tool)}"
    expected = to_wire(canonical)
    if expected != wire:
        raise ToolNameError(f"function name {wire!r} is not in canonical form (expected {expected!r})")
    return canonical


def _escape_tool(tool: str) -> str:
    if _PLAIN_TOOL.fullmatch(tool) and not tool.startswith(ESCAPE_PREFIX):
        return tool
    return ESCAPE_PREFIX + "".join(ch if _KEPT_IN_ESCAPE.fullmatch(ch) else f"_{ord(ch):x}_" for ch in tool)


def _unescape_tool(wire: str, wire_tool: str) -> str:
    if not wire_tool.startswith(ESCAPE_PREFIX):
        if not _PLAIN_TOOL.fullmatch(wire_tool):
            raise ToolNameError(f"function name {wire!r} contains characters outside [a-zA-Z0-9_-]")
        return wire_tool
    body = wire_tool[len(ESCAPE_PREFIX) :]
    if not _ESCAPED_TOOL.fullmatch(body):
        raise ToolNameError(f"function name {wire!r} has a malformed escape after {ESCAPE_PREFIX!r}")
    try:
        return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), body)
    except (ValueError, OverflowError):
        raise ToolNameError(f"function name {wire!r} escapes a code point that does not exist") from None
