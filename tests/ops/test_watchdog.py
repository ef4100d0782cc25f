"""A worker whose consumer stops fetching restarts itself (ops.watchdog); a busy one, an idle
one and one whose broker is down do not."""

import logging
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from celery.worker import state

from ops import watchdog
from ops.logging import QuietPingsFilter
from ops.watchdog import EXIT_CODE, Watchdog, consumer_has_room
from tests.processes import RedisServer, process_env

ROOT = Path(__file__).resolve().parents[2]


class Broker:
    def __init__(self) -> None:
        self.up = True
        self.sent = 0

    def publish(self) -> None:
        if not self.up:
            raise ConnectionError("the broker is down")
        self.sent += 1


def dog(broker: Broker, room: list[bool] | None = None) -> Watchdog:
    room = room if room is not None else [True]
    return Watchdog(publish=broker.publish, has_room=lambda: room[0], misses_allowed=3)


def test_a_worker_that_receives_its_pings_is_never_stopped():
    broker = Broker()
    watch = dog(broker)
    for _ in range(50):
        assert watch.tick() is False
        watch.received()
    assert broker.sent == 50
    assert watch.misses == 0


def test_a_worker_that_receives_none_of_three_pings_with_room_for_them_is_stopped():
    watch = dog(Broker())
    verdicts = [watch.tick() for _ in range(4)]  # the first tick only sends the first ping
    assert verdicts == [False, False, False, True]
    assert watch.misses == 3


def test_one_ping_received_late_starts_the_count_again():
    watch = dog(Broker())
    for _ in range(3):
        watch.tick()
    assert watch.misses == 2
    watch.received()
    assert watch.tick() is False
    assert watch.misses == 0


def test_a_worker_without_room_is_busy_not_stuck():
    room = [False]  # its prefetch window is full of long drains
    watch = dog(Broker(), room)
    assert not any(watch.tick() for _ in range(20))
    assert watch.misses == 0
    room[0] = True  # a slot frees up: from now on a ping it does not take counts
    assert [watch.tick() for _ in range(4)] == [False, False, False, True]


def test_a_ping_counts_only_when_there_was_room_at_both_ends_of_the_wait():
    room = [True]
    watch = dog(Broker(), room)
    watch.tick()
    room[0] = False  # busy when the ping is judged
    watch.tick()
    room[0] = True  # ... and that ping was sent while busy: not judged either
    watch.tick()
    assert watch.misses == 0


def test_a_broker_that_is_down_is_no_verdict_on_the_consumer():
    broker = Broker()
    watch = dog(broker)
    broker.up = False
    assert not any(watch.tick() for _ in range(20))
    assert watch.misses == 0
    broker.up = True
    assert [watch.tick() for _ in range(4)] == [False, False, False, True]


class FakeQos:
    def __init__(self, value: int) -> None:
        self.value = value


class FakeConsumer:
    def __init__(self, prefetch: int | None) -> None:
        self.qos = None if prefetch is None else FakeQos(prefetch)


class FakeRequest:
    pass


def test_room_is_a_prefetch_window_not_yet_full():
    held = [FakeRequest(), FakeRequest()]
    for request in held:
        state.reserved_requests.add(request)
    try:
        assert consumer_has_room(FakeConsumer(prefetch=2))() is False
        assert consumer_has_room(FakeConsumer(prefetch=3))() is True
        assert consumer_has_room(FakeConsumer(prefetch=0))() is True  # no limit
        assert consumer_has_room(FakeConsumer(prefetch=None))() is True  # reconnecting
    finally:
        for request in held:
            state.reserved_requests.discard(request)


def test_stopping_asks_for_a_warm_shutdown_then_exits_if_the_worker_is_still_alive(
    monkeypatch,
):
    calls = []
    monkeypatch.setattr(watchdog.os, "kill", lambda pid, sig: calls.append(("kill", sig)))
    monkeypatch.setattr(watchdog.time, "sleep", lambda seconds: calls.append(("wait", seconds)))
    monkeypatch.setattr(watchdog.os, "_exit", lambda code: calls.append(("exit", code)))
    watchdog.stop_worker(grace=60, hostname="outbox@test", misses=3)
    assert calls == [("kill", signal.SIGTERM), ("wait", 60), ("exit", EXIT_CODE)]


def test_celerys_lines_about_pings_are_left_out_of_the_log_and_others_kept():
    quiet = QuietPingsFilter()

    def line(name):
        record = logging.LogRecord("celery.app.trace", logging.INFO, "", 0, "Task", (), None)
        record.data = {"name": name, "id": "1"}
        return record

    assert quiet.filter(line(watchdog.PING_TASK)) is False
    assert quiet.filter(line("tickets.tasks.evaluate_clocks")) is True
    assert quiet.filter(logging.LogRecord("ops", logging.INFO, "", 0, "x", (), None)) is True


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_a_real_worker_that_stops_consuming_stops_itself_and_an_idle_one_does_not(
    tmp_path, monkeypatch
):
    redis = RedisServer(tmp_path).start()
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)  # Celery prefers it to an app's own
    hostname = "outbox@watchdog-test"
    env = process_env(
        tmp_path,
        CELERY_BROKER_URL=redis.url,
        WORKER_WATCHDOG_INTERVAL=0.5,
        WORKER_WATCHDOG_MISSES=3,
        WORKER_WATCHDOG_GRACE=20,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "outbox,default",
         "--concurrency", "1", "--hostname", hostname, "--loglevel", "INFO",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = ""
    try:
        with Celery(broker=redis.url) as control:
            deadline = time.monotonic() + 30
            while not control.control.ping(destination=[hostname], timeout=0.5):
                assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(4)  # eight pings' worth of an idle, healthy worker (another process)
            assert worker.poll() is None
            # What the Redis consumer's failure looks like: alive, answering, fetching nothing.
            for queue in ("outbox", "default", f"{hostname}.dq2"):
                control.control.cancel_consumer(queue, destination=[hostname], reply=True)
            stopped_at = time.monotonic()
            worker.wait(timeout=30)
            took = time.monotonic() - stopped_at
    finally:
        if worker.poll() is None:
            worker.kill()
        output = worker.communicate(timeout=30)[0]
        redis.stop()
    assert worker.returncode == 0, output  # a warm shutdown, which systemd and compose restart
    assert took < 10, output
    assert output.count("ops.watchdog") == 1, output  # the one error line, none before
    assert "received none of its last 3 pings" in output
    assert "watchdog_ping[" not in output  # Celery's line per ping is left out of the log
