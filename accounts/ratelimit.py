"""Fixed-window rate limits kept in the cache, for requests that send e-mail (password reset)."""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimitUnavailable(Exception):
    """The cache cannot be reached, so the count cannot be kept."""


def parse_rate(rate: str) -> tuple[int, int]:
    """ "3/h" -> (3, 3600)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


def rate_limit_hit(scope: str, ident: str, rate: str, *, now: float | None = None) -> bool:
    """Count one request of `ident` in `scope`; True while within `rate`. Raises
    RateLimitUnavailable when the cache fails, for the caller to decide (fail open or closed)."""
    limit, period = parse_rate(rate)
    window = int((now if now is not None else time.time()) // period)
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        cache.add(key, 0, timeout=period + 1)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    except Exception as exc:
        logger.error("Rate limit %s cannot be counted, the cache is unreachable: %r", scope, exc)
        raise RateLimitUnavailable from exc
    return count <= limit
