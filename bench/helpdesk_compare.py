"""Side by side with django-helpdesk 2.6.1: the rows of issue 13's table, on the same data shape,
requests interleaved, SQLite, DEBUG off.

    python bench/helpdesk_compare.py [--short] [--tickets 10000] [--rounds 60] [--reinstall]

django-helpdesk runs in a virtual environment of its own, var/helpdesk-venv, which the script
creates on first run (`python -m venv`, then pip installs bench/requirements-helpdesk.txt from
PyPI; nothing else is downloaded) and re-creates when that file changes; its minimal Django
project is bench/helpdesk_project/ (settings, URLs, and the worker that fills its database).

Two worker processes, each filling its own SQLite database with `--tickets` tickets of the same
shape (1,000 per customer, three entries per ticket, one long thread of 60 messages with
attachments and history; bench/deskdata.py for ours, bench/helpdesk_project/worker.py for
helpdesk): this script in the project's environment for ours, the helpdesk worker in its venv.
The orchestrator (this script) then runs `--rounds` rounds; in each, every row is measured once
on each side, which side goes first alternating, so both see the same machine load. A row is
what a person's action costs in each product's own way:

    staff list, 25 / 100 rows  ours: the desk's ticket list (list_per_page 25 / 100);
                               helpdesk: its ticket list page + the datatables JSON it loads
    staff ticket page          the ticket with the long thread, as the desk user
    customer list              ours: /tickets/; helpdesk: "my tickets" + the JSON it loads
    customer ticket page       the long thread, as the customer
    API list                   the ticket list of each API as staff (first page)
    create                     CPU time of one ticket: our ticket_open (with the contract read
                               an edge does); helpdesk's public ticket form (is_valid + save)

Prints per row the median and p95 wall time, the median CPU time, the queries of one sample,
and the ratio helpdesk / ours of the medians (of CPU time for "create"), with whether the goal
(>= 3x) is met. Figures only: the exit status is 0 unless a page fails (2).
`--short` (CI): 2,000 tickets, 8 rounds.

`--floors` also measures, on our side only, what a row would cost with parts of it taken away
(measurement only: the parts are switched off inside the bench worker, never in the product),
and the best ratio each could then reach against helpdesk's median of the same row:

    customer ticket page       without the thread and the history (most of the page)
    customer ticket page       the lightest page a logged-in customer gets (notification
                               settings: one small form), i.e. what any page costs
    create                     without writing the notifications (outbox rows, paging)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = ROOT / "var" / "helpdesk-venv"
REQUIREMENTS = BENCH / "requirements-helpdesk.txt"
HELPDESK_WORKER = BENCH / "helpdesk_project" / "worker.py"
GOAL_RATIO = 3.0
ROWS = [
    "staff list, 25 rows",
    "staff list, 100 rows",
    "staff ticket page",
    "customer list",
    "customer ticket page",
    "API list",
    "create",
]
CPU_ROWS = {"create"}  # compared on CPU time
# --floors: our row -> (the row of the table it is a floor of, what was taken away).
FLOORS = {
    "floor: ticket page, no thread": (
        "customer ticket page",
        "the customer ticket page without its thread and its history",
    ),
    "floor: lightest page": (
        "customer ticket page",
        "the lightest logged-in page (notification settings)",
    ),
    "floor: create, no notify": ("create", "create without writing its notifications"),
}
PER_CUSTOMER = 1000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=60, help="samples of each row per side")
    parser.add_argument("--short", action="store_true", help="2,000 tickets, 8 rounds (CI)")
    parser.add_argument("--reinstall", action="store_true", help="re-create the helpdesk venv")
    parser.add_argument(
        "--floors", action="store_true", help="also the floors of the rows (ours only)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.short:
        args.tickets, args.rounds = 2_000, 8
    return args


# --- our worker (in the project's environment) -------------------------------------------------


def our_worker(args) -> int:
    import sidebyside

    out = sidebyside.protocol_stream()
    from benchdb import prepare_database, setup_django

    name = "support_portal_bench_compare"
    setup_django(prepare_database("", name=name), name=name)  # SQLite, as the issue's table
    import deskdata
    import django
    import pages
    from django.db import transaction
    from django.utils import timezone

    from contracts.models import Contract
    from tickets.services import ticket_open

    desk, seconds = deskdata.fill(
        tickets=args.tickets, customer_tickets=PER_CUSTOMER, per_customer=PER_CUSTOMER
    )
    logged_in = pages.clients(desk)
    staff, customer = logged_in["staff"], logged_in["customer"]
    busy = desk.busy
    listing = pages.DESK_LIST
    counter = iter(range(10**9))

    def create():
        # What the portal's form hands the service: the contract read with its tier and calendar.
        contract = Contract.objects.select_related("tier", "calendar", "customer").get(
            pk=busy.contract_id
        )
        with transaction.atomic():
            ticket_open(
                contract=contract,
                product=busy.product,
                version=busy.version,
                priority="P2",
                subject=f"Bench {next(counter)}",
                description="Clients are disconnected.",
                reporter=desk.customer_user,
                unmodified_build=True,
                now=timezone.now(),
            )

    rows = {
        "staff list, 25 rows": sidebyside.Row(
            [(staff, listing)], around=lambda: pages.per_page(listing, 25)
        ),
        "staff list, 100 rows": sidebyside.Row(
            [(staff, listing)], around=lambda: pages.per_page(listing, 100)
        ),
        "staff ticket page": sidebyside.Row([(staff, f"{listing}{busy.pk}/change/")]),
        "customer list": sidebyside.Row([(customer, "/tickets/")]),
        "customer ticket page": sidebyside.Row([(customer, f"/tickets/{busy.pk}/")]),
        "API list": sidebyside.Row([(staff, "/api/v1/tickets/")]),
        "create": sidebyside.Row(call=create),
    }
    if args.floors:
        rows |= floor_rows(customer, f"/tickets/{busy.pk}/", create)
    info = {
        "product": "support portal (this repository)",
        "django": django.get_version(),
        "fill_seconds": round(seconds, 1),
        "tickets": args.tickets,
    }
    return sidebyside.serve(rows, info, out)


def floor_rows(customer, ticket_url: str, create) -> dict:
    """FLOORS' rows: parts of a row switched off (patched in this worker) while it is measured."""
    import contextlib
    from unittest import mock

    import sidebyside

    def without_thread():
        stack = contextlib.ExitStack()
        stack.enter_context(mock.patch("portal.selectors.thread_rows", return_value=([], [])))
        stack.enter_context(mock.patch("portal.selectors.history_rows", return_value=[]))
        return stack

    return {
        "floor: ticket page, no thread": sidebyside.Row(
            [(customer, ticket_url)], around=without_thread
        ),
        "floor: lightest page": sidebyside.Row([(customer, "/account/notifications/")]),
        "floor: create, no notify": sidebyside.Row(
            call=create,
            around=lambda: mock.patch("tickets.services.lifecycle.notify", return_value=0),
        ),
    }


