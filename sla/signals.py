"""What the sla app tells the layers above it, without importing them.

`schedule_changed` is sent (after commit) when SLA targets, a tier's hours, a holiday calendar or
a contract's schedule changed; the tickets app recomputes the clocks of the open tickets
concerned. Arguments: `calendar_id`, `tier_id`, `contract_id` (None when not narrowed by it;
all three None means every open ticket)."""

from django.dispatch import Signal

schedule_changed = Signal()
