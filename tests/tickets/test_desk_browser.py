"""The staff ticket page in a real browser (Debian's Chromium through Playwright): the action
buttons never cover the subject at 1280 and 1366 px, and an engineer inserts a canned reply,
filled in for the ticket, and sends it from the reply box under the thread. Screenshots in
var/screenshots/."""

import re

import pytest

from tests.factories import PASSWORD, ManagerFactory, current_totp_code
from tests.portal.test_browser import _seed_data_for_later_tests, browser, shot  # noqa: F401
from tests.tickets.helpers import MONDAY, sh
from tickets.models import CannedReply, Message
from tickets.services import agreement_propose, message_post

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_SUBJECT = (
    "Broker cluster refuses every MQTT connection after the rolling upgrade of node three "
    "and the bridge to Kafka drops messages"
)


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.fixture
def staff_page(browser, live_server):  # noqa: F811
    manager = ManagerFactory(email="desk-manager@vendor.test", first_name="Mia", last_name="Wu")
    manager.set_password(PASSWORD)
    manager.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/two-factor/"))
    page.fill("input[name=code]", current_totp_code(manager))
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    yield page, manager
    context.close()


@pytest.fixture
def busy(contract, contact, version):
    from tests.tickets.helpers import ticket_opener

    ticket = ticket_opener(contract, contact, version)(now=MONDAY, subject=LONG_SUBJECT)
    message_post(ticket=ticket, author=contact, body="Since 09:40.", now=sh(2026, 11, 23, 10, 5))
    return ticket


def test_action_buttons_never_cover_the_subject(staff_page, live_server, busy, engineer):
    page, _manager = staff_page
    message_post(ticket=busy, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))
    agreement_propose(
        ticket=busy, by=engineer, due_at=sh(2027, 3, 1, 10), reason="Release", now=MONDAY
    )
    url = f"{live_server.url}/admin/tickets/ticket/{busy.pk}/change/"

    for width in (1280, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        subject = page.locator("#ticket-subject").bounding_box()
        buttons = page.locator("#ticket-actions a")
        assert buttons.count() >= 6
        for i in range(buttons.count()):
            box = buttons.nth(i).bounding_box()
            assert not _overlap(subject, box), (width, buttons.nth(i).inner_text())
        # The thread and the reply box side by side with the facts, the reply under the thread.
        thread = page.locator("#ticket-thread").bounding_box()
        reply = page.locator("#reply-form").bounding_box()
        assert reply["y"] >= thread["y"] + thread["height"] - 1
        shot(page, f"desk-ticket-page-{width}")


def test_an_engineer_inserts_a_canned_reply_and_sends_it(staff_page, live_server, busy, contact):
    page, manager = staff_page
    contact.first_name, contact.last_name = "Lei", "Li"
    contact.save()
    CannedReply.objects.create(
        title="First answer",
        body="Dear {customer_name}, we are on ticket {ticket}. Response due {response_due}.",
    )
    page.goto(f"{live_server.url}/admin/tickets/ticket/{busy.pk}/change/")

    page.select_option("#canned-reply", label="First answer")
    page.locator("#id_body[data-canned-inserted='1']").wait_for()
    text = page.input_value("#id_body")
    assert text == (
        f"Dear Lei Li, we are on ticket #{busy.pk}. Response due 2026-11-23 12:00 (Asia/Shanghai)."
    )
    page.fill("#id_body", text + "\nMia")
    shot(page, "desk-ticket-canned-reply")
    page.click("#reply-form input[type=submit]")
    page.wait_for_url(re.compile(rf"/admin/tickets/ticket/{busy.pk}/change/$"))

    sent = Message.objects.filter(ticket=busy, author=manager).get()
    assert sent.body.startswith("Dear Lei Li, we are on ticket")
    busy.refresh_from_db()
    assert busy.assignee == manager
    assert "Dear Lei Li" in page.locator("#ticket-thread").inner_text()
