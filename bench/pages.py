"""Benchmark every page of the staff desk, the customer portal and the API on a big database.

    python bench/pages.py [--short] [--tickets 100000] [--customer-tickets 10000]
                          [--repeat 100] [--budget 60] [--only desk,portal,api] [--keep]
                          [--database-url postgres://...]

Fills a database of its own (bench/deskdata.py: templates through the ORM, copies by SQL) with
`--tickets` tickets, `--customer-tickets` of them for the bench customer, 1,000 for each other
customer, three SLA clocks, two messages and one history entry each, an alert outbox, and one
long thread (60 messages, attachments, history) on a ticket of the bench customer assigned to
the desk user. Then each page of PAGES is requested with Django's test Client (the whole
middleware and template stack, no network), as the desk user (staff, superuser) or as the bench
customer's named contact: a few warm-up requests, one with the queries counted, then `--repeat`
timed ones (fewer, 5 at least, once a page has spent `--budget` seconds: column n).

Prints, per page, the median and 95th percentile of the wall time and of the CPU time of this
process (with SQLite that includes the database's work; with PostgreSQL the server's CPU is not
in it), the query count and, for lists, the rows shown; then the goal line (p95 < 50 ms on every
page). A page that does not answer 200 stops the run with its status (exit 2); the goal is
reported, never asserted (exit 0 either way).

SQLite by default, in var/support_portal_bench_desk.sqlite3 (rebuilt on every run); with
--database-url or DATABASE_URL pointing at PostgreSQL, in the database `<its name>_bench_desk`
on that server (dropped and rebuilt; the database named in the URL is never touched).
`--short`: 20,000 tickets (2,000 for the customer), 20 requests per page; `--keep` reuses the
database of the previous run.

Staff login: `client.force_login`; as django-otp guards the desk (TOTP for staff), the desk user
also gets a confirmed TOTP device, stored in the session with `django_otp.login` as after a
correct code: a verified session. With another two-factor library, adjust `login()`; a staff
page answering 302 to a login or verification page stops the run. Requests go over HTTPS
(`secure=True`), as production serves every page.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass

from benchdb import database_name, prepare_database, setup_django

GOAL_P95_MS = 50.0
WARM_UP = 3
BUDGET_S = 60.0  # seconds of timed requests per page, at most (MIN_SAMPLES at least)
MIN_SAMPLES = 5


@dataclass(frozen=True)
class Page:
    """One page as a person opens it. `path` may name {busy} (the long-thread ticket) and {me}
    (the desk user's id). `per_page` sets the list's ModelAdmin.list_per_page for this page
    (the desk's own value otherwise)."""

    group: str  # desk | portal | api
    name: str
    path: str
    who: str  # staff | customer
    per_page: int | None = None


DESK_LIST = "/admin/tickets/ticket/"
# Add a page here and every bench that uses PAGES measures it.
PAGES = [
    Page("desk", "desk home", "/admin/", "staff"),
    Page("desk", "ticket list, 25 rows", DESK_LIST, "staff", per_page=25),
    Page("desk", "ticket list, 100 rows", DESK_LIST, "staff", per_page=100),
    Page("desk", "ticket list, filtered (breached, P1)",
         f"{DESK_LIST}?sla=breached&priority__exact=P1", "staff"),
    # o= counts the columns from 0: 0 is the number, 1 the subject.
    Page("desk", "ticket list, in progress, by number",
         f"{DESK_LIST}?status__exact=in_progress&o=0", "staff"),
    Page("desk", "ticket list, in progress, by subject",
         f"{DESK_LIST}?status__exact=in_progress&o=1", "staff"),
    Page("desk", "ticket list, search", f"{DESK_LIST}?q=timeout", "staff"),
    # The desk's views (tickets.selectors.DeskView), as the links above the list open them.
    Page("desk", "ticket list, my tickets", f"{DESK_LIST}?view=mine", "staff"),
    Page("desk", "ticket list, unassigned", f"{DESK_LIST}?view=unassigned", "staff"),
    Page("desk", "ticket list, waiting on us", f"{DESK_LIST}?view=with_us", "staff"),
    Page("desk", "ticket list, waiting on the customer", f"{DESK_LIST}?view=with_customer",
         "staff"),
    Page("desk", "ticket list, search in messages", f"{DESK_LIST}?q=logs", "staff"),
    Page("desk", "ticket list, search (Chinese)", f"{DESK_LIST}?q=连接超时", "staff"),
    Page("desk", "ticket page (60 messages)", f"{DESK_LIST}{{busy}}/change/", "staff"),
    Page("desk", "log a ticket (form)", f"{DESK_LIST}log/", "staff"),
    Page("desk", "SLA clocks", "/admin/tickets/clock/", "staff"),
    Page("desk", "outbox", "/admin/notifications/notification/", "staff"),
    Page("desk", "outbox, unsent", "/admin/notifications/notification/?delivery=unsent", "staff"),
    Page("desk", "SLA report", "/admin/tickets/report/", "staff"),
    Page("portal", "ticket list", "/tickets/", "customer"),
    Page("portal", "ticket list, filtered + sorted, page 3",
         "/tickets/?status=in_progress&priority=P2&ordering=-opened&page=3", "customer"),
    Page("portal", "ticket list, search", "/tickets/?search=timeout", "customer"),
    Page("portal", "ticket list, search (Chinese)", "/tickets/?search=集群", "customer"),
    Page("portal", "ticket page (60 messages)", "/tickets/{busy}/", "customer"),
    Page("portal", "dashboard", "/", "customer"),
    Page("api", "tickets as customer, page_size 25", "/api/v1/tickets/?page_size=25", "customer"),
    Page("api", "tickets as customer, page_size 100", "/api/v1/tickets/?page_size=100",
         "customer"),
    Page("api", "tickets as staff, page_size 25", "/api/v1/tickets/?page_size=25", "staff"),
    Page("api", "tickets as staff, page_size 100", "/api/v1/tickets/?page_size=100", "staff"),
    Page("api", "tickets as customer, search", "/api/v1/tickets/?search=timeout", "customer"),
    Page("api", "ticket detail as customer", "/api/v1/tickets/{busy}/", "customer"),
    Page("api", "ticket detail as staff", "/api/v1/tickets/{busy}/", "staff"),
]  # fmt: skip


class PageError(Exception):
    """A page that did not answer 200: the run stops with its status."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--customer-tickets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=100, help="timed requests per page")
    parser.add_argument(
        "--budget", type=float, default=BUDGET_S, help="seconds of timed requests per page, at most"
    )
    parser.add_argument("--short", action="store_true", help="a quick run (20,000 tickets)")
    parser.add_argument("--only", default="", help="groups to measure, e.g. desk,api")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database of the previous run"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL server to use (default: $DATABASE_URL; SQLite when empty)",
    )
    args = parser.parse_args()
    if args.short:
        args.tickets, args.customer_tickets, args.repeat = 20_000, 2_000, 20
    args.customer_tickets = min(args.customer_tickets, args.tickets)
    return args


# --- logging in --------------------------------------------------------------------------------


def login(client, user) -> None:
    """`user` logged in on `client` without a password; where django-otp guards staff, as a
    verified session (django_otp.login: the device's persistent id in the session)."""
    from django.apps import apps

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.is_staff and apps.is_installed("django_otp"):
        from django.http import HttpRequest
        from django_otp import login as otp_login

        request = HttpRequest()
        request.user, request.session = user, client.session
        otp_login(request, _otp_device(user))
        request.session.save()


def _otp_device(user):
    from django.apps import apps

    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        return device
    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        return device
    raise SystemExit("django_otp is installed without its TOTP or static plugin: adjust login()")


def clients(desk) -> dict:
    from django.test import Client

    staff, customer = Client(), Client()
    login(staff, desk.staff)
    login(customer, desk.customer_user)
    return {"staff": staff, "customer": customer}


# --- timing ------------------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def url_of(page: Page, desk) -> str:
    return page.path.format(busy=desk.busy.pk, me=desk.staff.pk)


class per_page:
    """The list's ModelAdmin.list_per_page set to `rows` while a page is measured."""

    def __init__(self, path: str, rows: int | None):
        self.path, self.rows, self.admin, self.saved = path, rows, None, None

    def __enter__(self):
        if self.rows is not None:
            from django.urls import resolve

            self.admin = resolve(self.path.split("?")[0]).func.model_admin
            self.saved, self.admin.list_per_page = self.admin.list_per_page, self.rows
        return self

    def __exit__(self, *exc):
        if self.admin is not None:
            self.admin.list_per_page = self.saved


def get(client, name: str, url: str):
    # Over HTTPS, as production serves every page (SECURE_SSL_REDIRECT answers plain HTTP 301).
    response = client.get(url, secure=True)
    if response.status_code != 200:
        where = response.get("Location", "")
        hint = ""
        if response.status_code in (302, 403):
            hint = " (not logged in, no permission, or a two-factor check: see login())"
        body = b"" if response.streaming else response.content[:300]
        raise PageError(
            f"{name}: GET {url} answered {response.status_code}"
            f"{' -> ' + where if where else ''}{hint}\n{body.decode(errors='replace')}"
        )
    return response


def rows_of(response) -> str:
    """Rows shown by a list page: the results of an API list, the rows of an admin list ('' for
    other pages)."""
    if "json" not in response.get("Content-Type", ""):
        content = b"" if response.streaming else response.content
        start = content.find(b'id="result_list"')
        if start < 0:
            return ""
        body = content[start : content.find(b"</table>", start)]
        return str(body.count(b"<tr") - 1)  # less the header row
    data = json.loads(response.content)
    results = data.get("results") if isinstance(data, dict) else data
    return str(len(results)) if isinstance(results, list) else ""


def measure(client, name: str, url: str, repeat: int, budget: float = BUDGET_S) -> dict:
    """`repeat` timed requests after the untimed ones, fewer (MIN_SAMPLES at least) when the
    page has used up `budget` seconds: a page of seconds at 1M tickets still finishes."""
    from django.db import connection
    from sidebyside import QueryCounter

    started = time.perf_counter()
    for _ in range(WARM_UP):
        response = get(client, name, url)
        if time.perf_counter() - started > budget / 10:
            break  # a slow page: one warm-up is enough
    rows = rows_of(response)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        get(client, name, url)
    query_count = counter.count
    wall, cpu = [], []
    started = time.perf_counter()
    for _ in range(repeat):
        if len(wall) >= MIN_SAMPLES and time.perf_counter() - started > budget:
            break
        start, start_cpu = time.perf_counter(), time.process_time()
        get(client, name, url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {
        "median": statistics.median(wall),
        "p95": p95(wall),
        "cpu_median": statistics.median(cpu),
        "cpu_p95": p95(cpu),
        "queries": query_count,
        "rows": rows,
        "samples": len(wall),
    }


def measure_page(page: Page, desk, logged_in: dict, repeat: int, budget: float = BUDGET_S) -> dict:
    url = url_of(page, desk)
    with per_page(url, page.per_page):
        return measure(logged_in[page.who], page.name, url, repeat, budget)


HEADER = (
    f"{'page':46} {'median':>8} {'p95':>8} {'cpu med':>8} {'cpu p95':>8} {'queries':>7} "
    f"{'rows':>4} {'n':>4}"
)


def line(label: str, m: dict) -> str:
    return (
        f"{label:46} {m['median']:6.1f}ms {m['p95']:6.1f}ms {m['cpu_median']:6.1f}ms "
        f"{m['cpu_p95']:6.1f}ms {m['queries']:7d} {m['rows']:>4} {m['samples']:>4}"
    )


def load_line() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"load average {load} on {os.cpu_count()} CPUs"


def start_as_a_worker() -> str:
    """Run what a gunicorn worker runs once before its first request: config.wsgi (the WSGI
    application, the URLconf, the start-up objects frozen out of the garbage collector's way).
    Called after the fill and the logins, so this process is then as settled as a worker; the
    requests still go through the test Client. Returns a line saying so."""
    import gc

    import config.wsgi  # noqa: F401 (its import is the start-up)

    return f"start-up as config.wsgi: {gc.get_freeze_count():,} objects frozen (gc.freeze)"


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    name = database_name(args.database_url, "bench_desk")
    url = prepare_database(args.database_url, name=name, keep=args.keep)
    setup_django(url, name=name)
    import deskdata
    from django.db import connection

    from tickets.models import Ticket

    print(f"database: {connection.vendor} ({url.rsplit('@', 1)[-1]})")
    if args.keep and Ticket.objects.exists():
        desk, how = deskdata.reuse(), "reused"
    else:
        desk, seconds = deskdata.fill(tickets=args.tickets, customer_tickets=args.customer_tickets)
        how = f"filled in {seconds:.1f} s"
    deskdata.analyze()
    total = Ticket.objects.count()
    mine = Ticket.objects.filter(contract__customer=desk.customer_user.customer).count()
    print(f"{total:,} tickets, {mine:,} of them for the bench customer ({how})")
    groups = [g for g in args.only.split(",") if g] or ["desk", "portal", "api"]
    pages = [p for p in PAGES if p.group in groups]
    logged_in = clients(desk)
    print(start_as_a_worker())
    print(f"{args.repeat} timed requests per page after {WARM_UP + 1} untimed (n: fewer when a "
          f"page has used {args.budget:.0f} s); {load_line()}")  # fmt: skip
    if connection.vendor == "sqlite":
        print("cpu: this process, the database's work included (SQLite)\n")
    else:
        print("cpu: this process only (the PostgreSQL server's CPU is not in it)\n")
    print(HEADER)
    worst, worst_page = 0.0, ""
    for group in groups:
        print(f"-- {group}")
        for page in (p for p in pages if p.group == group):
            try:
                m = measure_page(page, desk, logged_in, args.repeat, args.budget)
            except PageError as exc:
                print(f"\nFAILED: {exc}", file=sys.stderr)
                return 2
            if m["p95"] > worst:
                worst, worst_page = m["p95"], f"{group}: {page.name}"
            print(line(page.name, m), flush=True)
    verdict = "met" if worst < GOAL_P95_MS else "NOT met"
    print(f"\n{load_line()}")
    print(
        f"goal p95 < {GOAL_P95_MS:.0f} ms on every page at {total:,} tickets: {verdict} "
        f"(worst p95 {worst:.1f} ms, {worst_page})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
