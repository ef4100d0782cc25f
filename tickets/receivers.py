"""How the tickets app answers what the layers below it announce."""

from django.dispatch import receiver

from sla.signals import schedule_changed
from tickets.models import Ticket
from tickets.sla.figures import sla_figures_mark_tickets
from tickets.tasks import recompute_open_clocks


@receiver(schedule_changed, dispatch_uid="tickets.recompute_on_schedule_change")
def recompute_on_schedule_change(sender, **ids) -> None:
    """SLA reference data or a contract's schedule changed (sent after commit): recompute the
    clocks of the open tickets concerned, in a task."""
    narrowed = {key: value for key, value in ids.items() if key.endswith("_id") and value}
    recompute_open_clocks.delay(**narrowed)


@receiver(schedule_changed, dispatch_uid="tickets.sla_figures_on_contract_change")
def sla_figures_on_contract_change(sender, contract_id=None, **ids) -> None:
    """A contract's schedule or tier changed: the SLA report counts its tickets under its tier,
    so every month in which it has tickets is recounted (closed tickets' clocks never change, so
    nothing else would mark them)."""
    if contract_id:
        sla_figures_mark_tickets(Ticket.objects.filter(contract_id=contract_id))
