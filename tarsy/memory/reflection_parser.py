"""Reading a reflection model's answer: ``{create, reinforce, deprecate}``, however messily wrapped.

Models fence their JSON, add prose around it, spell keys differently (``memory_id``, ``text``),
give a bare id instead of an object, invent categories or ids. The parser keeps what it can use and
reports the rest in ``dropped``: an unknown or repeated id, a category outside the vocabulary (with
no close match), an empty or over-long text, anything past the per-kind limit. Only an answer with
no JSON object at all is refused (:class:`ReflectionParseError`); an object with nothing to do is a
valid answer (nothing learnt).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from tarsy.config.memory import MEMORY_CATEGORIES
from tarsy.errors import AgentError
from tarsy.json_objects import json_objects

Scope = Literal["alert_type", "any"]
MAX_REASON_CHARS: Final = 500
_KEYS: Final = ("create", "reinforce", "deprecate")


class ReflectionParseError(AgentError):
    """The answer held no JSON object to read."""


@dataclass(frozen=True)
class NewMemoryProposal:
    content: str
    category: str
    scope: Scope = "alert_type"
    """``alert_type``: recalled for the session's alert type only; ``any``: for every alert type."""


@dataclass(frozen=True)
class Deprecation:
    memory_id: str
    reason: str


@dataclass(frozen=True)
class ReflectionPlan:
    create: list[NewMemoryProposal] = field(default_factory=list)
    reinforce: list[str] = field(default_factory=list)
    deprecate: list[Deprecation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """What the answer proposed that was not taken, each with why."""

    @property
    def empty(self) -> bool:
        return not (self.create or self.reinforce or self.deprecate)


def _lowered(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower().replace(" ", "_").replace("-", "_"): v for k, v in obj.items()}


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _category(value: Any) -> str | None:
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if text in MEMORY_CATEGORIES:
        return text
    close = [c for c in MEMORY_CATEGORIES if text and (c.startswith(text) or text.startswith(c))]
    return close[0] if len(close) == 1 else None


def _proposal(item: Any, max_chars: int) -> NewMemoryProposal | str:
    """A proposal, or why it was dropped."""
    obj = _lowered(item) if isinstance(item, dict) else {"content": item}
    content = " ".join(str(obj.get("content") or obj.get("text") or obj.get("memory") or "").split())
    if not content:
        return "create: an entry without content"
    if len(content) > max_chars:
        content = content[: max_chars - 1].rstrip() + "…"
    category = _category(obj.get("category") or obj.get("type"))
    if category is None:
        return f"create: category {str(obj.get('category'))[:40]!r} is not one of {', '.join(MEMORY_CATEGORIES)}"
    scope_text = str(obj.get("scope") or obj.get("alert_type") or "").strip().lower()
    scope: Scope = "any" if scope_text in ("any", "all", "global", "*") else "alert_type"
    return NewMemoryProposal(content, category, scope)


def _memory_id(item: Any) -> str:
    if isinstance(item, dict):
        obj = _lowered(item)
        return str(obj.get("id") or obj.get("memory_id") or "").strip()
    return str(item or "").strip()


def _known(kind: str, item: Any, known: Collection[str], seen: set[str]) -> tuple[str, str | None]:
    """``(id, None)`` for a known memory not acted on yet in this answer, else ``("", why it was dropped)``."""
    memory_id = _memory_id(item)
    if memory_id not in known:
        return "", f"{kind}: unknown memory id {memory_id[:60]!r}"
    if memory_id in seen:
        return "", f"{kind}: memory {memory_id} is already reinforced or deprecated by this answer"
    seen.add(memory_id)
    return memory_id, None


def _creates(items: list[Any], max_chars: int, dropped: list[str]) -> list[NewMemoryProposal]:
    kept: list[NewMemoryProposal] = []
    for item in items:
        proposal = _proposal(item, max_chars)
        if isinstance(proposal, str):
            dropped.append(proposal)
        else:
            kept.append(proposal)
    return kept


def _deprecations(
    items: list[Any], known_ids: Collection[str], seen: set[str], dropped: list[str]
) -> list[Deprecation]:
    kept: list[Deprecation] = []
    for item in items:
        memory_id, problem = _known("deprecate", item, known_ids, seen)
        if problem is not None:
            dropped.append(problem)
            continue
        reason = _lowered(item).get("reason") if isinstance(item, dict) else None
        kept.append(Deprecation(memory_id, " ".join(str(reason or "contradicted").split())[:MAX_REASON_CHARS]))
    return kept


def parse_reflection(text: str, known_ids: Collection[str], *, max_actions: int, max_chars: int) -> ReflectionPlan:
    """The plan in a model's answer; ``known_ids`` are the memories it was shown (the only ones it may touch)."""
    objects = [_lowered(o) for o in json_objects(text)]
    usable = [o for o in objects if any(k in o for k in _KEYS)]
    if not usable:
        if objects:
            return ReflectionPlan(dropped=["the answer's JSON has none of create, reinforce, deprecate"])
        raise ReflectionParseError("the reflection model's answer holds no JSON object")
    obj, dropped, seen = usable[0], list[str](), set[str]()
    create = _creates(_items(obj.get("create")), max_chars, dropped)
    reinforce: list[str] = []
    for item in _items(obj.get("reinforce")):
        memory_id, problem = _known("reinforce", item, known_ids, seen)
        if problem is not None:
            dropped.append(problem)
        else:
            reinforce.append(memory_id)
    deprecate = _deprecations(_items(obj.get("deprecate")), known_ids, seen, dropped)
    for kind, kept in (("create", create), ("reinforce", reinforce), ("deprecate", deprecate)):
        if len(kept) > max_actions:
            dropped.append(f"{kind}: {len(kept) - max_actions} over the limit of {max_actions}")
            del kept[max_actions:]
    return ReflectionPlan(create, reinforce, deprecate, dropped)
