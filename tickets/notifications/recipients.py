"""Who hears about a ticket: its customers (the reporter and the contract's named contacts), its
engineer (or, while nobody is assigned, the engineers on call; with nobody on call, the
managers), and each user's notification level."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from contracts.models import SupportContact
from core.roles import is_support_manager, is_support_staff
from tickets.models import Ticket
from tickets.notifications.models import ChatWebhook, Level, NotificationSetting, OnCallShift


@dataclass(frozen=True)
class Person:
    user: object
    address: str
    staff: bool

    @property
    def key(self) -> str:
        return self.address.strip().lower()


def _person(user, address: str = "") -> Person:
    return Person(user=user, address=address or user.email, staff=is_support_staff(user))


def customers_of(ticket: Ticket) -> list[Person]:
    """The reporter and the active named contacts of the ticket's contract, once each; a
    contact's own support address wins over the login address."""
    people = {}
    reporter = ticket.reporter
    if reporter.is_active:
        people[reporter.pk] = _person(reporter)
    contacts = SupportContact.objects.filter(
        contract_id=ticket.contract_id, user__is_active=True
    ).select_related("user")
    for contact in contacts:
        people[contact.user_id] = _person(contact.user, contact.email)
    return list(people.values())


def on_call(now: datetime) -> list[Person]:
    """The engineers whose shift covers `now`."""
    shifts = OnCallShift.objects.filter(
        starts_at__lte=now, ends_at__gt=now, engineer__is_active=True
    ).select_related("engineer")
    engineers = {s.engineer_id: s.engineer for s in shifts if is_support_staff(s.engineer)}
    return [_person(user) for user in engineers.values()]


def managers() -> list[Person]:
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("pk")
    return [_person(user) for user in staff if is_support_manager(user)]


def support_for(ticket: Ticket, now: datetime) -> list[Person]:
    """Who answers for the ticket now: its engineer, else the engineers on call, else the
    managers (so that a customer is never left unheard)."""
    engineer = ticket.assignee
    if engineer is not None and is_support_staff(engineer):
        return [_person(engineer)]
    return pagers(now)


def pagers(now: datetime) -> list[Person]:
    """Who a page reaches: the engineers on call, or the managers when nobody is."""
    return on_call(now) or managers()


def webhooks(*, pages: bool = False, sla_alerts: bool = False) -> list[ChatWebhook]:
    chats = ChatWebhook.objects.filter(active=True)
    if pages:
        chats = chats.filter(pages=True)
    if sla_alerts:
        chats = chats.filter(sla_alerts=True)
    return list(chats)


def levels(users) -> dict[int, str]:
    """Each user's notification level (all updates when never chosen)."""
    ids = [u.pk for u in users]
    chosen = dict(
        NotificationSetting.objects.filter(user_id__in=ids).values_list("user_id", "level")
    )
    return {pk: chosen.get(pk, Level.ALL) for pk in ids}


def wants(person: Person, level: str, ticket: Ticket) -> bool:
    """Whether a notification that the user may decline reaches them."""
    if level == Level.NONE:
        return False
    if level == Level.MINE:
        return person.user.pk in (ticket.reporter_id, ticket.assignee_id)
    return True
