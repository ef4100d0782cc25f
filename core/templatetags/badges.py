"""`{% load badges %}`: the badge of core.badges in templates."""

from django import template

from core import badges

register = template.Library()


@register.simple_tag
def badge(label, kind: str = "", family: str = "tone", title: str = ""):
    return badges.badge(label, kind, family, title)


@register.simple_tag
def sla_badge(state: str, label):
    return badges.sla_badge(state, label)


@register.simple_tag
def status_badge(status: str, label):
    return badges.status_badge(status, label)
