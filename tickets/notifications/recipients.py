"""Who hears about a ticket: its customers (the reporter and the contract's named contacts), its
engineer (or, while nobody is assigned, the engineers on call; with nobody on call, the
managers), and each user's notification level."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, Subquery

from contracts.models import SupportContact
from core.roles import MANAGER, holds_role, is_support_staff, support_manager_q, support_staff_q
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
    # The roles are part of the query (one query, not one per engineer on call).
    shifts = OnCallShift.objects.filter(
        support_staff_q("engineer"), starts_at__lte=now, ends_at__gt=now
    ).select_related("engineer")
    engineers = {s.engineer_id: s.engineer for s in shifts}
    return [Person(user=user, address=user.email, staff=True) for user in engineers.values()]


def managers() -> list[Person]:
    """The support managers (and superusers), in one query; all of them are support staff."""
    staff = get_user_model().objects.filter(support_manager_q()).order_by("pk")
    return [Person(user=user, address=user.email, staff=True) for user in staff]


def support_for(ticket: Ticket, now: datetime) -> list[Person]:
    """Who answers for the ticket now: its engineer, else the engineers on call, else the
    managers (so that a customer is never left unheard)."""
    engineer = ticket.assignee
    if engineer is not None and is_support_staff(engineer):
        return [_person(engineer)]
    return pagers(now)


def pagers(now: datetime) -> list[Person]:
    """Who a page reaches: the engineers on call (on_call), or the managers when nobody is
    (managers); both read in one query."""
    covering = OnCallShift.objects.filter(
        engineer=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now
    ).order_by("-starts_at")
    people = (
        get_user_model()
        .objects.annotate(
            shift_start=Subquery(covering.values("starts_at")[:1]),
            manager_role=holds_role(MANAGER),
        )
        .filter(Q(support_staff_q(), shift_start__isnull=False) | support_manager_q())
        .order_by("pk")
    )
    # Every user read is active support staff: on call, or a manager (or both).
    people = list(people)
    engineers = sorted(
        (user for user in people if user.shift_start is not None),
        key=lambda user: user.shift_start,
        reverse=True,  # the latest shift first, as on_call
    )
    chosen = engineers or [user for user in people if user.is_superuser or user.manager_role]
    return [Person(user=user, address=user.email, staff=True) for user in chosen]


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
