"""Prometheus metrics (prometheus-client).

- Per process, recorded by the request middleware: request latency and count by view, method
  and status. Under gunicorn's several processes set PROMETHEUS_MULTIPROC_DIR (the client's
  multiprocess mode) and every process's samples are added up at scrape time.
- From the database at scrape time, so they hold whichever process or machine did the work
  (web, workers, beat): the SLA sweep's last duration and what it flagged, breaches by tier and
  priority, the outbox's depth and oldest unsent age, notifications sent and failing, e-mail
  ingested by outcome; and from the broker, the Celery queue lengths. Costly sums are kept for
  SCRAPE_CACHE seconds in the process.
"""

import logging
import os
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ops.health import SWEEP_TASK, _redis
from ops.models import JobRun
from tickets.models import Clock
from tickets.notifications.models import InboundEmail, InboundStatus, Notification

logger = logging.getLogger(__name__)
SCRAPE_CACHE = 30.0
QUEUES = ("sla", "outbox", "default")

REQUESTS = Counter(
    "http_requests_total", "HTTP requests by view, method and status", ["view", "method", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by view",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


class DatabaseCollector:
    """Gauges and counters computed from the database (and the broker) at scrape time."""

    def __init__(self) -> None:
        self._cached: tuple[float, list] | None = None

    def collect(self):
        now = time.monotonic()
        if self._cached and now - self._cached[0] < SCRAPE_CACHE:
            slow = self._cached[1]
        else:
            slow = list(self._slow())
            self._cached = (now, slow)
        yield from slow
        yield from self._fast()

    def _fast(self):
        moment = timezone.now()
        sweep = JobRun.objects.filter(task=SWEEP_TASK).first()
        duration = GaugeMetricFamily("sla_sweep_duration_seconds", "Duration of the last SLA sweep")
        age = GaugeMetricFamily("sla_sweep_age_seconds", "Seconds since the last SLA sweep ended")
        flagged = GaugeMetricFamily(
            "sla_clocks_flagged", "Clocks flagged by the last SLA sweep", labels=["kind"]
        )
        rescued = GaugeMetricFamily(
            "outbox_rescued",
            "Notifications the last SLA sweep sent itself because no sender had taken them",
        )
        if sweep is not None:
            duration.add_metric([], sweep.duration)
            rescued.add_metric([], float((sweep.result or {}).get("rescued", 0)))
            if sweep.finished_at:
                age.add_metric([], (moment - sweep.finished_at).total_seconds())
            for kind in ("breached", "at_risk"):
                flagged.add_metric([kind], float((sweep.result or {}).get(kind, 0)))
        yield from (duration, age, flagged, rescued)

        unsent = Notification.objects.filter(sent_at__isnull=True)
        depth = GaugeMetricFamily("outbox_depth", "Unsent notifications", labels=["channel"])
        failing = GaugeMetricFamily(
            "notifications_failing",
            "Unsent notifications that failed at least once",
            labels=["channel"],
        )
        for row in unsent.values("channel").annotate(
            total=Count("pk"), failed=Count("pk", filter=Q(attempts__gt=0))
        ):
            depth.add_metric([row["channel"]], row["total"])
            failing.add_metric([row["channel"]], row["failed"])
        oldest = unsent.aggregate(oldest=Min("created_at"))["oldest"]
        oldest_age = GaugeMetricFamily(
            "outbox_oldest_unsent_age_seconds", "Age of the oldest unsent notification"
        )
        oldest_age.add_metric([], (moment - oldest).total_seconds() if oldest else 0.0)
        yield from (depth, failing, oldest_age)

        queue = GaugeMetricFamily(
            "celery_queue_length", "Tasks waiting in a queue", labels=["queue"]
        )
        if urlsplit(settings.CELERY_BROKER_URL).scheme in ("redis", "rediss"):
            try:
                client = _redis(settings.CELERY_BROKER_URL)
                for name in QUEUES:
                    queue.add_metric([name], client.llen(name))
            except Exception:  # the broker is down: /readyz says so; no sample here
                logger.debug("no queue lengths: the broker does not answer", exc_info=True)
        yield queue

    def _slow(self):
        breaches = CounterMetricFamily(
            "sla_breaches", "SLA clocks breached, by tier and priority", labels=["tier", "priority"]
        )
        rows = (
            Clock.objects.filter(breached_at__isnull=False)
            .values("ticket__contract__tier__code", "ticket__priority")
            .annotate(total=Count("pk"))
        )
        for row in rows:
            breaches.add_metric(
                [row["ticket__contract__tier__code"], row["ticket__priority"]], row["total"]
            )
        sent = CounterMetricFamily(
            "notifications_sent", "Notifications delivered", labels=["channel", "event"]
        )
        for row in (
            Notification.objects.filter(sent_at__isnull=False, skipped="")
            .values("channel", "event")
            .annotate(total=Count("pk"))
        ):
            sent.add_metric([row["channel"], row["event"]], row["total"])
        ingested = CounterMetricFamily(
            "emails_ingested", "E-mail received, by outcome", labels=["action"]
        )
        for row in InboundEmail.objects.values("status", "action").annotate(total=Count("pk")):
            action = "failed" if row["status"] == InboundStatus.FAILED else row["action"]
            ingested.add_metric([action], row["total"])
        return [breaches, sent, ingested]


_database = DatabaseCollector()


def render() -> tuple[bytes, str]:
    """The exposition text of this process (or of all processes in multiprocess mode) and of
    the database-derived metrics."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(_database)
    return output + generate_latest(database), CONTENT_TYPE_LATEST
