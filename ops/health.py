"""What /healthz and /readyz check. /healthz: the process answers. /readyz: the database, the
broker and the cache answer; the SLA sweep ran less than SWEEP_MAX_AGE ago (beat and an `sla`
worker are alive); no due outbox row has waited longer than OUTBOX_MAX_LAG (senders are alive).
Each check is bounded by a short timeout, so a dead dependency makes the answer 503, not slow."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from ops.models import JobRun
from tickets.notifications.selectors import outbox_lag

SWEEP_TASK = "tickets.tasks.evaluate_clocks"
SWEEP_MAX_AGE = timedelta(minutes=2)


@dataclass
class Check:
    ok: bool
    ms: float
    detail: str = ""


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _timed(function) -> Check:
    started = time.perf_counter()
    try:
        ok, detail = function()
    except Exception as exc:  # any failure of a dependency is "not ready"
        ok, detail = False, type(exc).__name__
    return Check(ok=ok, ms=round((time.perf_counter() - started) * 1000, 1), detail=detail)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, ""


def _broker():
    url = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        return bool(_redis(url).ping()), ""
    if scheme == "filesystem":
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        return folder.is_dir(), ""
    if scheme == "memory":
        return True, ""
    return True, f"not checked: {scheme}"


def _cache():
    cache.set("ops:readyz", 1, timeout=10)
    return cache.get("ops:readyz") == 1, ""


def _sweep(now: datetime):
    finished = JobRun.objects.filter(task=SWEEP_TASK).values_list("finished_at", flat=True).first()
    if finished is None:
        return False, "the SLA sweep never ran"
    age = (now - finished).total_seconds()
    return now - finished < SWEEP_MAX_AGE, f"last run {round(age)} s ago"


def _outbox(now: datetime):
    lag = outbox_lag(now)
    if lag is None:
        return True, "nothing due"
    return lag < settings.OUTBOX_MAX_LAG, f"oldest due row waits {round(lag)} s"


def readiness(now: datetime) -> dict[str, Check]:
    return {
        "database": _timed(_database),
        "broker": _timed(_broker),
        "cache": _timed(_cache),
        "sla_sweep": _timed(lambda: _sweep(now)),
        "outbox": _timed(lambda: _outbox(now)),
    }
