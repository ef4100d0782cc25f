"""The portal's part of notifications and replies after resolution: the customer's notification
level, a reply that reopens a resolved ticket, the follow-up of a closed ticket."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets.models import Ticket, TicketStatus
from tickets.notifications.models import Level, NotificationSetting
from tickets.services import ticket_close, ticket_resolve

pytestmark = pytest.mark.django_db


def resolve(world, *, close=False):
    now = timezone.now()
    ticket = world.acme_ticket
    ticket_resolve(ticket=ticket, by=world.engineer, now=now - timedelta(minutes=2))
    if close:
        ticket_close(ticket=ticket, by=world.engineer, now=now - timedelta(minutes=1))
    return ticket


def test_a_customer_chooses_how_much_they_hear(world, login, client):
    login(world.acme_user)
    url = reverse("portal:notification-settings")

    page = client.get(url).content.decode()
    assert 'value="all" checked' in page.replace("\n", " ") or "checked" in page
    response = client.post(url, {"level": Level.MINE}, follow=True)

    assert "Your notification setting is saved." in response.content.decode()
    assert NotificationSetting.objects.get(user=world.acme_user).level == Level.MINE


def test_an_unknown_level_is_a_form_error(world, login, client):
    login(world.acme_user)

    response = client.post(reverse("portal:notification-settings"), {"level": "loud"})

    assert response.status_code == 200
    assert not NotificationSetting.objects.exists()


def test_a_reply_to_a_resolved_ticket_reopens_it(world, login, client):
    ticket = resolve(world)
    login(world.acme_user)

    page = client.get(reverse("portal:ticket-detail", args=[ticket.pk])).content.decode()
    assert "your reply reopens the ticket" in page
    response = client.post(
        reverse("portal:ticket-reply", args=[ticket.pk]), {"body": "Still broken."}, follow=True
    )

    assert "the ticket is reopened" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESTORED


def test_a_closed_ticket_offers_a_follow_up_linked_to_it(world, login, client):
    ticket = resolve(world, close=True)
    login(world.acme_user)

    page = client.get(reverse("portal:ticket-detail", args=[ticket.pk])).content.decode()
    assert "This ticket is closed" in page
    assert reverse("portal:ticket-follow-up", args=[ticket.pk]) in page
    response = client.post(
        reverse("portal:ticket-follow-up", args=[ticket.pk]),
        {"subject": "It is back", "description": "Same error again.", "priority": "P2",
         "unmodified_build": "on"},
        follow=True,
    )  # fmt: skip

    follow_up = Ticket.objects.get(follow_up_of=ticket)
    assert response.redirect_chain[-1][0] == reverse("portal:ticket-detail", args=[follow_up.pk])
    assert (follow_up.subject, follow_up.priority) == ("It is back", "P2")
    assert f'href="{reverse("portal:ticket-detail", args=[ticket.pk])}"' in (
        response.content.decode()
    )


def test_a_follow_up_without_the_build_declaration_is_refused_on_the_form(world, login, client):
    ticket = resolve(world, close=True)
    login(world.acme_user)

    response = client.post(
        reverse("portal:ticket-follow-up", args=[ticket.pk]),
        {"subject": "It is back", "description": "Again.", "priority": "P2"},
    )

    assert response.status_code == 200
    assert "Commercial support covers unmodified software only" in response.content.decode()
    assert not Ticket.objects.filter(follow_up_of=ticket).exists()


def test_only_a_closed_ticket_gets_a_follow_up(world, login, client):
    login(world.acme_user)

    response = client.post(
        reverse("portal:ticket-follow-up", args=[world.acme_ticket.pk]),
        {"subject": "x", "description": "y", "priority": "P3", "unmodified_build": "on"},
        follow=True,
    )

    assert "Only a closed ticket gets a follow-up" in response.content.decode()
    assert not Ticket.objects.filter(follow_up_of=world.acme_ticket).exists()
