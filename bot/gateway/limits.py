"""In-memory token buckets: how many requests a sender or an IP address may make.

A bucket holds up to ``burst`` tokens and refills at ``rate_per_s``; each request takes one.
A person typing never empties a bucket of 20 with one token a second; a script does. The
buckets live in one gateway process: with several gateway replicas each enforces its own
share, which is enough to protect Rasa from one noisy client.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Optional

# What a sender who is over the limit is told, on the web chat and in WeChat alike.
SENDER_LIMIT_TEXT = "您发消息太快了，请 {seconds} 秒后再发。"


def whole_seconds(wait: float) -> int:
    """A wait rounded up to whole seconds, at least 1 (an endless wait is shown as an hour).

    >>> whole_seconds(0.2), whole_seconds(59.1)
    (1, 60)
    """
    return max(1, math.ceil(min(wait, 3600.0)))


def sender_limit_text(wait: float) -> str:
    """The Chinese reply to a sender who must wait ``wait`` seconds.

    >>> sender_limit_text(2.5)
    '您发消息太快了，请 3 秒后再发。'
    """
    return SENDER_LIMIT_TEXT.format(seconds=whole_seconds(wait))


@dataclass
class TokenBucket:
    """One client's allowance; ``take()`` spends a token or says how long to wait."""

    burst: float
    rate_per_s: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """0.0 when a token was spent, else the seconds until one is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate_per_s)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate_per_s if self.rate_per_s > 0 else float("inf")


class RateLimiter:
    """Token buckets keyed by client, with a bounded number of keys (oldest idle forgotten).

    Forgetting a key only ever gives that client a fresh, full bucket, so the bound costs
    at most a little leniency toward someone who went quiet, never a wrong refusal.
    """

    def __init__(
        self,
        rate_per_min: float,
        burst: int,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_per_s = rate_per_min / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: "OrderedDict[str, TokenBucket]" = OrderedDict()

    def retry_after(self, key: str) -> float:
        """Spend a token for ``key``: 0.0 when allowed, else the seconds to wait."""
        now = self.clock()
        bucket = self._bucket(key, now)
        return bucket.take(now)

    def _bucket(self, key: str, now: float) -> TokenBucket:
        bucket: Optional[TokenBucket] = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.burst, self.rate_per_s, self.burst, now)
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket
