"""Template filters of the portal: times in a contract's zone, service hours in words, badges."""

from datetime import datetime, timedelta
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.services import community_links
from core.timefmt import local_time
from sla.business_time import HoursSyntaxError, parse_hours
from sla.models import Channel, Priority
from tickets.models import AgreementStatus, EventField, SessionStatus, SlaState, TicketStatus

register = template.Library()


# One way to show a moment: core.timefmt, the contract's zone named.
register.filter("local_time", local_time)


@register.filter
def iso_utc(value: datetime | None) -> str:
    """Machine-readable instant for <time datetime> and the countdown script."""
    if not value:
        return ""
    return value.isoformat()


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hours_in_words(pattern: str) -> str:
    """Weekly hours as people read them: `Mon–Fri 09:00–18:00`, or `around the clock` when the
    pattern is empty (always open)."""
    return _hours_in_words(pattern, translation.get_language())


# Every customer page's footer shows them: parsed and worded once per pattern and language.
@lru_cache(maxsize=256)
def _hours_in_words(pattern: str, language: str | None) -> str:
    if not pattern:
        return _("around the clock")
    try:
        weekly = parse_hours(pattern)
    except HoursSyntaxError:
        return pattern
    parts = []
    day = 0
    while day < 7:
        intervals = weekly.get(day)
        if not intervals:
            day += 1
            continue
        last = day
        while last < 6 and weekly.get(last + 1) == intervals:
            last += 1
        days = (
            str(WEEKDAYS_ABBR[day])
            if last == day
            else f"{WEEKDAYS_ABBR[day]}–{WEEKDAYS_ABBR[last]}"
        )
        times = ", ".join(f"{_hhmm(start)}–{_hhmm(end)}" for start, end in intervals)
        parts.append(f"{days} {times}")
        day = last + 1
    return "; ".join(parts)


def target_in_words(amount: int, unit: str, *, business: bool) -> str:
    """An SLA target as the contract counts it: "72 business hours" and "9 working days" under
    service hours (5x8), "4 hours" and "2 days" around the clock (7x24)."""
    if unit == "days":
        if business:
            text = ngettext("%(count)s working day", "%(count)s working days", amount)
        else:
            text = ngettext("%(count)s day", "%(count)s days", amount)
    elif business:
        text = ngettext("%(count)s business hour", "%(count)s business hours", amount)
    else:
        text = ngettext("%(count)s hour", "%(count)s hours", amount)
    return text % {"count": amount}


def counts_business_time(contract) -> bool:
    """Whether the contract's targets count service hours and working days (not 7x24)."""
    return bool(contract.agreed_hours or contract.tier.hours)


@register.filter
def service_hours(contract) -> str:
    """A contract's service hours in its own zone: `Mon–Fri 09:00–18:00 Asia/Shanghai`; an
    always-open contract is `around the clock` (the zone does not matter then)."""
    return hours_in_zone(contract.agreed_hours or contract.tier.hours, contract.timezone)


def hours_in_zone(pattern: str, zone: str) -> str:
    """What `service_hours` shows, from the hours that count and the contract's zone."""
    if not pattern:
        return hours_in_words("")
    return f"{hours_in_words(pattern)} {zone}"


@register.filter
def duration(value: timedelta | None) -> str:
    """A length of time in days, hours and minutes, the largest two units only."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts[:2]) or ngettext("%(n)d minute", "%(n)d minutes", 0) % {"n": 0}


@register.filter
def filesize(value: int | None) -> str:
    if value is None:
        return ""
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{value} B"  # pragma: no cover


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (sorting and paging links keep
    the filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    """`{{ table|get_item:key }}`: a dict lookup with a variable key (None when missing)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def channels(contract) -> str:
    """The channels of a contract's tier, by name."""
    labels = dict(Channel.choices)
    return ", ".join(str(labels.get(code, code)) for code in contract.tier.channels)


@register.filter(name="community_links")
def community_links_filter(product) -> dict[str, str]:
    return community_links(product)


def _pretty_instant(text: str) -> str:
    try:
        return f"{datetime.fromisoformat(text):%Y-%m-%d %H:%M}"
    except ValueError:
        return text


def _status_and_time(text: str, labels: dict) -> str:
    status, _sep, rest = text.partition(" ")
    label = str(labels.get(status, status))
    return f"{label} {_pretty_instant(rest)}".strip()


@register.filter
def event_value(value: str, field: str) -> str:
    """A history entry's before/after value as people read it: labels instead of codes, due
    times without seconds and offset (the page names the zone)."""
    if not value:
        return ""
    if field == EventField.STATUS:
        return str(_labels(TicketStatus).get(value, value))
    if field == EventField.PRIORITY:
        return str(_labels(Priority).get(value, value))
    if field in (EventField.SLA_RESPONSE, EventField.SLA_RESTORE, EventField.SLA_FIX):
        return str(_labels(SlaState).get(value, value))
    if field in (EventField.DUE_RESPONSE, EventField.DUE_RESTORE, EventField.DUE_FIX):
        return _pretty_instant(value)
    if field == EventField.AGREEMENT:
        return _status_and_time(value, _labels(AgreementStatus))
    if field == EventField.REMOTE_SESSION:
        return _status_and_time(value, _labels(SessionStatus))
    if field == EventField.UNSUPPORTED_BUILD:
        return _("yes") if value == "yes" else _("no")
    if field == EventField.OPENED:
        priority, _sep, channel = value.partition(" ")
        parts = (_labels(Priority).get(priority, priority), _labels(Channel).get(channel, channel))
        return " · ".join(str(part) for part in parts if part)
    return value


# --- Fast paths for long lists ---------------------------------------------------------------
# A list page renders these once per row; Model.get_FOO_display() and {% url %} cost tens of
# microseconds each, which adds up to milliseconds on a 25-row page.


@lru_cache(maxsize=64)
def _translated(choices_class, language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices_class.choices}


def _labels(choices_class) -> dict[str, str]:
    """A choices class's labels in the active language, translated once per language (a list
    or history renders them dozens of times)."""
    return _translated(choices_class, translation.get_language())


@register.filter
def status_label(ticket) -> str:
    return _labels(TicketStatus).get(ticket.status, ticket.status)


@register.filter
def sla_label(ticket) -> str:
    return _labels(SlaState).get(ticket.sla_state, ticket.sla_state)


@register.filter
def event_field_label(event) -> str:
    return field_label(event.field)


def field_label(field: str) -> str:
    """What a history entry changed, capitalised, in the active language."""
    label = _labels(EventField).get(field, field)
    return label[:1].upper() + label[1:]


@lru_cache(maxsize=64)
def _url_pattern(name: str, prefix: str) -> tuple[str, str]:
    marker = 987654321
    url = reverse(name, args=[marker])
    head, _sep, tail = url.partition(str(marker))
    return head, tail


@register.filter
def ticket_url(pk) -> str:
    """reverse("portal:ticket-detail", args=[pk]), computed once per process."""
    head, tail = _url_pattern("portal:ticket-detail", get_script_prefix())
    return f"{head}{pk}{tail}"


@register.filter
def attachment_url(pk) -> str:
    head, tail = _url_pattern("portal:attachment-download", get_script_prefix())
    return f"{head}{pk}{tail}"
