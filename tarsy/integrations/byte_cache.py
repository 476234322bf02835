"""A small LRU cache with a time to live, bounded by the total size of what it holds."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Entry:
    expires: float
    size: int
    value: Any


class ByteBoundedCache:
    """Entries expire after ``ttl``; the least recently used go first when ``max_bytes`` would be
    exceeded. A value larger than the whole budget is not kept at all."""

    def __init__(self, *, ttl: float, max_bytes: int, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def get(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self._clock():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, key: str, value: Any, size: int) -> None:
        if key in self._entries:
            self._drop(key)
        if size > self._max_bytes:
            return
        now = self._clock()
        for expired in [k for k, e in self._entries.items() if e.expires <= now]:
            self._drop(expired)
        while self._entries and self._bytes + size > self._max_bytes:
            self._drop(next(iter(self._entries)))
        self._entries[key] = _Entry(now + self._ttl, size, value)
        self._bytes += size

    def _drop(self, key: str) -> None:
        self._bytes -= self._entries.pop(key).size
