"""The secret-leak check: a scenario's secrets must reach no model, no stored record, no answer.

A leak is reported by where it was found and by the secret's index (``secrets[0]``), never by the
value itself, so a results file can be published.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, is_dataclass
from typing import Any

from tarsy.evals.scenario import secret_forms
from tarsy.nodes.memory_recorder import MemoryRecorder


def strings(value: Any) -> Iterator[str]:
    """Every string inside ``value`` (mappings: keys and values; sequences; dataclasses)."""
    if isinstance(value, str):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        yield from strings(asdict(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings(item)


def stored_texts(recorder: MemoryRecorder) -> dict[str, list[str]]:
    """What the run stored, by place: the timeline and the model and tool interactions."""
    return {
        "timeline": list(strings(list(recorder.timeline.values()))),
        "stored llm interaction": list(strings(recorder.llm_calls)),
        "stored tool interaction": list(strings(recorder.mcp_calls)),
    }


def find_leaks(secrets: list[str], places: Mapping[str, Iterable[str]]) -> list[str]:
    """``"<place>: secrets[i]"`` for every secret (plain or base64) found in a place's texts."""
    leaks: list[str] = []
    for place, texts in places.items():
        joined = "\n".join(texts)
        for i, secret in enumerate(secrets):
            if any(form in joined for form in secret_forms(secret)):
                leaks.append(f"{place}: secrets[{i}]")
    return leaks
