"""Badges: one markup and one stylesheet (static/css/badges.css) for the portal and the admin.

`<span class="badge {family}-{kind}">label</span>`: the family says what is shown (`sla`,
`status`, `prio`, or `tone` for a plain colour), the kind picks the colour."""

from functools import lru_cache

from django.db.models import Choices
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

TONES = ("green", "amber", "red", "grey", "blue")


def badge(label, kind: str = "", family: str = "tone", title: str = "") -> SafeString:
    css = f"badge {family}-{kind}" if kind else "badge"
    if title:
        return format_html('<span class="{}" title="{}">{}</span>', css, title, label)
    return format_html('<span class="{}">{}</span>', css, label)


def sla_badge(state: str, label) -> SafeString:
    """A ticket's or a clock's SLA state; no state (a ticket without clocks) shows a dash."""
    if not state:
        return badge("—", "not_applicable", "sla")
    return badge(label, state, "sla")


def sla_badge_of(state: str, choices: type[Choices]) -> SafeString:
    """sla_badge with the label of `state` in `choices` (as get_FOO_display reads it), drawn
    once per language and state: a list shows the same few badges on every row."""
    return _sla_badge_of(get_language(), choices, state)


@lru_cache(maxsize=512)
def _sla_badge_of(language: str | None, choices: type[Choices], state: str) -> SafeString:
    return sla_badge(state, str(dict(choices.choices).get(state, state)))


def status_badge(status: str, label) -> SafeString:
    return badge(label, status, "status")
