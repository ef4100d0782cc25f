"""The customer and partner portal in a real browser (Debian's Chromium through Playwright), as
issue 12 found it wanting: the ticket filter form submitted with empty fields, files a form with
an error could not keep, the phone layout (390 x 844: no sideways scroll, a folding menu, tables
as cards) and the customer's own resolve, close and rating."""

# The browser fixtures are imported from test_browser; tests name them as parameters.
# ruff: noqa: F811

import re
from datetime import timedelta

import pytest

from contracts.models import Product
from sla.models import Priority
from tests.factories import ContactFactory, ContractFactory, CustomerUserFactory, tier
from tests.portal.conftest import OPENED, build_world, open_ticket
from tests.portal.test_browser import (  # noqa: F401 (fixtures)
    _seed_data_for_later_tests,
    browser,
    log_in,
    page,
    shot,
)
from tickets.models import Satisfaction, TicketStatus
from tickets.services import message_post

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}

# Every page of the customer and the partner area, by persona (URLs built from the world).
CUSTOMER_PAGES = [
    ("dashboard", lambda w: "/"),
    ("ticket-list", lambda w: "/tickets/"),
    ("ticket-list-filtered", lambda w: "/tickets/?status=new&status=in_progress"),
    ("ticket-detail", lambda w: f"/tickets/{w.acme_ticket.pk}/"),
    ("ticket-create", lambda w: "/tickets/new/"),
    ("contract-list", lambda w: "/contracts/"),
    ("contract-contacts", lambda w: f"/contracts/{w.acme_contract.pk}/contacts/"),
    ("notification-settings", lambda w: "/account/notifications/"),
    ("api-tokens", lambda w: "/account/api-tokens/"),
]
PARTNER_PAGES = [
    ("partner-dashboard", lambda w: "/partner/"),
    ("partner-ticket-list", lambda w: "/partner/tickets/"),
    ("registration-list", lambda w: "/partner/registrations/"),
    ("registration-create", lambda w: "/partner/registrations/new/"),
    ("registration-detail", lambda w: f"/partner/registrations/{w.registration.pk}/"),
]


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# --- 1. the filter form ------------------------------------------------------------------------


def test_the_filter_form_filters_by_what_was_filled_in(live_server, page):
    enterprise = Product.objects.get(code="emqx-enterprise")
    contract = ContractFactory(number="ACME-5X8", tier=tier("5x8"), products=[enterprise])
    user = CustomerUserFactory(email="alice@acme.test", customer=contract.customer, language="en")
    ContactFactory(contract=contract, user=user)
    version = enterprise.versions.get(name="5.9")
    broker = open_ticket(contract, user, version, priority=Priority.P1, subject="Broker down")
    slow = open_ticket(contract, user, version, priority=Priority.P3, subject="Dashboard slow")

    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/tickets/")
    page.fill("#f-search", "Broker")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"search=Broker"))
    # The real form sends its empty fields too.
    assert "status=&" in page.url and "priority=&" in page.url
    assert page.locator(f"a[href='/tickets/{broker.pk}/']").count() >= 1
    assert page.locator(f"a[href='/tickets/{slow.pk}/']").count() == 0
    assert page.locator("#f-search").input_value() == "Broker"

    page.goto(f"{live_server.url}/tickets/")
    page.select_option("#f-priority", "P1")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"priority=P1"))
    assert page.locator(f"a[href='/tickets/{broker.pk}/']").count() >= 1
    assert page.locator(f"a[href='/tickets/{slow.pk}/']").count() == 0
    assert page.locator("#f-priority option:checked").get_attribute("value") == "P1"

    page.select_option("#f-priority", "P3")
    page.select_option("#f-ordering", "-opened")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"ordering=-opened"))
    assert page.locator(f"a[href='/tickets/{slow.pk}/']").count() >= 1
    assert page.locator(f"a[href='/tickets/{broker.pk}/']").count() == 0


# --- 3. files a form with an error could not keep -----------------------------------------------


def test_a_new_ticket_with_an_error_asks_for_the_files_again(live_server, page, tmp_path):
    world = build_world()
    log_file = tmp_path / "broker-crash.log"
    log_file.write_text("2026-11-25 10:00:01 [error] listener refused\n")
    log_in(page, live_server.url, world.acme_user.email)
    page.goto(f"{live_server.url}/tickets/new/")
    page.select_option("select[name=version]", label="5.9")
    page.check("input[name=priority][value=P2]")
    page.fill("textarea[name=description]", "Since 10:00 the cluster refuses connections.")
    page.set_input_files("input[name=attachments]", str(log_file))
    page.check("input[name=unmodified_build]")
    # No subject: the form comes back.
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()

    notice = page.locator("[data-files-dropped]")
    assert notice.is_visible()
    assert "broker-crash.log" in notice.inner_text()
    assert page.locator("input[name=subject]").evaluate("el => el.closest('.has-error') !== null")
    # Nothing was kept half-way.
    assert world.acme_contract.tickets.count() == 1


