"""How the tickets app answers what the layers below it announce."""

from django.dispatch import receiver

from sla.signals import schedule_changed
from tickets.tasks import recompute_open_clocks


@receiver(schedule_changed, dispatch_uid="tickets.recompute_on_schedule_change")
def recompute_on_schedule_change(sender, **ids) -> None:
    """SLA reference data or a contract's schedule changed (sent after commit): recompute the
    clocks of the open tickets concerned, in a task."""
    narrowed = {key: value for key, value in ids.items() if key.endswith("_id") and value}
    recompute_open_clocks.delay(**narrowed)
