"""Remote sessions (screen sharing), booked inside the contract's service hours."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.schedule import contract_schedule
from core.moments import require_supported_moment
from tickets import history
from tickets.models import RemoteSession, SessionStatus, Ticket
from tickets.notifications.events import notify
from tickets.notifications.models import Event
from tickets.services.checks import require_open, require_text
from tickets.services.errors import TicketError
from tickets.services.locks import lock_ticket
from tickets.services.permissions import require_participant, require_staff

MAX_SESSION_MINUTES = 240


def _lock(session: RemoteSession) -> tuple[Ticket, RemoteSession]:
    ticket = lock_ticket(session.ticket_id)
    session = RemoteSession.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.REQUESTED:
        raise TicketError(
            _("This session is already %(status)s.") % {"status": session.get_status_display()},
            code="session_decided",
        )
    return ticket, session


@transaction.atomic
def remote_session_request(
    *,
    ticket: Ticket,
    by,
    starts_at: datetime,
    project_context: str,
    duration_minutes: int = 30,
    now: datetime,
) -> RemoteSession:
    """Book a remote session on an open ticket. The whole session must lie inside the contract's
    service hours (docs/spec.md: the vendor contacts customers only then; any time under 7x24)."""
    ticket = lock_ticket(ticket)
    require_participant(by, ticket)
    require_open(ticket)
    project_context = require_text(
        project_context,
        "project_context",
        _("Describe the project: deployment, versions, what is failing."),
    )
    if not 1 <= duration_minutes <= MAX_SESSION_MINUTES:
        raise TicketError(
            _("A session lasts between 1 and %(max)d minutes.") % {"max": MAX_SESSION_MINUTES},
            code="invalid_duration",
            field="duration_minutes",
        )
    if starts_at is None or starts_at.tzinfo is None:
        raise TicketError(_("Choose when the session starts."), code="required", field="starts_at")
    require_supported_moment(starts_at, "starts_at")
    if starts_at <= now:
        raise TicketError(
            _("The session must start in the future."), code="in_past", field="starts_at"
        )
    duration = timedelta(minutes=duration_minutes)
    schedule = contract_schedule(ticket.contract)
    if schedule.service_time_between(starts_at, starts_at + duration) != duration:
        contract = ticket.contract
        raise TicketError(
            _(
                "Remote sessions take place inside the service hours of contract %(number)s "
                "(%(hours)s, %(zone)s time, working days). Please choose another time."
            )
            % {
                "number": contract.number,
                "hours": contract.service_hours,
                "zone": contract.timezone,
            },
            code="outside_service_hours",
            field="starts_at",
        )
    session = RemoteSession.objects.create(
        ticket=ticket,
        requested_by=by,
        requested_at=now,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        project_context=project_context,
    )
    history.record([history.remote_session_changed(ticket, session, by=by, at=now)])
    _notify(Event.SESSION_REQUESTED, session, ticket, by=by, now=now)
    return session


def _notify(event: str, session: RemoteSession, ticket: Ticket, *, by, now, text="") -> None:
    notify(
        event,
        ticket=ticket,
        by=by,
        now=now,
        text=text,
        ref=f"{session.pk}",
        params={"due_at": session.starts_at.isoformat()},
    )


@transaction.atomic
def remote_session_record(
    *, session: RemoteSession, by, next_steps: str, follow_up: str, now: datetime
) -> RemoteSession:
    """After the session, the engineer records the next steps and the planned follow-up, which
    the customer sees on the ticket."""
    require_staff(by, "tickets.change_remotesession")
    ticket, session = _lock(session)
    next_steps = require_text(next_steps, "next_steps", _("Write the next steps."))
    if now < session.starts_at:
        raise TicketError(_("The session has not started yet."), code="not_started")
    session.status = SessionStatus.DONE
    session.engineer = by
    session.next_steps = next_steps
    session.follow_up = follow_up.strip()
    session.recorded_at = now
    session.save(update_fields=["status", "engineer", "next_steps", "follow_up", "recorded_at"])
    history.record(
        [
            history.remote_session_changed(
                ticket, session, by=by, at=now, before=SessionStatus.REQUESTED, reason=next_steps
            )
        ]
    )
    text = next_steps if not session.follow_up else f"{next_steps}\n\n{session.follow_up}"
    _notify(Event.SESSION_RECORDED, session, ticket, by=by, now=now, text=text)
    return session


@transaction.atomic
def remote_session_cancel(
    *, session: RemoteSession, by, reason: str = "", now: datetime
) -> RemoteSession:
    """Cancel a requested session (support, or the customer who booked it)."""
    ticket, session = _lock(session)
    require_participant(by, ticket)
    session.status = SessionStatus.CANCELLED
    session.recorded_at = now
    session.save(update_fields=["status", "recorded_at"])
    history.record(
        [
            history.remote_session_changed(
                ticket,
                session,
                by=by,
                at=now,
                before=SessionStatus.REQUESTED,
                reason=reason.strip(),
            )
        ]
    )
    _notify(Event.SESSION_CANCELLED, session, ticket, by=by, now=now, text=reason.strip())
    return session
