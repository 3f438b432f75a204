"""A small bounded cache whose entries expire: retried deliveries and remembered buttons."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, Tuple, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    """At most ``maxsize`` entries, each forgotten ``ttl_s`` seconds after it was set.

    Memory stays bounded whatever the traffic: the oldest entry is dropped first.

    >>> cache = TTLCache(maxsize=2, ttl_s=60)
    >>> cache.set("a", 1); cache.get("a")
    1
    """

    def __init__(
        self, maxsize: int, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.maxsize = maxsize
        self.ttl_s = ttl_s
        self._clock = clock
        self._items: "OrderedDict[Hashable, Tuple[float, V]]" = OrderedDict()

    def get(self, key: Hashable) -> Optional[V]:
        """The live value for ``key``, or None when absent or expired."""
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._clock():
            del self._items[key]
            return None
        return value

    def set(self, key: Hashable, value: V) -> None:
        """Store ``value``; it counts as the newest entry."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self.ttl_s, value)
        self._evict()

    def pop(self, key: Hashable) -> Optional[V]:
        """Remove ``key`` and return its live value (None when absent or expired)."""
        value = self.get(key)
        self._items.pop(key, None)
        return value

    def __len__(self) -> int:
        return len(self._items)

    def _evict(self) -> None:
        now = self._clock()
        # Entries are in insertion order, so expired ones sit at the front.
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now and len(self._items) <= self.maxsize:
                break
            del self._items[key]
