"""Screenshots of the portal and the support desk at 1280 x 800 and 390 x 844, saved as
var/screenshots/<name>-<width>.png, for people to look at (issue 12). Each page only has to
answer 200: a desk page without some feature still gets its picture.

Add a page by adding a line to the lists below: (name, persona, URL or a function of the world
returning it)."""

# The browser fixtures are imported from test_browser; tests name them as parameters.
# ruff: noqa: F811

import re
from datetime import timedelta

import pytest

from tests.factories import PASSWORD, current_totp_code
from tests.portal.conftest import OPENED, build_world
from tests.portal.test_browser import (  # noqa: F401 (fixtures)
    SCREENSHOTS,
    _seed_data_for_later_tests,
    browser,
    log_in,
)
from tickets.services import satisfaction_rate, ticket_assign, ticket_resolve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIZES = [(1280, 800), (390, 844)]

PAGES = [
    # Customer
    ("customer-dashboard", "customer", "/"),
    ("customer-ticket-list", "customer", "/tickets/"),
    ("customer-ticket", "customer", lambda w: f"/tickets/{w.acme_ticket.pk}/"),
    ("customer-ticket-resolved", "customer", lambda w: f"/tickets/{w.resolved_ticket.pk}/"),
    ("customer-new-ticket", "customer", "/tickets/new/"),
    ("customer-contracts", "customer", "/contracts/"),
    # Partner
    ("partner-dashboard", "partner", "/partner/"),
    ("partner-tickets", "partner", "/partner/tickets/"),
    ("partner-registrations", "partner", "/partner/registrations/"),
    ("partner-registration-new", "partner", "/partner/registrations/new/"),
    # Support desk
    ("desk-ticket-list", "staff", "/admin/tickets/ticket/"),
    ("desk-ticket", "staff", lambda w: f"/admin/tickets/ticket/{w.acme_ticket.pk}/change/"),
    ("desk-sla-report", "staff", "/admin/tickets/report/"),
    ("desk-satisfaction", "staff", "/admin/tickets/satisfaction/"),
]
# The desk's saved views ("?view=..." links of the ticket list) are found on the page and
# added as desk-ticket-list-<view>.
DESK_LIST = "/admin/tickets/ticket/"


def _world():
    world = build_world()
    ticket = world.acme_ticket
    ticket_assign(ticket=ticket, engineer=world.engineer, by=world.manager, now=OPENED)
    resolved = build_resolved(world)
    satisfaction_rate(ticket=resolved, user=world.acme_user, score=4, comment="Quick.", now=OPENED)
    world.resolved_ticket = resolved
    return world


def build_resolved(world):
    from tests.portal.conftest import open_ticket
    from tickets.services import message_post

    ticket = open_ticket(
        world.acme_contract, world.acme_user, world.version, subject="Slow dashboard"
    )
    ticket_assign(ticket=ticket, engineer=world.engineer, by=world.manager, now=OPENED)
    message_post(
        ticket=ticket, author=world.engineer, body="Fixed by a restart.",
        now=OPENED + timedelta(minutes=20),
    )  # fmt: skip
    ticket_resolve(ticket=ticket, by=world.engineer, now=OPENED + timedelta(hours=1))
    return ticket


def _log_in_staff(page, base: str, user) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/two-factor/"))
    page.fill("input[name=code]", current_totp_code(user))
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def _shoot(page, base: str, name: str, path: str) -> None:
    response = page.goto(base + path)
    assert response.status == 200, (name, path, response.status)
    page.wait_for_load_state("networkidle")
    width = page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def test_screenshots_of_every_page_at_both_sizes(live_server, browser):
    world = _world()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    personas = {
        "customer": world.acme_user,
        "partner": world.partner_user,
        "staff": world.manager,
    }
    # Staff log in once: a TOTP code is accepted once, and both sizes may fall in one 30 s step.
    staff_session = None
    for width, height in SIZES:
        for persona, user in personas.items():
            viewport = {"width": width, "height": height}
            if persona == "staff" and staff_session is not None:
                context = browser.new_context(viewport=viewport, storage_state=staff_session)
            else:
                context = browser.new_context(viewport=viewport)
            page = context.new_page()
            page.set_default_timeout(20_000)
            if persona == "staff" and staff_session is None:
                _log_in_staff(page, live_server.url, user)
                staff_session = context.storage_state()
            elif persona == "staff":
                pass
            else:
                log_in(page, live_server.url, user.email)
            pages = [
                (n, p if isinstance(p, str) else p(world)) for n, who, p in PAGES if who == persona
            ]
            if persona == "staff":
                page.goto(live_server.url + DESK_LIST)
                views = page.eval_on_selector_all(
                    "a[href*='view=']",
                    "links => [...new Set(links.map(a => a.getAttribute('href')))]",
                )
                for href in views:
                    view = re.search(r"view=([\w-]+)", href).group(1)
                    query = href[href.index("?") :] if "?" in href else ""
                    pages.append((f"desk-ticket-list-{view}", DESK_LIST + query))
            for name, path in pages:
                _shoot(page, live_server.url, name, path)
            context.close()
    for name, _who, _path in PAGES:
        for width, _height in SIZES:
            assert (SCREENSHOTS / f"{name}-{width}.png").exists(), name
