"""The API's tickets (the list and the detail) as plain dicts: the JSON that
tickets.api.TicketSerializer describes in the schema, built from four values() queries.

The serializer built some thirty fields per row, an attachment serializer per ticket and a DRF
DateTimeField per clock time, on model instances that the prefetches tied to their tickets in
reference cycles (only the cyclic garbage collector freed them: tens of thousands of objects per
page, collected in long pauses). Here a page is tuples in, dicts out. The two are held to the
same output, byte for byte, by tests/api/test_ticket_output.py."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from django.utils import timezone

from accounts.names import shown_name
from sla.models import Metric
from tickets.models import Agreement, Clock, SlaState
from tickets.selectors import attachments_for_user, tickets_for_user
from tickets.sla.summary import ClockFacts, clock_summary

# The ticket's own fields, in TicketSerializer.Meta.fields order, each with its column; the
# people (reporter, assignee) and sla, attachments and agreements are added where they belong.
TICKET_FIELDS = {
    "id": "id",
    "subject": "subject",
    "contract": "contract__number",
    "customer": "contract__customer__name_en",
    "tier": "contract__tier__code",
    "product": "product__code",
    "version": "version__name",
    "priority": "priority",
    "original_priority": "original_priority",
    "status": "status",
    "channel": "channel",
}
TICKET_TIMES = ["opened_at", "first_response_at", "restored_at", "resolved_at", "closed_at"]
TICKET_DETAILS = [
    "description",
    "environment",
    "on_duty_name",
    "on_duty_phone",
    "unmodified_build",
    "unsupported_build",
    "fix_target",
]


def _person(prefix: str) -> list[str]:
    return [f"{prefix}_id", f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__email"]


def _name(row: dict, prefix: str) -> str | None:
    """A person as others see them (UserNameField): the full name, or the e-mail address."""
    if row[f"{prefix}_id"] is None:
        return None
    return shown_name(
        row[f"{prefix}__first_name"], row[f"{prefix}__last_name"], row[f"{prefix}__email"]
    )


def iso_format() -> Callable[[datetime | None], str | None]:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, `Z` for UTC) without a
    field per value: the zone is read once."""
    zone = timezone.get_current_timezone()

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


def ticket_rows(user, pks: Sequence[int], *, now: datetime) -> list[dict]:
    """The tickets `pks` that `user` may see, in the order of `pks`, as the API shows them
    (TicketSerializer's fields): one query for the tickets with the names they show, one for
    their clocks, one for the files the user may download, one for the agreements."""
    if not pks:
        return []
    iso = iso_format()
    columns = [
        *TICKET_FIELDS.values(),
        *_person("reporter"),
        *_person("assignee"),
        *TICKET_TIMES,
        "next_due_at",
        "sla_state",
        *TICKET_DETAILS,
    ]
    tickets = tickets_for_user(user).filter(pk__in=pks).order_by()  # put in the order of pks
    found = {row["id"]: row for row in tickets.values(*columns)}
    ids = [pk for pk in pks if pk in found]
    if not ids:
        return []
    sla = _sla(ids, now, iso)
    attachments = _attachments(user, ids, iso)
    agreements = _agreements(ids, iso)
    rows = []
    for pk in ids:
        ticket = found[pk]
        row = {field: ticket[column] for field, column in TICKET_FIELDS.items()}
        row["reporter"] = _name(ticket, "reporter")
        row["assignee"] = _name(ticket, "assignee")
        for field in TICKET_TIMES:
            row[field] = iso(ticket[field])
        row["next_due_at"] = iso(ticket["next_due_at"])
        row["sla_state"] = ticket["sla_state"]
        row["sla"] = sla[pk]
        for field in TICKET_DETAILS:
            row[field] = ticket[field]
        row["attachments"] = attachments.get(pk, [])
        row["agreements"] = agreements.get(pk, [])
        rows.append(row)
    return rows


CLOCK_TIMES = ["due_at", "at_risk_at", "at_risk_flagged_at", "met_at"]
METRICS = Metric.values
NOT_APPLICABLE = SlaState.NOT_APPLICABLE.value


def _sla(ids: list[int], now: datetime, iso) -> dict[int, dict]:
    """SlaField's block per ticket: each metric's clock (state as the list shows it, due and met
    times), null for a metric without a clock or a target."""
    clocks: dict[int, dict[str, tuple]] = defaultdict(dict)
    rows = Clock.objects.filter(ticket_id__in=ids).order_by()
    for ticket_id, metric, *values in rows.values_list(
        "ticket_id", "metric", "state", *CLOCK_TIMES
    ):
        clocks[ticket_id][metric] = values
    blocks = {}
    for pk in ids:
        block = {}
        for metric in METRICS:
            clock = clocks[pk].get(metric)
            if clock is None:
                block[metric] = None
                continue
            state, due_at, at_risk_at, at_risk_flagged_at, met_at = clock
            if state == NOT_APPLICABLE and due_at is None:
                block[metric] = None
                continue
            facts = ClockFacts(state, due_at, at_risk_at, at_risk_flagged_at)
            block[metric] = {
                "state": clock_summary(facts, now),
                "due_at": iso(due_at),
                "met_at": iso(met_at),
            }
        blocks[pk] = block
    return blocks


def _attachments(user, ids: list[int], iso) -> dict[int, list[dict]]:
    """AttachmentSerializer's rows of the files `user` may download, in their order."""
    files = defaultdict(list)
    rows = (
        attachments_for_user(user)
        .filter(ticket_id__in=ids)
        .values(
            "ticket_id",
            "id",
            "name",
            "size",
            "content_type",
            "message_id",
            *_person("uploaded_by"),
            "uploaded_at",
        )
    )
    for row in rows:
        files[row["ticket_id"]].append(
            {
                "id": row["id"],
                "name": row["name"],
                "size": row["size"],
                "content_type": row["content_type"],
                "message": row["message_id"],
                "uploaded_by": _name(row, "uploaded_by"),
                "uploaded_at": iso(row["uploaded_at"]),
            }
        )
    return files


def _agreements(ids: list[int], iso) -> dict[int, list[dict]]:
    """AgreementSerializer's rows, newest proposal first."""
    agreements = defaultdict(list)
    rows = Agreement.objects.filter(ticket_id__in=ids).values(
        "ticket_id",
        "id",
        "due_at",
        "reason",
        "status",
        *_person("proposed_by"),
        "proposed_at",
        *_person("decided_by"),
        "decided_at",
        "written_consent",
    )
    for row in rows:
        agreements[row["ticket_id"]].append(
            {
                "id": row["id"],
                "due_at": iso(row["due_at"]),
                "reason": row["reason"],
                "status": row["status"],
                "proposed_by": _name(row, "proposed_by"),
                "proposed_at": iso(row["proposed_at"]),
                "decided_by": _name(row, "decided_by"),
                "decided_at": iso(row["decided_at"]),
                "written_consent": row["written_consent"],
            }
        )
    return agreements