# --- the orchestrator ---------------------------------------------------------------------------


def ensure_venv(reinstall: bool) -> Path:
    """var/helpdesk-venv with bench/requirements-helpdesk.txt installed (from PyPI)."""
    python = VENV / "bin" / "python"
    marker = VENV / ".bench-requirements"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not reinstall and python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    print(f"installing django-helpdesk into {VENV.relative_to(ROOT)} (once) ...", flush=True)
    log = VENV.parent / "helpdesk-venv-install.log"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(VENV)],
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
        ]
        for step in steps:
            if subprocess.run(step, stdout=output, stderr=subprocess.STDOUT).returncode:
                sys.exit(f"failed: {' '.join(step)}\n{log.read_text()[-3000:]}")
    marker.write_text(wanted)
    return python


class Worker:
    def __init__(self, label: str, command: list[str], env: dict | None = None):
        self.label = label
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=BENCH,
            env={**os.environ, **(env or {})},
        )

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            sys.exit(f"the {self.label} worker stopped (exit {code}); see its errors above")
        answer = json.loads(line)
        if "error" in answer:
            print(f"FAILED ({self.label}): {answer['error']}", file=sys.stderr)
            self.process.wait()
            raise SystemExit(2)
        return answer

    def ask(self, row: str, n: int = 1) -> dict:
        self.process.stdin.write(json.dumps({"row": row, "n": n}) + "\n")
        self.process.stdin.flush()
        return self.read()

    def quit(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write(json.dumps({"quit": True}) + "\n")
            self.process.stdin.flush()
            self.process.wait(timeout=60)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def load_line() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"load average {load} on {os.cpu_count()} CPUs"


def print_floors(floors: dict, theirs: dict, described: dict) -> None:
    print("\nfloors (ours only): a row with a part taken away, and the best ratio the row could "
          "reach without that part\n")  # fmt: skip
    print(f"{'floor of':22}{'median':>9}{'p95':>8}{'cpu':>7}{'queries':>8}"
          f"{'best ratio':>12}  what was taken away")  # fmt: skip
    for floor, (row, what) in FLOORS.items():
        s = floors[floor]
        key = "cpu" if row in CPU_ROWS else "wall"
        best = statistics.median(theirs[row][key]) / statistics.median(s[key])
        print(f"{row:22}{statistics.median(s['wall']):9.1f}{p95(s['wall']):8.1f}"
              f"{statistics.median(s['cpu']):7.1f}{described[floor]['queries']:8,}"
              f"{best:11.1f}x  {what}")  # fmt: skip


def main() -> int:
    args = parse_args()
    if args.worker:
        return our_worker(args)
    python = ensure_venv(args.reinstall)
    print(f"{args.tickets:,} tickets each, SQLite, DEBUG off; {load_line()}", flush=True)
    started = time.perf_counter()
    ours = Worker("ours", [sys.executable, str(Path(__file__).resolve()), "--worker",
                           "--tickets", str(args.tickets)]
                          + (["--floors"] if args.floors else []))  # fmt: skip
    theirs = Worker(
        "helpdesk",
        [str(python), str(HELPDESK_WORKER), "--tickets", str(args.tickets)],
        env={"HELPDESK_BENCH_DB": str(ROOT / "var" / "helpdesk_bench.sqlite3")},
    )
    workers = {"ours": ours, "helpdesk": theirs}
    try:
        ready = {label: w.read() for label, w in workers.items()}
        for label, r in ready.items():
            info = r["info"]
            print(f"{label:9} {info['product']}, Django {info['django']}, "
                  f"filled in {info['fill_seconds']} s")  # fmt: skip
        samples = {label: {row: {"wall": [], "cpu": []} for row in ROWS} for label in workers}
        floors = {floor: {"wall": [], "cpu": []} for floor in (FLOORS if args.floors else ())}
        for r in range(args.rounds):
            for i, row in enumerate(ROWS):
                order = ["ours", "helpdesk"] if (r + i) % 2 == 0 else ["helpdesk", "ours"]
                for label in order:
                    answer = workers[label].ask(row)
                    samples[label][row]["wall"] += answer["wall"]
                    samples[label][row]["cpu"] += answer["cpu"]
            for floor in floors:
                answer = ours.ask(floor)
                floors[floor]["wall"] += answer["wall"]
                floors[floor]["cpu"] += answer["cpu"]
    finally:
        for w in workers.values():
            try:
                w.quit()
            except Exception:  # a worker that already stopped
                w.process.kill()
    elapsed = time.perf_counter() - started

    print(f"\n{args.rounds} samples of each row on each side, interleaved; medians; "
          f"ratio = helpdesk / ours (CPU time for create)\n")  # fmt: skip
    print(f"{'':22}{'ours (ms)':^32}{'helpdesk (ms)':^32}")
    print(f"{'row':22}" + f"{'median':>9}{'p95':>8}{'cpu':>7}{'queries':>8}" * 2
          + f"{'ratio':>8}  >= {GOAL_RATIO:.0f}x")  # fmt: skip
    for row in ROWS:
        cells, medians = "", {}
        for label in ("ours", "helpdesk"):
            s = samples[label][row]
            queries = ready[label]["rows"][row]["queries"]
            key = "cpu" if row in CPU_ROWS else "wall"
            medians[label] = statistics.median(s[key])
            cells += (f"{statistics.median(s['wall']):9.1f}{p95(s['wall']):8.1f}"
                      f"{statistics.median(s['cpu']):7.1f}{queries:8,}")  # fmt: skip
        ratio = medians["helpdesk"] / medians["ours"]
        verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
        label = f"{row} (CPU)" if row in CPU_ROWS else row
        print(f"{label:22}{cells}{ratio:7.1f}x  {verdict}")
    if floors:
        print_floors(floors, samples["helpdesk"], ready["ours"]["rows"])
    print(f"\n{load_line()}; {elapsed:.0f} s in all")
    requests = {row: ready["helpdesk"]["rows"][row]["requests"] for row in ROWS}
    several = [row for row, n in requests.items() if n > 1]
    if several:
        print("helpdesk rows of two requests (the page and the JSON its script loads): "
              + ", ".join(several))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
