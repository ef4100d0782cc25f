"""Demo tickets for `manage.py demo_data`: a few tickets of the demo customers in different SLA
states (breached, at risk, waiting for the customer, an agreed time to accept, resolved), made
through the same services as real ones, with their past moments passed as `now`."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from contracts.models import Contract, ProductVersion
from tickets.services import (
    agreement_propose,
    message_post,
    ticket_assign,
    ticket_open,
    ticket_resolve,
    ticket_restore,
    ticket_wait_for_customer,
)
from tickets.sla.sweep import clocks_evaluate

ENVIRONMENT = "3-node cluster on Kubernetes 1.29, 40,000 MQTT connections, PostgreSQL auth."


def _version(contract: Contract, name: str) -> ProductVersion:
    product = contract.products.get()
    return ProductVersion.objects.get(product=product, name=name)


def demo_tickets_create(*, acme: Contract, globex: Contract, engineer, now: datetime) -> int:
    """Create the demo tickets once (nothing when the demo customers already have tickets), then
    run one SLA sweep so the badges show. Returns how many tickets were created."""
    if acme.tickets.exists() or globex.tickets.exists():
        return 0
    User = get_user_model()
    alice = User.objects.get(email="alice@acme.example")
    bob = User.objects.get(email="bob@globex.example")
    ago = lambda **delta: now - timedelta(**delta)  # noqa: E731
    common = {"unmodified_build": True, "environment": ENVIRONMENT}

    # Acme, 5x8: a P2 nobody has answered for three days (its response target is breached).
    ticket_open(
        contract=acme, product=acme.products.get(), version=_version(acme, "5.8"), priority="P2",
        subject="MQTT clients disconnect every few hours",
        description="Since the upgrade to 5.8 about 5% of the clients reconnect every 2-3 hours.",
        reporter=alice, now=ago(days=3), **common,
    )  # fmt: skip
    # Acme: a P3 answered by support, now waiting for the customer's logs (restore/fix paused).
    waiting = ticket_open(
        contract=acme, product=acme.products.get(), version=_version(acme, "5.9"), priority="P3",
        subject="Rule engine drops messages with a null payload",
        description="A rule forwarding to Kafka drops messages whose payload is null.",
        reporter=alice, now=ago(days=2), **common,
    )  # fmt: skip
    ticket_assign(ticket=waiting, engineer=engineer, by=engineer, now=ago(days=2, minutes=-5))
    message_post(
        ticket=waiting, author=engineer, now=ago(days=1, hours=23),
        body="Thank you. Could you attach the rule definition and the broker log at debug level?",
    )  # fmt: skip
    ticket_wait_for_customer(
        ticket=waiting, by=engineer, reason="Rule definition and logs requested.",
        now=ago(days=1, hours=23),
    )  # fmt: skip
    # Acme: a P1 that was answered, restored and resolved.
    resolved = ticket_open(
        contract=acme, product=acme.products.get(), version=_version(acme, "5.8"), priority="P1",
        subject="Cluster refuses all connections after a node restart",
        description="After restarting node 2 no client can connect to any node.",
        reporter=alice, now=ago(days=10), **common,
    )  # fmt: skip
    message_post(
        ticket=resolved, author=engineer, now=ago(days=10, minutes=-40),
        body="We are on it. Please run `emqx ctl cluster status` on each node and send the output.",
    )  # fmt: skip
    ticket_restore(
        ticket=resolved, by=engineer, now=ago(days=10, hours=-3),
        note="Workaround: the stale node was removed from the cluster; connections are back.",
    )  # fmt: skip
    ticket_resolve(
        ticket=resolved, by=engineer, now=ago(days=4),
        note="Fixed in 5.8.3: a node rejoining with a stale membership no longer blocks listeners.",
    )  # fmt: skip

    # Globex, 7x24: a P1 opened 50 minutes ago, past 75 % of its 1-hour response target.
    ticket_open(
        contract=globex, product=globex.products.get(), version=_version(globex, "5.9"),
        priority="P1", subject="Broker cluster down in eu-central",
        description="All three nodes of the production cluster refuse connections.",
        reporter=bob, on_duty_name="Bob Becker", on_duty_phone="+49 30 0000 0001",
        channel="phone", logged_by=engineer, now=ago(minutes=50), **common,
    )  # fmt: skip
    # Globex: a P2 answered, with a resolution time proposed for the customer to accept.
    proposed = ticket_open(
        contract=globex, product=globex.products.get(), version=_version(globex, "5.8"),
        priority="P2", subject="Bridge to AWS IoT reconnects in a loop",
        description="The MQTT bridge to AWS IoT Core reconnects every 30 seconds.",
        reporter=bob, on_duty_name="Carol Klein", on_duty_phone="+49 30 0000 0002",
        now=ago(days=1), **common,
    )  # fmt: skip
    message_post(
        ticket=proposed, author=engineer, now=ago(hours=23),
        body="Reproduced. The fix needs a change to the bridge's keep-alive handling.",
    )  # fmt: skip
    agreement_propose(
        ticket=proposed, by=engineer, due_at=now + timedelta(days=45),
        reason="The permanent fix ships with the next maintenance release.", now=ago(hours=22),
    )  # fmt: skip

    clocks_evaluate(now=now)
    return 5
