"""Row locks, always parent first: the ticket, then its clocks."""

from tickets.models import Clock, Ticket


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """The ticket row, locked for the rest of the transaction, with its contract and tier."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("contract__tier", "contract__calendar", "contract__customer")
        .get(pk=pk)
    )


def lock_clocks(ticket: Ticket) -> dict[str, Clock]:
    """The ticket's clocks by metric, locked: the beat sweep claims breaches with conditional
    UPDATEs on these rows, which then wait for this transaction and see its outcome."""
    return {c.metric: c for c in Clock.objects.select_for_update().filter(ticket=ticket)}
