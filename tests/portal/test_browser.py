"""The portal in a real browser (Debian's Chromium through Playwright): a customer opens a P1
ticket with a log file and switches languages; a partner registers a subscription, a support
manager approves it in the admin, and the new named contact sets a password from the
invitation and logs in. Each step leaves a screenshot in var/screenshots/."""

import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from contracts.models import PartnerRegistration, Product, RegistrationStatus
from tests.factories import (
    PASSWORD,
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    CustomerUserFactory,
    PartnerUserFactory,
    confirm_two_factor,
    current_totp_code,
    tier,
)
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module", autouse=True)
def _seed_data_for_later_tests(django_db_blocker):
    """A transactional test ends with a flush, which would leave the reference data the
    migrations seeded (tiers, targets, calendars, products) gone for the transactional tests
    that run after these; put it back the way serialized_rollback restores it."""
    yield
    from django.db import connections

    connection = connections["default"]
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def browser(live_server, monkeypatch):
    """Started per test, after the database fixtures: Playwright's sync API runs the test in a
    greenlet with its own context, where Django opens a new connection wrapper; the serialized
    seed data must be restored (by the database fixture) before that happens."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are synchronous and safe. For these tests only: the rest of the suite keeps
    # Django's check for ORM calls from async code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # The ORM calls made while Playwright's loop ran opened their own connection: close
        # it, or PostgreSQL refuses to drop the test database at the end of the run.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()


def test_customer_opens_a_p1_ticket_sees_due_times_and_switches_language(
    live_server, page, tmp_path
):
    enterprise = Product.objects.get(code="emqx-enterprise")
    contract = ContractFactory(number="ACME-5X8", tier=tier("5x8"), products=[enterprise])
    user = CustomerUserFactory(
        email="alice@acme.test", customer=contract.customer, language="zh-hans"
    )
    ContactFactory(contract=contract, user=user)
    log_file = tmp_path / "emqx.log"
    log_file.write_text("2026-11-25 10:00:01 [error] listener tcp:default refused\n")

    log_in(page, live_server.url, "alice@acme.test")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    shot(page, "01-customer-dashboard")

    page.goto(f"{live_server.url}/tickets/new/")
    page.select_option("select[name=version]", label="5.9")
    page.check("input[name=priority][value=P1]")
    page.fill("input[name=subject]", "All clients disconnected")
    page.fill("textarea[name=description]", "Since 10:00 the cluster refuses connections.")
    page.set_input_files("input[name=attachments]", str(log_file))
    page.check("input[name=unmodified_build]")
    assert page.locator("li[data-priority=P1].selected").count() == 1
    shot(page, "02-customer-new-ticket")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))

    ticket = Ticket.objects.get(subject="All clients disconnected")
    assert ticket.priority == "P1"
    assert ticket.attachments.get().name == "emqx.log"
    response_due = page.locator(".clock[data-metric=response] .due time")
    assert "(Asia/Shanghai)" in response_due.inner_text()
    countdown = page.locator(".clock[data-metric=response] .countdown")
    page.wait_for_function("el => /\\d/.test(el.textContent)", arg=countdown.element_handle())
    assert page.locator("a[download]", has_text="emqx.log").count() == 1
    shot(page, "03-customer-ticket")

    page.select_option("#language-select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith(f"/tickets/{ticket.pk}/")
    assert page.get_by_role("heading", name="SLA clocks").count() == 1
    shot(page, "04-customer-ticket-english")
    user.refresh_from_db()
    assert user.language == "en"

    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    user.refresh_from_db()
    assert user.language == "zh-hans"

    page.goto(f"{live_server.url}/tickets/")
    assert page.locator(f"a[href='/tickets/{ticket.pk}/']").count() >= 1
    shot(page, "05-customer-ticket-list")
    page.goto(f"{live_server.url}/")
    assert page.locator(".badge[class*=sla-]").count() >= 1
    shot(page, "06-customer-dashboard-with-ticket")


def test_partner_registers_manager_approves_and_the_new_contact_logs_in(
    live_server, page, tmp_path
):
    partner_user = PartnerUserFactory(email="pat@partner.test")
    manager = get_user_model().objects.create_superuser("manager@vendor.test", PASSWORD)
    confirm_two_factor(manager)
    manager.language = "en"
    manager.save()
    CustomerFactory(name_en="Somebody Else")  # not the partner's: never offered
    proof = tmp_path / "signed-order.pdf"  # the proof check reads the content, not the name
    proof.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # The partner registers the resold subscription.
    log_in(page, live_server.url, partner_user.email)
    page.goto(f"{live_server.url}/partner/registrations/new/")
    page.fill("input[name=customer_name_en]", "Initech")
    page.fill("input[name=customer_name_zh]", "艾尼科技")
    page.get_by_label("EMQX Enterprise").check()
    page.select_option("select[name=tier]", label="7x24")
    page.select_option("select[name=licence_type]", "subscription")
    page.fill("input[name=contract_number]", "INI-2027")
    page.fill("input[name=starts_on]", "2026-12-01")
    page.fill("input[name=ends_on]", "2027-11-30")
    page.select_option("select[name=calendar]", index=1)
    page.set_input_files("input[name=proof]", str(proof))
    page.fill("input[name=contact_name]", "Dave Newman")
    page.fill("input[name=contact_email]", "dave@initech.test")
    shot(page, "07-partner-registration-form")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/partner/registrations/\d+/$"))
    registration = PartnerRegistration.objects.get(contract__number="INI-2027")
    assert registration.status == RegistrationStatus.PENDING
    shot(page, "08-partner-registration-pending")

    # The support manager approves it in the admin.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "manager@vendor.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    # Managers confirm the login with the code of their authenticator app.
    page.wait_for_url(re.compile(r"/two-factor/"))
    shot(page, "09a-admin-two-factor")
    page.fill("input[name=code]", current_totp_code(manager))
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{live_server.url}/admin/contracts/partnerregistration/")
    page.check(f"input[name=_selected_action][value='{registration.pk}']")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.wait_for_load_state()
    shot(page, "09-admin-approved")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED

    # The new named contact follows the invitation link, sets a password and logs in.
    invitation = next(m for m in mail.outbox if m.to == ["dave@initech.test"])
    link = re.search(r"https?://\S+/password/set/\S+/", invitation.body).group(0)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{urlparse(link).path}")
    page.fill("input[name=new_password1]", "Initech-Pass-2027")
    page.fill("input[name=new_password2]", "Initech-Pass-2027")
    shot(page, "10-contact-set-password")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/login/$"))
    log_in(page, live_server.url, "dave@initech.test", "Initech-Pass-2027")
    assert page.url.rstrip("/") == live_server.url
    assert page.locator("text=INI-2027").count() >= 1
    shot(page, "11-contact-dashboard")
