"""In a real browser (Debian's Chromium through Playwright): a customer opens the follow-up of a
closed ticket from its page, and chooses how much they hear by e-mail. Screenshots go to
var/screenshots/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.models import Product
from tests.factories import ContactFactory, ContractFactory, CustomerUserFactory, StaffFactory, tier
from tests.portal.test_browser import (  # noqa: F401  (fixtures of the browser tests)
    _seed_data_for_later_tests,
    browser,
    log_in,
    page,
    shot,
)
from tests.tickets.helpers import ticket_opener
from tickets.models import Ticket
from tickets.notifications.models import Level, NotificationSetting
from tickets.services import message_post, ticket_close, ticket_resolve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_customer_opens_a_follow_up_and_chooses_their_notifications(live_server, page):  # noqa: F811
    enterprise = Product.objects.get(code="emqx-enterprise")
    contract = ContractFactory(number="ACME-5X8", tier=tier("5x8"), products=[enterprise])
    user = CustomerUserFactory(email="alice@acme.test", customer=contract.customer, language="en")
    ContactFactory(contract=contract, user=user)
    engineer = StaffFactory()
    now = timezone.now()
    old = ticket_opener(contract, user, enterprise.versions.order_by("-released_on").first())(
        priority="P3", now=now - timedelta(days=3)
    )
    message_post(ticket=old, author=engineer, body="Fixed.", now=now - timedelta(days=2))
    ticket_resolve(ticket=old, by=engineer, now=now - timedelta(days=2))
    ticket_close(ticket=old, by=engineer, now=now - timedelta(days=1))

    log_in(page, live_server.url, "alice@acme.test")
    page.goto(f"{live_server.url}/tickets/{old.pk}/")
    assert page.get_by_role("heading", name="This ticket is closed").count() == 1
    page.click("#follow-up summary")
    page.fill("#follow-up input[name=subject]", "The broker refuses connections again")
    page.fill("#follow-up textarea[name=description]", "Same error since this morning.")
    page.check("#follow-up input[name=priority][value=P2]")
    page.check("#follow-up input[name=unmodified_build]")
    shot(page, "20-customer-follow-up")
    page.click("#follow-up button[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))

    follow_up = Ticket.objects.get(follow_up_of=old)
    assert page.url.endswith(f"/tickets/{follow_up.pk}/")
    assert (follow_up.priority, follow_up.subject) == ("P2", "The broker refuses connections again")
    assert page.locator(f"a[href='/tickets/{old.pk}/']").count() >= 1

    page.click("a[href='/account/notifications/']")
    page.check("input[name=level][value=mine]")
    shot(page, "21-customer-notifications")
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert "Your notification setting is saved." in page.content()
    assert NotificationSetting.objects.get(user=user).level == Level.MINE
