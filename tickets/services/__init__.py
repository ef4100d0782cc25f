"""Every write to tickets goes through these services (STYLE.md: `<entity>_<verb>`, keyword-only,
`now=` passed in, one transaction each, the ticket row locked for state changes, each change a
unit of work: tickets.services.change). The SLA summary rule is tickets.sla.summary."""

from tickets.services.agreements import (
    agreement_accept,
    agreement_decline,
    agreement_propose,
    agreement_withdraw,
)
from tickets.services.attachments import ALLOWED_TYPES, attachment_add, attachment_check
from tickets.services.errors import TicketError
from tickets.services.lifecycle import (
    ticket_close,
    ticket_follow_up,
    ticket_open,
    ticket_reopen,
    ticket_resolve,
    ticket_resolve_by_customer,
    ticket_restore,
    ticket_resume,
    ticket_wait_for_customer,
)
from tickets.services.messages import call_log, message_post
from tickets.services.recompute import ticket_clocks_recompute
from tickets.services.remote import (
    remote_session_cancel,
    remote_session_record,
    remote_session_request,
)
from tickets.services.satisfaction import can_rate, satisfaction_rate
from tickets.services.triage import ticket_assign, ticket_downgrade, ticket_mark_unsupported_build

__all__ = [
    "ALLOWED_TYPES",
    "TicketError",
    "agreement_accept",
    "agreement_decline",
    "agreement_propose",
    "agreement_withdraw",
    "attachment_add",
    "attachment_check",
    "call_log",
    "can_rate",
    "message_post",
    "remote_session_cancel",
    "remote_session_record",
    "remote_session_request",
    "satisfaction_rate",
    "ticket_assign",
    "ticket_clocks_recompute",
    "ticket_close",
    "ticket_downgrade",
    "ticket_follow_up",
    "ticket_mark_unsupported_build",
    "ticket_open",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_resolve_by_customer",
    "ticket_restore",
    "ticket_resume",
    "ticket_wait_for_customer",
]
