"""The portal as issue 12 found it wanting (the parts a page shows without a browser): the sort
menu, targets in business terms, the product filter, why "+ New ticket" is refused, the on-duty
contact prefilled, the partner's time zones and the new customer's name, the resolve / close /
rating actions of the ticket page and the satisfaction averages of the support desk."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contracts.models import ContractStatus, Product
from tests.factories import ContactFactory, ContractFactory, CustomerUserFactory, ProductFactory
from tests.portal.conftest import OPENED
from tests.portal.test_partner_pages import _registration_data
from tickets.filters import TicketOrderingFilter
from tickets.models import Satisfaction, TicketStatus
from tickets.services import satisfaction_rate, ticket_assign, ticket_resolve

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def select_options(html: str, select_id: str) -> list[tuple[str, str]]:
    body = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)


# --- 1. the filter set ------------------------------------------------------------------------


def test_empty_fields_of_the_submitted_form_filter_nothing_out(world, login):
    url = reverse("portal:ticket-list")
    query = "?search=Broker&status=&priority=&product=&sla_state=&ordering="
    html = html_of(login(world.acme_user).get(url + query))
    assert f'href="/tickets/{world.acme_ticket.pk}/"' in html
    html = html_of(login(world.acme_user).get(url + "?search=&status=&priority=P1&product="))
    assert f'href="/tickets/{world.acme_ticket.pk}/"' in html
    html = html_of(login(world.acme_user).get(url + "?search=&priority=P4&product="))
    assert f'href="/tickets/{world.acme_ticket.pk}/"' not in html


# --- 2. the sort menu -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_sort_menu_has_one_whole_label_per_sort_in_the_users_language(world, login, language):
    world.acme_user.language = language
    world.acme_user.save()
    html = html_of(login(world.acme_user).get(reverse("portal:ticket-list")))
    options = select_options(html, "f-ordering")
    values = [v for v, _label in options]
    labels = [label for _v, label in options]
    assert len(set(values)) == len(values) and len(set(labels)) == len(labels), options
    assert values[0] == "" and "due" not in values  # the default order is listed once
    with translation.override(language):
        expected = {str(label) for label in TicketOrderingFilter.SORT_LABELS.values()}
    for label in labels:
        assert "descending" not in label and "(" not in label, label
        assert label[:1].lower() + label[1:] in {e[:1].lower() + e[1:] for e in expected}
        assert bool(CJK.search(label)) == (language == "zh-hans"), label


# --- 5. business terms, products, New ticket, on-duty, partner form ---------------------------


def test_a_5x8_target_reads_in_business_hours_and_working_days(world, login):
    html = html_of(
        login(world.acme_user).get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk]))
    )
    assert re.search(r"target \d+ business hours?<", html)
    assert not re.search(r"target \d+ hours", html)
    assert re.search(r"target \d+ working days", html)


def test_a_7x24_target_reads_in_hours_and_days(world, login):
    html = html_of(
        login(world.globex_user).get(reverse("portal:ticket-detail", args=[world.globex_ticket.pk]))
    )
    assert re.search(r"target \d+ hours?<", html)
    assert "business hour" not in html and "working day" not in html


def test_one_business_hour_is_singular(world, login):
    from portal.templatetags.portal_tags import target_in_words

    with translation.override("en"):
        assert target_in_words(1, "hours", business=True) == "1 business hour"
        assert target_in_words(1, "days", business=True) == "1 working day"
        assert target_in_words(9, "days", business=False) == "9 days"
    with translation.override("zh-hans"):
        assert CJK.search(target_in_words(72, "hours", business=True))


def test_the_product_filter_offers_the_products_of_the_customers_contracts_only(world, login):
    ProductFactory(name="Some Other Product")  # commercially supported, on no Acme contract
    html = html_of(login(world.acme_user).get(reverse("portal:ticket-list")))
    labels = [label for _v, label in select_options(html, "f-product")]
    assert labels[1:] == ["EMQX Enterprise"]
    assert Product.objects.filter(commercially_supported=True).count() > 2


@pytest.mark.parametrize("page", ["portal:ticket-list", "portal:dashboard"])
def test_a_user_of_a_pending_contract_is_told_why_no_ticket_can_be_opened(world, login, page):
    contract = ContractFactory(
        number="NEW-1", status=ContractStatus.PENDING, products=[world.enterprise]
    )
    user = ContactFactory(contract=contract).user
    html = html_of(login(user).get(reverse(page)))
    assert "data-new-ticket-refused" in html
    assert "Contract NEW-1 has not been verified yet" in html
    assert f'href="{reverse("portal:ticket-create")}"' not in html.split("</header>", 1)[1]


@pytest.mark.parametrize("page", ["portal:ticket-list", "portal:dashboard"])
def test_a_named_contact_of_an_active_contract_gets_the_new_ticket_button(world, login, page):
    html = html_of(login(world.acme_user).get(reverse(page)))
    assert "data-new-ticket-refused" not in html
    assert "+ New ticket" in html


def test_the_on_duty_contact_is_prefilled_with_the_users_name_and_phone(world, login):
    user = world.globex_user
    user.first_name, user.last_name, user.phone = "Bob", "Stone", "+49 30 5555"
    user.save()
    html = html_of(login(user).get(reverse("portal:ticket-create")))
    assert re.search(r'name="on_duty_name"[^>]*value="Bob Stone"', html)
    assert re.search(r'name="on_duty_phone"[^>]*value="\+49 30 5555"', html)


def test_the_priority_help_does_not_say_beside_the_form(world, login):
    html = html_of(login(world.acme_user).get(reverse("portal:ticket-create")))
    assert "beside the form" not in html
    assert 'href="#priority-guide"' in html and 'id="priority-guide"' in html


def test_the_partners_time_zones_are_places_only(world, login):
    html = html_of(login(world.partner_user).get(reverse("portal:registration-create")))
    zones = [v for v, _label in re.findall(r'<option value="([^"]*)"()', html) if "/" in v]
    assert "Asia/Shanghai" in zones and "Europe/Berlin" in zones
    for name in ("Factory", "localtime", "UTC", "Etc/GMT+8", "US/Pacific", "posixrules"):
        assert f'<option value="{name}"' not in html, name


def test_the_new_customers_name_is_not_labelled_optional(world, login):
    html = html_of(login(world.partner_user).get(reverse("portal:registration-create")))
    label = re.search(r'<label for="id_customer_name_en">(.*?)</label>', html, re.S).group(1)
    assert "optional" not in label
    assert "Required when no existing customer is chosen." in html


def test_no_customer_and_no_name_is_a_form_error_with_a_code(world, login):
    from contracts.forms import PartnerRegistrationForm

    data = _registration_data(world, customer_name_en="")
    proof = data.pop("proof")
    form = PartnerRegistrationForm(data, {"proof": proof}, user=world.partner_user)
    assert not form.is_valid()
    assert form.has_error("customer_name_en", code="required_for_new_customer")
    response = login(world.partner_user).post(reverse("portal:registration-create"), data)
    assert response.status_code == 200


# --- 6. resolve, close, rate on the ticket page ------------------------------------------------


def test_the_customer_resolves_closes_and_rates_from_the_ticket_page(world, login):
    client = login(world.acme_user)
    ticket = world.acme_ticket
    page = html_of(client.get(reverse("portal:ticket-detail", args=[ticket.pk])))
    assert 'id="resolve"' in page and 'id="rating"' not in page

    response = client.post(reverse("portal:ticket-resolve", args=[ticket.pk]), {"note": "Ok."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    page = html_of(client.get(reverse("portal:ticket-detail", args=[ticket.pk])))
    assert 'id="confirm-resolution"' in page and 'id="rating"' in page

    response = client.post(reverse("portal:ticket-rate", args=[ticket.pk]), {"score": "9"})
    assert response.status_code == 200  # the form again, with its error
    assert not Satisfaction.objects.exists()
    client.post(reverse("portal:ticket-rate", args=[ticket.pk]), {"score": "5", "comment": "Great"})
    assert Satisfaction.objects.get().score == 5

    client.post(reverse("portal:ticket-close", args=[ticket.pk]))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_a_partner_cannot_resolve_its_customers_ticket(world, login):
    response = login(world.partner_user).post(
        reverse("portal:ticket-resolve", args=[world.globex_ticket.pk])
    )
    assert response.status_code == 404
    world.globex_ticket.refresh_from_db()
    assert world.globex_ticket.status != TicketStatus.RESOLVED


# --- satisfaction in the support desk ---------------------------------------------------------


def _rated_world(world):
    ticket = world.acme_ticket
    ticket_assign(ticket=ticket, engineer=world.engineer, by=world.manager, now=OPENED)
    ticket_resolve(ticket=ticket, by=world.engineer, now=OPENED + timedelta(hours=3))
    satisfaction_rate(ticket=ticket, user=world.acme_user, score=4, now=OPENED + timedelta(hours=4))
    satisfaction_rate(
        ticket=ticket, user=world.acme_colleague, score=1, now=OPENED + timedelta(hours=5)
    )


def test_managers_see_the_average_per_month_tier_and_engineer(world, login):
    _rated_world(world)
    html = html_of(login(world.manager).get(reverse("admin:tickets_satisfaction_changelist")))
    assert 'id="satisfaction-averages"' in html
    assert "2.50 of 5 from 2 ratings" in html
    month = re.search(r'id="satisfaction-by-month".*?</table>', html, re.S).group(0)
    assert "2026-11" in month and "2.50" in month
    tier_table = re.search(r'id="satisfaction-by-tier".*?</table>', html, re.S).group(0)
    assert world.acme_contract.tier.name in tier_table
    engineers = re.search(r'id="satisfaction-by-engineer".*?</table>', html, re.S).group(0)
    assert world.engineer.email in engineers or world.engineer.get_full_name() in engineers


def test_the_ratings_page_costs_the_same_queries_whatever_the_number_of_ratings(
    world, login, django_assert_max_num_queries
):
    _rated_world(world)
    client = login(world.manager)
    url = reverse("admin:tickets_satisfaction_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        user = CustomerUserFactory(customer=world.acme_contract.customer)
        satisfaction_rate(ticket=world.acme_ticket, user=user, score=3, now=OPENED)
    with django_assert_max_num_queries(len(few)):
        client.get(url)
    assert len(few) <= 20


def test_engineers_see_the_ratings_but_not_the_averages(world, login):
    _rated_world(world)
    html = html_of(login(world.engineer).get(reverse("admin:tickets_satisfaction_changelist")))
    assert "★★★★☆" in html
    assert 'id="satisfaction-averages"' not in html


def test_staff_without_a_role_do_not_see_the_ratings(world, login):
    _rated_world(world)
    response = login(world.roleless).get(reverse("admin:tickets_satisfaction_changelist"))
    assert response.status_code in (302, 403)


def test_nobody_changes_a_rating_in_the_desk(world, login):
    _rated_world(world)
    rating = Satisfaction.objects.first()
    client = login(world.manager)
    url = reverse("admin:tickets_satisfaction_change", args=[rating.pk])
    client.post(url, {"score": "5", "comment": "edited"})
    rating.refresh_from_db()
    assert rating.comment == ""
    assert client.get(reverse("admin:tickets_satisfaction_add")).status_code == 403
