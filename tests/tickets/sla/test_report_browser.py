"""The SLA report in a real browser (Debian's Chromium through Playwright): a manager logs in,
changes the period in the form, reads the chart, follows a breached count to the tickets behind
it and downloads the CSV. Screenshots in var/screenshots/ (English and Chinese)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from sla.models import Metric
from tests.factories import PASSWORD, ContractFactory, confirm_two_factor, current_totp_code, tier
from tests.portal.test_browser import (  # noqa: F401 (fixtures)
    _seed_data_for_later_tests,
    browser,
    shot,
)
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets.models import SlaState
from tickets.sla.figures import month_of, sla_figures_refresh

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _history(now):
    """Three months of 5x8 P1 tickets: each month one response met and one breached."""
    contract = ContractFactory(tier=tier("5x8"))
    breached = []
    for months_ago in range(3):
        opened = now - timedelta(days=31 * months_ago + 1)
        met = TicketFactory(contract=contract, opened_at=opened, subject=f"Met {months_ago}")
        ClockFactory(ticket=met, metric=Metric.RESPONSE, state=SlaState.MET, met_at=opened)
        late = TicketFactory(contract=contract, opened_at=opened, subject=f"Late {months_ago}")
        ClockFactory(
            ticket=late,
            metric=Metric.RESPONSE,
            state=SlaState.BREACHED,
            breached_at=opened + timedelta(hours=2),
        )
        breached.append(late)
    sla_figures_refresh(now=now, full=True)
    return breached


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_reads_the_chart_follows_a_breach_and_downloads_the_csv(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    language,
):
    now = timezone.now()
    breached = _history(now)
    manager = get_user_model().objects.create_superuser("boss@vendor.test", PASSWORD)
    manager.language = language
    manager.save(update_fields=["language"])
    confirm_two_factor(manager)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "boss@vendor.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/two-factor/"))
    page.fill("input[name=code]", current_totp_code(manager))
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/tickets/report/")
    first = month_of(now - timedelta(days=63))
    page.fill("input[name=since]", f"{first:%Y-%m}")
    page.select_option("select[name=tier]", "5x8")
    page.click("form.sla-report-filter input[type=submit]")
    page.wait_for_url(re.compile(r"since="))
    # One point per month at 50 % met, for the response metric.
    shares = page.eval_on_selector_all(
        "circle[data-metric=response]", "dots => dots.map(d => d.dataset.share)"
    )
    assert shares and set(shares) == {"50.0"}
    shot(page, f"sla-report-{language}")

    with page.expect_download() as download:
        page.click("a[download]")
    csv_text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert csv_text.count("\n") == 1 + 3 * 3  # header, 3 months x 3 metrics

    page.click("a.sla-breached-link >> nth=0")
    page.wait_for_url(re.compile(r"/admin/tickets/ticket/\?"))
    subjects = page.eval_on_selector_all("#result_list tbody tr", "rows => rows.length")
    assert subjects == 1
    assert page.locator("#result_list").inner_text().count("Late ") == 1
    assert any(t.subject in page.content() for t in breached)
    shot(page, f"sla-report-breached-tickets-{language}")
    context.close()
