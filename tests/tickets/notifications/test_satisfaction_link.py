"""The resolved notification asks the customer how it went: a signed link, for that ticket and
that user, that rates without logging in and expires (tickets.satisfaction)."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client
from freezegun import freeze_time

from tests.tickets.helpers import MONDAY
from tests.tickets.notifications.conftest import send
from tickets.models import Satisfaction
from tickets.notifications.models import Notification
from tickets.services import message_post, ticket_reopen, ticket_resolve

pytestmark = pytest.mark.django_db
LATER = MONDAY + timedelta(minutes=30)
LINK = re.compile(r"https?://\S+/satisfaction/\S+/")


def resolved(open_ticket, engineer):
    ticket = open_ticket()
    message_post(ticket=ticket, author=engineer, body="Looking at it.", now=LATER)
    Notification.objects.all().delete()
    ticket_resolve(ticket=ticket, by=engineer, note="Fixed in 5.8.2.", now=LATER)
    send()
    return ticket


def rating_path(smtp_server, address) -> str:
    text = smtp_server.to(address)[0].text
    return urlparse(LINK.search(text).group(0)).path


def test_the_resolved_mail_has_a_link_that_rates_without_logging_in(
    smtp_server, open_ticket, contact, engineer
):
    ticket = resolved(open_ticket, engineer)
    path = rating_path(smtp_server, contact.email)
    client = Client()  # nobody logged in

    page = client.get(path)
    assert page.status_code == 200
    assert not Satisfaction.objects.exists()  # opening the link (or a mail scanner) rates nothing
    response = client.post(path, {"score": "4", "comment": "Quick and clear."})

    assert response.status_code == 200
    rating = Satisfaction.objects.get()
    assert (rating.ticket, rating.user, rating.score) == (ticket, contact, 4)
    assert rating.comment == "Quick and clear."


def test_rating_again_through_the_link_replaces_the_rating(
    smtp_server, open_ticket, contact, engineer
):
    resolved(open_ticket, engineer)
    path = rating_path(smtp_server, contact.email)
    Client().post(path, {"score": "2"})
    Client().post(path, {"score": "5"})
    assert list(Satisfaction.objects.values_list("score", flat=True)) == [5]


def test_each_recipient_gets_a_link_of_their_own(
    smtp_server, open_ticket, contact, second_contact, engineer
):
    resolved(open_ticket, engineer)
    Client().post(rating_path(smtp_server, second_contact.email), {"score": "3"})
    assert Satisfaction.objects.get().user == second_contact


def test_staff_mails_have_no_rating_link(smtp_server, open_ticket, contact, engineer, on_call):
    ticket = open_ticket(priority="P3")
    message_post(ticket=ticket, author=engineer, body="Looking at it.", now=LATER)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)
    Notification.objects.all().delete()
    message_post(ticket=ticket, author=contact, body="Still broken.", now=LATER)
    send()
    for item in smtp_server.received:
        assert not LINK.search(item.text)


def test_an_expired_or_altered_link_is_refused(smtp_server, open_ticket, contact, engineer):
    with freeze_time(LATER):
        resolved(open_ticket, engineer)
    path = rating_path(smtp_server, contact.email)

    with freeze_time(LATER + timedelta(days=31)):
        assert Client().post(path, {"score": "5"}).status_code == 410
    assert Client().post(path[:-3] + "x/", {"score": "5"}).status_code == 410
    assert not Satisfaction.objects.exists()


def test_the_link_stops_working_while_the_ticket_is_reopened(
    smtp_server, open_ticket, contact, engineer
):
    ticket = resolved(open_ticket, engineer)
    path = rating_path(smtp_server, contact.email)
    ticket_reopen(ticket=ticket, by=engineer, reason="Came back.", now=LATER)
    assert Client().post(path, {"score": "1"}).status_code == 410
    assert not Satisfaction.objects.exists()
