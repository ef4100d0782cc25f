"""The django-helpdesk side of bench/helpdesk_compare.py. Runs in var/helpdesk-venv (which the
orchestrator creates), never in the project's environment:

    var/helpdesk-venv/bin/python bench/helpdesk_project/worker.py --tickets 10000

Fills var/helpdesk_bench.sqlite3 (rebuilt on every run) with the shape of the support portal's
bench data (bench/deskdata.py): 1,000 tickets per customer (a customer is a submitter e-mail and
a named contact with a login; a queue per customer stands for its contract), one desk
superuser and nine engineers, 30 % of the tickets unassigned and 10 % the desk user's, three
follow-ups per ticket (opened, the engineer's reply, the customer's reply), and one long thread:
60 follow-ups (every 7th private), an attachment on every third, 30 recorded changes, on an
open ticket of the bench customer assigned to the desk user. Then it serves the rows of the
comparison over bench/sidebyside.py's protocol, through helpdesk's own views, API and ticket
form.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # hd_settings, hd_urls; bench/sidebyside.py
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hd_settings")

import sidebyside  # noqa: E402

PER_CUSTOMER = 1000
THREAD = 60
WORDS = ["timeout", "cluster", "bridge", "rule engine", "TLS", "memory", "Kafka", "license"]
WORDS_ZH = ["集群", "连接超时", "规则引擎", "内存", "证书", "桥接"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def setup() -> None:
    db = Path(
        os.environ.get("HELPDESK_BENCH_DB", HERE.parents[1] / "var" / "helpdesk_bench.sqlite3")
    )
    os.environ["HELPDESK_BENCH_DB"] = str(db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(tickets: int, seed: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from helpdesk.models import FollowUp, FollowUpAttachment, Queue, Ticket, TicketChange

    rng = random.Random(seed)
    now = datetime.now(UTC)
    user_model = get_user_model()
    customers = max(1, math.ceil(tickets / PER_CUSTOMER))
    with transaction.atomic():
        desk = user_model.objects.create_superuser("desk", "desk@bench.test", None)
        engineers = [
            user_model.objects.create_user(f"engineer{i}", f"engineer{i}@bench.test", None,
                                           is_staff=True)
            for i in range(9)
        ]  # fmt: skip
        contacts = [
            user_model.objects.create_user(f"contact{i}", f"contact{i}@bench.test", None)
            for i in range(customers)
        ]
        queues = [
            Queue.objects.create(
                title="Bench Customer Ltd." if i == 0 else f"Customer {i} Ltd.",
                slug=f"customer-{i}",
                allow_public_submission=True,
            )
            for i in range(customers)
        ]
    statuses = [  # ours: closed, resolved, in progress x3, waiting, new
        (Ticket.CLOSED_STATUS, False),
        (Ticket.RESOLVED_STATUS, False),
        (Ticket.OPEN_STATUS, False),
        (Ticket.OPEN_STATUS, False),
        (Ticket.REOPENED_STATUS, False),
        (Ticket.OPEN_STATUS, True),  # waiting for the customer: on hold
        (Ticket.OPEN_STATUS, False),
    ]
    weights = [40, 20, 15, 5, 5, 5, 10]

    def assignee(new: bool):
        roll = rng.random()
        if new or roll < 0.3:
            return None
        return desk if roll < 0.4 else rng.choice(engineers)

    rows = []
    for g in range(tickets):
        k = g // PER_CUSTOMER
        index = rng.choices(range(len(statuses)), weights)[0]
        status, on_hold = statuses[index]
        opened = now - timedelta(minutes=rng.randint(60, 60 * 24 * 365))
        if g % 4 == 3:
            title = f"{rng.choice(WORDS_ZH)}问题 {g}"
            description = f"升级以后{rng.choice(WORDS_ZH)}失败。"
        else:
            title = f"{rng.choice(WORDS)} problem {g}"
            description = f"Since the upgrade the {rng.choice(WORDS)} fails."
        rows.append(
            Ticket(
                title=title,
                queue=queues[k],
                created=opened,
                modified=opened + timedelta(hours=1),
                submitter_email=contacts[k].email,
                assigned_to=assignee(index == len(statuses) - 1),
                status=status,
                on_hold=on_hold,
                description=description,
                priority=rng.randint(1, 4),
                due_date=opened + timedelta(hours=rng.randint(2, 400)) if status < 3 else None,
            )
        )
    # The fill writes history: `created` as it was, not the moment of the fill.
    created, modified = Ticket._meta.get_field("created"), Ticket._meta.get_field("modified")
    created.auto_now_add = modified.auto_now = False
    contact_of = {c.email: c for c in contacts}
    try:
        with transaction.atomic():
            rows = Ticket.objects.bulk_create(rows, batch_size=2000)
            FollowUp.objects.bulk_create(
                (
                    FollowUp(
                        ticket=t,
                        title=title,
                        date=t.created + timedelta(minutes=30 * i),
                        comment=comment,
                        public=True,
                        user=user,
                        new_status=t.status if i == 0 else None,
                    )
                    for t in rows
                    for i, (title, comment, user) in enumerate(
                        (
                            ("Ticket Opened Via Web", t.description, contact_of[t.submitter_email]),
                            ("Comment", "We are on it.", desk),
                            (
                                "Comment",
                                "Thank you, here are the logs.",
                                contact_of[t.submitter_email],
                            ),
                        )
                    )
                ),
                batch_size=2000,
            )
    finally:
        created.auto_now_add = modified.auto_now = True
    busy = (
        Ticket.objects.filter(queue=queues[0], status=Ticket.OPEN_STATUS, assigned_to=desk,
                              on_hold=False)
        .order_by("pk")
        .first()
    )  # fmt: skip
    with transaction.atomic():
        thread = FollowUp.objects.bulk_create(
            FollowUp(
                ticket=busy,
                title="Comment",
                date=busy.created + timedelta(minutes=5 * i),
                comment=f"Message {i}: please find the logs.\n" * 3,
                public=i % 7 != 0,
                user=desk if i % 2 else contacts[0],
            )
            for i in range(THREAD)
        )
        FollowUpAttachment.objects.bulk_create(
            FollowUpAttachment(
                followup=f,
                file=f"helpdesk/attachments/bench/{f.pk}.log",
                filename=f"emqx-{f.pk}.log",
                mime_type="text/plain",
                size=1024 * (f.pk % 50 + 1),
            )
            for f in thread[::3]
        )
        TicketChange.objects.bulk_create(
            TicketChange(followup=thread[i], field="Status", old_value="Open",
                         new_value="Open")
            for i in range(1, 31)
        )  # fmt: skip
    return {"desk": desk, "customer": contacts[0], "queue": queues[0], "busy": busy}


def rows(data: dict) -> dict:
    import re

    from django.core import mail
    from django.test import Client
    from helpdesk.forms import PublicTicketForm

    staff, customer = Client(), Client()
    staff.force_login(data["desk"])
    customer.force_login(data["customer"])
    # The staff list is a page whose script then loads the rows: the URL it loads is in the page.
    page = staff.get("/tickets/", secure=True)
    if page.status_code != 200:
        raise SystemExit(f"helpdesk: GET /tickets/ answered {page.status_code}")
    found = re.search(rb'"url": "(/datatables_ticket_list/[^"]+)"', page.content)
    if found is None:
        raise SystemExit("helpdesk: no datatables URL in the ticket list page")
    datatables = found.group(1).decode()
    busy, email = data["busy"].pk, data["customer"].email
    counter = iter(range(10**9))

    def create():
        """One ticket through helpdesk's own public ticket form, as the customer submits it."""
        form = PublicTicketForm(
            data={
                "queue": str(data["queue"].pk),
                "title": f"Bench {next(counter)}",
                "body": "Clients are disconnected.",
                "priority": "2",
                "submitter_email": email,
            }
        )
        if not form.is_valid():
            raise sidebyside.RequestFailed(f"helpdesk ticket form refused: {form.errors}")
        form.save(user=data["customer"])
        mail.outbox.clear()

    def table(length: int) -> str:
        return f"{datatables}?draw=1&start=0&length={length}&search%5Bvalue%5D="

    return {
        "staff list, 25 rows": sidebyside.Row([(staff, "/tickets/"), (staff, table(25))]),
        "staff list, 100 rows": sidebyside.Row([(staff, "/tickets/"), (staff, table(100))]),
        "staff ticket page": sidebyside.Row([(staff, f"/tickets/{busy}/")]),
        "customer list": sidebyside.Row(
            [(customer, "/tickets/my-tickets/"), (customer, "/api/user_tickets/?page=1")]
        ),
        "customer ticket page": sidebyside.Row([(customer, f"/view/?ticket={busy}&email={email}")]),
        "API list": sidebyside.Row([(staff, "/api/tickets/")]),
        "create": sidebyside.Row(call=create),
    }


def main() -> int:
    args = parse_args()
    out = sidebyside.protocol_stream()
    setup()
    import time
    from importlib.metadata import version

    import django
    import helpdesk  # noqa: F401

    started = time.perf_counter()
    data = fill(args.tickets, args.seed)
    info = {
        "product": f"django-helpdesk {version('django-helpdesk')}",
        "django": django.get_version(),
        "fill_seconds": round(time.perf_counter() - started, 1),
        "tickets": args.tickets,
    }
    return sidebyside.serve(rows(data), info, out)


if __name__ == "__main__":
    sys.exit(main())
