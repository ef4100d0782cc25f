"""A repeatable fault campaign on the production shape, on this machine's real services.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/support_portal \\
        python bench/faults.py [--short] [--breaches N] [--duration S]

It works in a PostgreSQL database of its own (`<name of DATABASE_URL>_faults`, made anew) and
starts its own processes on free ports of 127.0.0.1: a redis-server (broker and cache), an SMTP
server that logs what it receives (bench/smtp_sink.py), gunicorn (2 workers), two Celery
workers (one for the `sla` queue, one for `outbox,default`) and one beat. Breaches are planned:
N clocks fall due during the run (a burst early on, the rest spread out), each alerting two
managers; a load thread opens tickets through the API all along (each acknowledged by e-mail).

Faults, in order: kill -9 of the sending worker's process while it sends; Redis stopped and
restarted; the SMTP server stopped, then restarted; the SMTP server hung (SIGSTOP) then resumed;
the app's database connections terminated (pg_terminate_backend, this database only); the
sending worker frozen for good (SIGSTOP: a consumer that stops consuming), so that what is
still due goes out through the SLA sweep's safety net (OUTBOX_RESCUE_BUDGET); then the SLA
worker's consumer stopped while its process lives on (a remote cancel_consumer of its queues: how
Celery's Redis consumer can come back from an outage), which its watchdog (ops.watchdog) must
notice and end. Like the production units, the script starts a worker again when it exits
(the report names each exit); a stalled worker that never exits fails the run.

It prints what was lost, duplicated or late (each flag and each delivery), and, when the run
fails, the sending slots, the broker's queues and the workers' last log lines. It exits 1 when a
breach or an alert is lost, an alert reaches a recipient twice beyond the one message a kill -9
may re-send by design (docs/spec.md), or a breach is flagged more than two minutes late.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
MANAGERS = ["manager1@faults.test", "manager2@faults.test"]
REPORTER = "reporter@faults.test"
PASSWORD = "faults-pass-2026"
FLAG_LATE_LIMIT = 120.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="about 5 minutes (CI)")
    parser.add_argument("--breaches", type=int, default=2000, help="clocks that fall due")
    parser.add_argument("--duration", type=int, default=480, help="seconds of load and faults")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--throughput",
        action="store_true",
        help="no faults and no load: every breach falls due at once; how fast do alerts go out",
    )
    parser.add_argument("--managers", type=int, default=2, help="recipients of each alert")
    parser.add_argument(
        "--senders", type=int, default=2, help="pool processes of the sending worker"
    )
    args = parser.parse_args()
    if args.short:
        args.breaches, args.duration = 300, 200
    MANAGERS[:] = [f"manager{n}@faults.test" for n in range(1, args.managers + 1)]
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def log(message: str) -> None:
    print(f"[{datetime.now(tz=UTC):%H:%M:%S}] {message}", flush=True)


# --- the database --------------------------------------------------------------------------------


def campaign_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("bench/faults.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = (parsed.path.lstrip("/") or "support_portal") + "_faults"
    return urlunparse(parsed._replace(path=f"/{name}"))


def fresh_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def terminate_connections(url: str) -> int:
    """pg_terminate_backend of every connection to the campaign's database (no other)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return len(rows)


