"""Token buckets: how many requests a sender or an IP address may make.

A bucket holds up to ``burst`` tokens and refills at ``rate_per_s``; each request takes one.
A person typing never empties a bucket of 20 with one token a second; a script does.

Single node (default, ``rate_limit_backend="memory"``): the buckets live in the gateway
process (`RateLimiter`). Cluster (``"redis"``, set by `bot.stack.cluster`): they live in the Redis
the cluster already runs (`RedisRateLimiter`, one Lua script per request, so the refill and
the take are one atomic step on Redis's clock), so several gateways share one limit instead
of each granting its own. If Redis cannot be reached a request is let through (and logged):
the limit protects Rasa, and refusing everyone would be the outage it guards against.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Optional, Protocol, Union

logger = logging.getLogger(__name__)

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

    async def take(self, key: str) -> float:
        """`retry_after` with the interface `RedisRateLimiter` has."""
        return self.retry_after(key)

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


# KEYS[1]: the bucket (hash: tokens, ts); ARGV: burst, tokens per second, idle expiry (s).
# Redis's own clock (TIME), so gateways whose clocks differ still share one bucket.
TOKEN_BUCKET_LUA = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(saved[1]) or burst
local ts = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
elseif rate > 0 then
  wait = (1 - tokens) / rate
else
  wait = 3600
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return tostring(wait)
"""


class RedisRateLimiter:
    """The same buckets in Redis, shared by every gateway that uses the same ``prefix``."""

    def __init__(self, redis: Any, prefix: str, rate_per_min: float, burst: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.rate_per_s = rate_per_min / 60.0
        self.burst = float(burst)
        # A bucket idle long enough to be full again is dropped: the next request starts full.
        self.idle_s = max(60, math.ceil(self.burst / self.rate_per_s) + 1) if self.rate_per_s > 0 else 86400
        self._script = redis.register_script(TOKEN_BUCKET_LUA)

    async def take(self, key: str) -> float:
        """Spend a token for ``key``: 0.0 when allowed, else the seconds to wait."""
        from redis.exceptions import RedisError

        try:
            wait = await self._script(keys=[self.prefix + key], args=[self.burst, self.rate_per_s, self.idle_s])
        except (RedisError, OSError) as error:
            logger.warning("rate limit not checked (Redis: %s); letting the request through", error)
            return 0.0
        return float(wait)


class Limiter(Protocol):
    async def take(self, key: str) -> float: ...


_redis_clients: dict = {}


def build_limiter(settings: Any, name: str, rate_per_min: float, burst: int) -> Union[RateLimiter, RedisRateLimiter]:
    """The limiter the settings ask for: in memory, or in the cluster's Redis (``name`` keeps
    the kinds of bucket apart, e.g. ``ip`` and ``sender``)."""
    if settings.rate_limit_backend != "redis":
        return RateLimiter(rate_per_min, burst)
    return RedisRateLimiter(_redis(settings), f"policybot:rate:{name}:", rate_per_min, burst)


def _redis(settings: Any) -> Any:
    import redis.asyncio

    key = (settings.redis_host, settings.redis_port, settings.redis_rate_limit_db)
    if key not in _redis_clients:
        _redis_clients[key] = redis.asyncio.Redis(
            host=settings.redis_host, port=settings.redis_port, password=settings.redis_password or None,
            db=settings.redis_rate_limit_db, socket_timeout=0.5, socket_connect_timeout=0.5,
        )
    return _redis_clients[key]
