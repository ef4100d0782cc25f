"""A Celery worker that stops taking tasks while its process lives on restarts itself.

Celery's Redis consumer is known to come back from a broker outage connected but no longer
fetching (celery/celery#8091, #9054, #10205, #10302, the last on 5.6): the worker answers as a
live process, and only a restart brings it back. For the SLA worker that means no breach is
flagged until someone notices; for a sender, that its alerts wait for the sweep's safety net.

A thread of the worker's main process sends a no-op task (`PING_TASK`) to the worker's own queue
every WORKER_WATCHDOG_INTERVAL seconds (`worker_direct`: no other worker consumes it, and it
travels the same way as every task) and looks at whether the consumer received one since the
last tick. A ping counts as missed only when it was published (a broker that is down is Celery's
to reconnect to, not a stuck consumer) and the worker had room for it at both ends of the wait (a
worker whose prefetch window is full of long drains is busy, not stuck). After
WORKER_WATCHDOG_MISSES misses in a row it logs an error and stops the worker as SIGTERM does (a
warm shutdown: running tasks finish), and exits it outright if it is still alive
WORKER_WATCHDOG_GRACE seconds later. systemd (Restart=always) and compose (restart:
unless-stopped) start it again; a fresh consumer fetches again.
"""

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from celery.signals import task_received, worker_ready, worker_shutting_down
from django.conf import settings

logger = logging.getLogger("ops.watchdog")

PING_TASK = "ops.tasks.watchdog_ping"
EXIT_CODE = 70  # EX_SOFTWARE: the worker did not stop after the watchdog asked it to


@dataclass
class Watchdog:
    """The decision, without threads or a broker (each tick is called by the thread below)."""

    publish: Callable[[], None]  # sends one ping; raises when the broker refuses it
    has_room: Callable[[], bool]  # the consumer may fetch one more message now
    misses_allowed: int
    misses: int = 0
    _waiting: bool = False  # a ping was published at the last tick
    _room_then: bool = False
    _received: threading.Event = field(default_factory=threading.Event)

    def received(self) -> None:
        """The consumer received a ping (called from the consumer's thread)."""
        self._received.set()

    def tick(self) -> bool:
        """Judge the last ping, send the next; True when the worker must be restarted."""
        if self._received.is_set():
            self.misses = 0
        elif self._waiting and self._room_then and self.has_room():
            self.misses += 1
        self._received.clear()
        self._room_then = self.has_room()
        try:
            self.publish()
        except Exception as exc:  # the broker is down: no verdict until it is back
            logger.warning("watchdog: could not publish a ping: %s", exc)
            self._waiting = False
        else:
            self._waiting = True
        return self.misses >= self.misses_allowed


def consumer_has_room(consumer) -> Callable[[], bool]:
    """Whether `consumer` may fetch now: fewer requests reserved than its prefetch window (its
    `qos` value, 0 for no limit)."""
    from celery.worker import state

    def has_room() -> bool:
        qos = getattr(consumer, "qos", None)
        limit = qos.value if qos is not None else 0
        return not limit or len(state.reserved_requests) < limit

    return has_room


def stop_worker(*, grace: float, hostname: str, misses: int) -> None:
    logger.error(
        "watchdog: the worker received none of its last %d pings while it had room for them;"
        " stopping it so that it is restarted",
        misses,
        extra={"worker": hostname, "misses": misses},
    )
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace)
    logger.error("watchdog: the worker did not stop within %s s; exiting", grace)
    logging.shutdown()
    os._exit(EXIT_CODE)


_stop = threading.Event()  # set when the worker shuts down: no verdict during a shutdown
_current: Watchdog | None = None


def _run(watchdog: Watchdog, *, interval: float, grace: float, hostname: str) -> None:
    while not _stop.wait(interval):
        if watchdog.tick() and not _stop.is_set():
            stop_worker(grace=grace, hostname=hostname, misses=watchdog.misses)
            return


@worker_ready.connect(dispatch_uid="ops.watchdog.start")
def start(sender=None, **kwargs) -> None:
    """Start the watchdog thread in a worker's main process (sender: its consumer)."""
    global _current
    interval = settings.WORKER_WATCHDOG_INTERVAL
    if not interval or sender is None or not sender.app.conf.worker_direct:
        return
    from celery.utils.nodenames import worker_direct

    app, hostname = sender.app, sender.hostname
    own_queue = worker_direct(hostname)
    _stop.clear()
    _current = Watchdog(
        publish=lambda: app.send_task(PING_TASK, queue=own_queue, expires=interval * 2),
        has_room=consumer_has_room(sender),
        misses_allowed=settings.WORKER_WATCHDOG_MISSES,
    )
    threading.Thread(
        target=_run,
        args=(_current,),
        kwargs={
            "interval": interval,
            "grace": settings.WORKER_WATCHDOG_GRACE,
            "hostname": hostname,
        },
        name="watchdog",
        daemon=True,
    ).start()


@task_received.connect(dispatch_uid="ops.watchdog.received")
def ping_received(request=None, **kwargs) -> None:
    if _current is not None and request is not None and request.name == PING_TASK:
        _current.received()


@worker_shutting_down.connect(dispatch_uid="ops.watchdog.stop")
def stop(**kwargs) -> None:
    _stop.set()