def seed(*, breaches: int, start: datetime, duration: int, burst_only: bool = False) -> dict:
    """Users, a contract, and `breaches` tickets with a running response clock due during the
    run: a third in a burst 20 s in (a backlog for the kill -9), the rest spread out."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from contracts.models import (
        Contract,
        ContractStatus,
        Customer,
        LicenceType,
        Product,
        ProductVersion,
        SupportContact,
    )
    from core.roles import MANAGER
    from sla.models import HolidayCalendar, Metric, Tier
    from tickets.models import Clock, SlaState, Ticket

    users = get_user_model().objects
    managers = Group.objects.get(name=MANAGER)
    for email in MANAGERS:
        users.create_user(email, PASSWORD, is_staff=True, language="en").groups.add(managers)
    customer = Customer.objects.create(name_en="Faults Ltd.", language="en")
    reporter = users.create_user(REPORTER, PASSWORD, customer=customer, language="en")
    contract = Contract.objects.create(
        number="FAULTS-7X24",
        customer=customer,
        tier=Tier.objects.get(code="7x24"),
        licence_type=LicenceType.SUBSCRIPTION,
        starts_on=(start - timedelta(days=30)).date(),
        ends_on=(start + timedelta(days=365)).date(),
        calendar=HolidayCalendar.objects.get(code="CN"),
        status=ContractStatus.ACTIVE,
    )
    product = Product.objects.create(code="faults", name="Faults", commercially_supported=True)
    contract.products.add(product)
    version = ProductVersion.objects.create(
        product=product,
        name="5.0",
        end_of_maintenance=(start + timedelta(days=365)).date(),
        end_of_support=(start + timedelta(days=730)).date(),
    )
    SupportContact.objects.create(contract=contract, user=reporter, phone="+86 1")
    burst = breaches if burst_only else breaches // 3
    spread = breaches - burst
    window = max(duration - 60, 30)
    dues = [start + timedelta(seconds=20)] * burst + [
        start + timedelta(seconds=30 + window * i / max(spread, 1)) for i in range(spread)
    ]
    tickets = Ticket.objects.bulk_create(
        Ticket(
            contract=contract,
            product=product,
            version=version,
            priority="P2",
            original_priority="P2",
            reporter=reporter,
            subject=f"planned breach {n}",
            description="fault campaign",
            opened_at=due - timedelta(hours=2),
            on_duty_name="Duty",
            on_duty_phone="+86 1",
            unmodified_build=True,
        )
        for n, due in enumerate(dues)
    )
    Clock.objects.bulk_create(
        Clock(
            ticket=ticket,
            metric=Metric.RESPONSE,
            state=SlaState.RUNNING,
            started_at=due - timedelta(hours=2),
            target_amount=2,
            target_unit="hours",
            due_at=due,
        )
        for ticket, due in zip(tickets, dues, strict=True)
    )
    return {"contract": contract.number, "product": product.code, "version": version.name}


# --- processes --------------------------------------------------------------------------------


class Processes:
    def __init__(self, workdir: Path, url: str, senders: int = 2) -> None:
        self.senders = senders
        self.workdir = workdir
        self.redis_port, self.smtp_port, self.web_port = free_port(), free_port(), free_port()
        self.smtp_log = workdir / "smtp.jsonl"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            "DJANGO_VAR_DIR": str(workdir / "var"),
            "DATABASE_URL": url,
            "DATABASE_CONN_MAX_AGE": "60",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "EMAIL_TIMEOUT": "5",
            "AXES_ENABLED": "false",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            # Retries every 10 s, 20 s, 40 s ... so that the run converges within minutes.
            "OUTBOX_RETRY_BASE": "10",
            "OUTBOX_RETRY_MAX": "60",
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
        }
        (workdir / "metrics").mkdir()
        self.running: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.frozen: set[str] = set()
        # (worker, its exit code, when) for each restart, as systemd's Restart=always does it
        self.restarts: list[tuple[str, int, float]] = []
        self.hostnames = {"worker-sla": "sla@faults", "worker-outbox": "outbox@faults"}
        self.queues = {"worker-sla": ("sla",), "worker-outbox": ("outbox", "default")}
        self.stalled: dict[str, float] = {}  # worker -> when its consumer was stopped
        self.supervisor_stop = threading.Event()
        self.supervisor: threading.Thread | None = None

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        out = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (the process's own log)
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
        )
        self.running[name] = process
        self.commands[name] = command
        return process

    def supervise(self) -> None:
        """Start a worker again when it exits (the production units restart them), until
        stop_all; a frozen worker is left as it is."""

        def watch() -> None:
            while not self.supervisor_stop.wait(1):
                for name in ("worker-sla", "worker-outbox"):
                    process = self.running.get(name)
                    if name in self.frozen or process is None or process.poll() is None:
                        continue
                    self.restarts.append((name, process.returncode, time.monotonic()))
                    self._start(name, self.commands[name])

        self.supervisor = threading.Thread(target=watch, daemon=True)
        self.supervisor.start()

    def start_redis(self) -> None:
        self._start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
        )  # fmt: skip
        wait_port(self.redis_port)

    def start_smtp(self) -> None:
        self._start("smtp", [PYTHON, "bench/smtp_sink.py", str(self.smtp_port), str(self.smtp_log)])
        wait_port(self.smtp_port)

    def start_all(self) -> None:
        self.start_redis()
        self.start_smtp()
        self._start(
            "web",
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.web_port}",
             "--workers", "2", "--timeout", "30", "--config", "deploy/gunicorn.conf.py"],
        )  # fmt: skip
        celery = [PYTHON, "-m", "celery", "-A", "config"]
        for name, concurrency in (("worker-sla", 1), ("worker-outbox", self.senders)):
            self._start(
                name,
                [*celery, "worker", "-Q", ",".join(self.queues[name]), "--concurrency",
                 str(concurrency), "--hostname", self.hostnames[name], "--without-gossip",
                 "--without-mingle"],
            )  # fmt: skip
        self._start(
            "beat",
            [*celery, "beat", "--schedule", str(self.workdir / "celerybeat-schedule")],
        )
        wait_port(self.web_port)
        self.supervise()

    def pool_children(self, name: str) -> list[int]:
        parent = self.running[name].pid
        children = Path(f"/proc/{parent}/task/{parent}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self, name: str, sig=signal.SIGTERM) -> None:
        process = self.running.get(name)
        if process is not None and process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def freeze(self, name: str) -> None:
        """SIGSTOP a worker and its pool: what a consumer that stops consuming looks like from
        outside, with any delivery in flight held. It is never resumed (stop_all kills it), so
        a held delivery cannot go out after the safety net has sent its row."""
        for pid in [self.running[name].pid, *self.pool_children(name)]:
            os.kill(pid, signal.SIGSTOP)
        self.frozen.add(name)

    def stop_all(self) -> None:
        self.supervisor_stop.set()
        if self.supervisor is not None:
            self.supervisor.join(timeout=10)
        for name in ("beat", "worker-sla", "worker-outbox", "web", "smtp", "redis"):
            process = self.running.get(name)
            if process is not None and process.poll() is None:
                if name in self.frozen:
                    for pid in [*self.pool_children(name), process.pid]:
                        os.kill(pid, signal.SIGKILL)
                    process.wait()
                    continue
                if name == "smtp":
                    process.send_signal(signal.SIGCONT)
                self.stop(name)


# --- load --------------------------------------------------------------------------------------


class Load(threading.Thread):
    """Opens a ticket through the API every `interval` seconds; keeps what was acknowledged."""

    def __init__(self, base: str, ticket: dict, interval: float) -> None:
        super().__init__(daemon=True)
        self.base, self.ticket, self.interval = base, ticket, interval
        self.stop_event = threading.Event()
        self.created: list[tuple[int, str]] = []
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []
        self.token = ""

    def _call(self, path: str, body: dict, headers: dict | None = None):
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
            method="POST",
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, {}
        except OSError:
            status, payload = 0, {}
        self.latencies.append(time.monotonic() - started)
        self.statuses[status] += 1
        return status, payload

    def run(self) -> None:
        while not self.token and not self.stop_event.is_set():
            status, payload = self._call(
                "/api/v1/auth/token/", {"username": REPORTER, "password": PASSWORD}
            )
            self.token = payload.get("token", "")
            if not self.token:
                time.sleep(1)
        n = 0
        while not self.stop_event.wait(self.interval):
            n += 1
            subject = f"load ticket {n}"
            status, payload = self._call(
                "/api/v1/tickets/",
                {**self.ticket, "priority": "P3", "subject": subject, "description": "load",
                 "unmodified_build": True, "on_duty_name": "Duty", "on_duty_phone": "+86 1"},
                {"Authorization": f"Token {self.token}"},
            )  # fmt: skip
            if status == 201:
                self.created.append((payload["id"], subject))


# --- the campaign ------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"p50 {statistics.median(values):.1f} s, p95 {pct(values, 95):.1f} s, "
        f"max {max(values):.1f} s"
    )


def note(events: list[str], event: str) -> None:
    events.append(event)
    log(event)


def faults(procs: Processes, url: str, start: float, events: list[str], duration: int) -> int:
    """The fault schedule; returns how many kill -9 hit a worker that was sending."""
    kills = 0

    def at(second: float) -> None:
        delay = start + second - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    from django.db import connection

    from tickets.notifications.models import Notification

    scale = duration / 200
    at(20 * scale)
    # kill -9 while a delivery is in flight (a row claimed, not yet marked sent): every pool
    # process of the sending worker, each of which may hold one such row.
    in_flight = Notification.objects.filter(sent_at__isnull=True).exclude(claimed_by="")
    deadline = time.monotonic() + 60 * scale
    while time.monotonic() < deadline and not in_flight.exists():
        time.sleep(0.02)
    children = procs.pool_children("worker-outbox")
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    kills = len(children)
    note(events, f"kill -9 of the sending worker's {len(children)} pool processes mid-send")
    at(45 * scale)
    procs.stop("redis", signal.SIGKILL)
    note(events, "Redis stopped (queued tasks lost)")
    at(60 * scale)
    procs.start_redis()
    note(events, "Redis restarted")
    at(75 * scale)
    procs.stop("smtp")
    note(events, "SMTP server stopped")
    at(95 * scale)
    procs.start_smtp()
    note(events, "SMTP server restarted")
    at(105 * scale)
    procs.running["smtp"].send_signal(signal.SIGSTOP)
    note(events, "SMTP server hung (SIGSTOP)")
    at(130 * scale)
    procs.running["smtp"].send_signal(signal.SIGCONT)
    note(events, "SMTP server resumed (SIGCONT)")
    at(140 * scale)
    count = terminate_connections(url)
    connection.close()  # the bench's own connection was one of them
    note(events, f"pg_terminate_backend: {count} connections of the app terminated")
    at(150 * scale)
    procs.freeze("worker-outbox")
    note(events, "sending worker frozen (SIGSTOP of it and its pool) for the rest of the run")
    at(165 * scale)
    stall_consumer(procs, "worker-sla")
    note(events, "SLA worker's consumer stopped fetching (remote cancel_consumer; it lives on)")
    return kills


def stall_consumer(procs: Processes, name: str) -> None:
    """What Celery's Redis consumer looks like when it comes back from an outage connected but
    no longer fetching (ops.watchdog): the process lives and answers, and takes no task."""
    from celery import Celery

    hostname = procs.hostnames[name]
    with Celery(broker=procs.env["CELERY_BROKER_URL"]) as control:
        for queue in (*procs.queues[name], f"{hostname}.dq2"):
            control.control.cancel_consumer(queue, destination=[hostname], reply=True)
    procs.stalled[name] = time.monotonic()


def main() -> int:
    args = parse_args()
    url = campaign_url(args.database_url)
    fresh_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tickets.models import Clock
    from tickets.notifications.models import Notification

    call_command("migrate", verbosity=0)
    workdir = Path(tempfile.mkdtemp(prefix="faults-"))
    procs = Processes(workdir, url, senders=args.senders)
    planned_start = datetime.now(tz=UTC) + timedelta(seconds=25)
    ticket = seed(
        breaches=args.breaches,
        start=planned_start,
        duration=args.duration,
        burst_only=args.throughput,
    )
    connection.close()
    load_avg = os.getloadavg()
    log(f"database {urlparse(url).path.lstrip('/')}, {args.breaches} planned breaches, "
        f"load average {load_avg[0]:.2f}; logs in {workdir}")  # fmt: skip
    events: list[str] = []
    load = None
    kills = 0
    try:
        procs.start_all()
        load = Load(f"http://127.0.0.1:{procs.web_port}", ticket, interval=0.5)
        if not args.throughput:
            load.start()
        delay = (planned_start - datetime.now(tz=UTC)).total_seconds()
        time.sleep(max(delay, 0))
        log("campaign starts")
        if not args.throughput:
            kills = faults(procs, url, time.monotonic(), events, args.duration)
        remaining = (planned_start + timedelta(seconds=args.duration)) - datetime.now(tz=UTC)
        time.sleep(max(remaining.total_seconds(), 0))
        load.stop_event.set()
        if load.is_alive():
            load.join(timeout=60)
        log("load stopped; waiting for the outbox to drain")
        # Enough for the retries after the faults, and for a big burst at ~50 deliveries/s.
        deadline = time.monotonic() + 300 + args.breaches * len(MANAGERS) / 50
        while time.monotonic() < deadline:
            unsent = Notification.objects.filter(sent_at__isnull=True).count()
            due = Clock.objects.filter(breached_at__isnull=True, due_at__lte=datetime.now(tz=UTC))
            if not unsent and not due.exists():
                break
            connection.close()
            time.sleep(5)
        state = snapshot(procs)
    finally:
        if load is not None:
            load.stop_event.set()
        procs.stop_all()
    failed = report(args, load, kills, events, procs, planned_start)
    if failed:
        explain(state, procs)
    return failed


def _json_line(line: str) -> dict:
    try:
        entry = json.loads(line)
    except ValueError:
        return {}
    return entry if isinstance(entry, dict) else {}


def process_log(procs: Processes, name: str) -> str:
    path = procs.workdir / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def snapshot(procs: Processes) -> dict:
    """What the services held when the wait ended: the sending slots, the broker's queues and
    whether each process is alive (printed when the run fails, since CI keeps no logs)."""
    import redis
    from django.utils import timezone

    from tickets.notifications.models import DrainSlot

    now = timezone.now()
    slots = [
        f"{number}: " + (f"busy {(until - now).total_seconds():+.0f} s" if until else "free")
        for number, until in DrainSlot.objects.values_list("number", "busy_until")
    ]
    try:
        broker = redis.Redis(port=procs.redis_port, socket_timeout=2)
        queues = {name: broker.llen(name) for name in ("sla", "outbox", "default")}
        queues["unacked"] = broker.hlen("unacked")
    except redis.RedisError as exc:
        queues = {"error": str(exc)}
    alive = {name: p.poll() is None for name, p in procs.running.items()}
    return {"slots": slots, "queues": queues, "alive": alive}


def explain(state: dict, procs: Processes, lines: int = 40) -> None:
    """Print the state at the end and the last log lines of the workers and beat."""
    print(f"   at the end: slots {state['slots']}; broker queues {state['queues']}; "
          f"processes alive {state['alive']}")  # fmt: skip
    for name in ("worker-outbox", "worker-sla", "beat"):
        text = process_log(procs, name).splitlines()
        kept = [line[:300] for line in text if "not delivered" not in line and line.strip()]
        print(f"   --- last {lines} lines of {name}.log (without per-row delivery failures)")
        for line in kept[-lines:]:
            print(f"   {line}")


def report(args, load, kills, events, procs, start) -> int:
    from tickets.models import Clock, ClockAlert, Ticket
    from tickets.notifications.models import Notification

    failures = []
    end = datetime.now(tz=UTC)
    clocks = list(Clock.objects.filter(due_at__lte=end).values("pk", "due_at", "breached_at"))
    lost_flags = [c["pk"] for c in clocks if c["breached_at"] is None]
    flag_late = [
        (c["breached_at"] - c["due_at"]).total_seconds() for c in clocks if c["breached_at"]
    ]
    very_late = [x for x in flag_late if x > FLAG_LATE_LIMIT]

    arrivals = [json.loads(line) for line in procs.smtp_log.read_text().splitlines() if line]
    alert_due = dict(ClockAlert.objects.values_list("pk", "clock__due_at"))
    expected_alerts = {(m, pk) for pk in alert_due for m in MANAGERS}
    got = Counter((a["to"], int(a["alert"])) for a in arrivals if a["alert"])
    missing = expected_alerts - set(got)
    waiting = set(
        Notification.objects.filter(alert__isnull=False, sent_at__isnull=True).values_list(
            "address", "alert_id"
        )
    )
    pending = missing & waiting  # still in the outbox when the run ended: late, not lost
    lost_alerts = missing - waiting
    duplicates = {key: n for key, n in got.items() if n > 1}
    delivery_late = []
    first_seen = {}
    for a in arrivals:
        if a["alert"]:
            key = (a["to"], int(a["alert"]))
            first_seen.setdefault(key, a["t"])
    for (_to, pk), t in first_seen.items():
        delivery_late.append(t - alert_due[pk].timestamp())

    created = load.created if load else []
    stored = Counter(
        Ticket.objects.filter(subject__startswith="load ticket").values_list("subject", flat=True)
    )
    lost_tickets = [s for _pk, s in created if stored[s] == 0]
    doubled_tickets = [s for s, n in stored.items() if n > 1]
    acks = {int(a["ticket"]) for a in arrivals if a["to"] == REPORTER and a["ticket"]}
    lost_acks = [pk for pk, _s in created if pk not in acks]
    unsent = Notification.objects.filter(sent_at__isnull=True).count()
    sent_times = sorted(a["t"] for a in arrivals)
    alert_times = sorted(a["t"] for a in arrivals if a["alert"])
    flagged = [c["breached_at"].timestamp() for c in clocks if c["breached_at"]]
    span = (sent_times[-1] - sent_times[0]) if len(sent_times) > 1 else 0

    print()
    print("== fault campaign" + (" (short)" if args.short else ""))
    for event in events:
        print(f"   fault: {event}")
    requests = sum(load.statuses.values()) if load else 0
    statuses = dict(load.statuses) if load else {}
    p95 = pct(load.latencies, 95) * 1000 if load else 0
    print(f"   load: {requests} API requests, statuses {statuses}, p95 {p95:.0f} ms; "
          f"{len(created)} tickets acknowledged")  # fmt: skip
    print(f"   tickets: {len(lost_tickets)} acknowledged but not stored, {len(doubled_tickets)} "
          f"stored twice; {len(lost_acks)} without their acknowledgement e-mail")  # fmt: skip
    print(f"   breaches: {len(clocks)} due, {len(clocks) - len(lost_flags)} flagged, "
          f"{len(lost_flags)} lost; lateness of flags: {summary(flag_late)}")  # fmt: skip
    arrived = len(expected_alerts) - len(lost_alerts)
    doubled = sum(n - 1 for n in duplicates.values())
    print(f"   alerts: {len(expected_alerts)} expected deliveries, {arrived} arrived, "
          f"{len(pending)} still in the outbox at the end, {len(lost_alerts)} lost, "
          f"{doubled} duplicate; "
          f"lateness after the due time: {summary(delivery_late)}")  # fmt: skip
    print(f"   mail: {len(arrivals)} messages in {span:.0f} s; outbox rows still unsent: {unsent}")
    rescues = [
        int(m.group(1))
        for m in re.finditer(r"the SLA sweep sent (\d+) rows", process_log(procs, "worker-sla"))
    ]
    print(f"   safety net: {len(rescues)} sweeps found the outbox behind and sent "
          f"{sum(rescues)} rows themselves")  # fmt: skip
    if alert_times and flagged:
        took = alert_times[-1] - min(flagged)
        print(f"   alerts out: {len(alert_times)} alert e-mails within {took:.0f} s of the first "
              f"flag ({len(alert_times) / max(took, 1):.0f}/s)")  # fmt: skip
    for name, code, when in procs.restarts:
        stalled = procs.stalled.get(name)
        if stalled is not None and when >= stalled:
            print(f"   watchdog: {name} exited {when - stalled:.0f} s after its consumer stopped "
                  f"fetching (code {code}) and was started again")  # fmt: skip
        else:
            # A crash that the production units restart as the script did (e.g. kombu's
            # AttributeError while it closes a channel after Redis vanished): reported, and
            # judged by what it lost or delayed, like every other fault.
            crashes = [
                entry.get("message", "")
                for line in process_log(procs, name).splitlines()
                if '"CRITICAL"' in line and (entry := _json_line(line))
            ]
            why = f": {crashes[-1][:200]}" if crashes else ""
            print(f"   restart: {name} exited on its own (code {code}) and was started "
                  f"again{why}")  # fmt: skip
    for name, stalled in procs.stalled.items():
        if not any(worker == name and when >= stalled for worker, _code, when in procs.restarts):
            failures.append(f"{name} stopped fetching and was never restarted")
    if lost_flags:
        failures.append(f"{len(lost_flags)} breaches never flagged")
    if very_late:
        failures.append(f"{len(very_late)} breaches flagged more than {FLAG_LATE_LIMIT:.0f} s late")
    if lost_alerts:
        failures.append(f"{len(lost_alerts)} alert deliveries lost")
    if pending:
        failures.append(f"{len(pending)} alert deliveries not made by the end of the run")
    extra = sum(n - 1 for n in duplicates.values())
    if extra > kills:
        failures.append(f"{extra} alerts delivered twice (a kill -9 may re-send at most one)")
    if lost_tickets or doubled_tickets:
        failures.append("acknowledged tickets lost or stored twice")
    if lost_acks:
        failures.append(f"{len(lost_acks)} acknowledgements lost")
    print("== " + ("FAILED: " + "; ".join(failures) if failures else "passed: nothing lost"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