def test_a_registration_with_an_error_asks_for_the_proof_again(live_server, page, tmp_path):
    world = build_world()
    proof = tmp_path / "signed-order.pdf"
    proof.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    log_in(page, live_server.url, world.partner_user.email)
    page.goto(f"{live_server.url}/partner/registrations/new/")
    page.fill("input[name=customer_name_en]", "Initech")
    page.set_input_files("input[name=proof]", str(proof))
    page.click("form.stacked button[type=submit]")  # most fields missing
    page.wait_for_load_state()

    notice = page.locator("[data-files-dropped]")
    assert notice.is_visible()
    assert "signed-order.pdf" in notice.inner_text()


def test_a_form_without_files_does_not_ask_for_files(live_server, page):
    world = build_world()
    log_in(page, live_server.url, world.acme_user.email)
    page.goto(f"{live_server.url}/tickets/new/")
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-files-dropped]").count() == 0


# --- 4. phones ---------------------------------------------------------------------------------


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _check_phone_page(page, url: str) -> None:
    page.goto(url)
    assert page.evaluate("document.readyState") == "complete"
    assert _no_sideways_scroll(page), (url, page.evaluate("document.documentElement.scrollWidth"))
    header = page.locator("header.topbar")
    menu = page.locator("#topbar-menu")
    toggle = page.locator("[data-menu-toggle]")
    assert toggle.is_visible(), url
    assert not menu.is_visible(), url
    assert header.bounding_box()["height"] <= 64, url  # was about 200 px
    toggle.click()
    assert menu.is_visible(), url
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#topbar-menu .mainnav a").first.is_visible(), url
    assert _no_sideways_scroll(page), url
    toggle.click()
    assert not menu.is_visible(), url
    # Tables are cards: no header row, each cell labelled with its column.
    for table in page.locator("table.list").all():
        if table.locator("thead").count():
            assert not table.locator("thead").is_visible(), url
            first_cell = table.locator("tbody tr td").first
            assert first_cell.get_attribute("data-label"), url


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_customer_and_partner_page_fits_a_phone(live_server, phone, language):
    world = build_world()
    for user in (world.acme_user, world.globex_user, world.partner_user):
        user.language = language
        user.save()
    message_post(
        ticket=world.acme_ticket,
        author=world.acme_user,
        body="A very long line without spaces: " + "x" * 200,
        now=OPENED + timedelta(hours=5),
    )
    log_in(phone, live_server.url, world.acme_user.email)
    for _name, url in CUSTOMER_PAGES:
        _check_phone_page(phone, live_server.url + url(world))
    phone.context.clear_cookies()
    log_in(phone, live_server.url, world.partner_user.email)
    for _name, url in PARTNER_PAGES:
        _check_phone_page(phone, live_server.url + url(world))


def test_the_login_page_fits_a_phone(live_server, phone):
    phone.goto(f"{live_server.url}/login/")
    assert _no_sideways_scroll(phone)


def test_without_javascript_the_phone_menu_is_shown(live_server, browser):
    world = build_world()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, world.acme_user.email)
    page.goto(f"{live_server.url}/tickets/")
    assert page.locator("#topbar-menu .mainnav a").first.is_visible()
    assert not page.locator("[data-menu-toggle]").is_visible()
    assert _no_sideways_scroll(page)
    context.close()


# --- 6. resolve, close, rate ---------------------------------------------------------------------


def test_a_customer_marks_the_ticket_solved_rates_it_and_closes_it(live_server, page):
    world = build_world()
    ticket = world.acme_ticket  # answered by support already
    log_in(page, live_server.url, world.acme_user.email)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    assert page.locator("#rating").count() == 0  # open tickets are not rated

    page.click("#resolve summary")
    page.fill("#resolve textarea[name=note]", "The restart fixed it.")
    page.click("#resolve button[type=submit]")
    page.wait_for_selector("#confirm-resolution")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED

    page.check("#rating input[name=score][value='4']")
    page.fill("#rating textarea[name=comment]", "Quick and clear.")
    page.click("#rating button[type=submit]")
    page.wait_for_selector("[data-rated]")
    rating = Satisfaction.objects.get(ticket=ticket)
    assert (rating.user, rating.score, rating.comment) == (world.acme_user, 4, "Quick and clear.")
    assert page.locator("#rating input[name=score][value='4']").is_checked()

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#confirm-resolution button[type=submit]")
    page.wait_for_selector("#follow-up")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    shot(page, "portal-ticket-closed-rated")
