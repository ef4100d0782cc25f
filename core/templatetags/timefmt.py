"""`{% load timefmt %}`: `{{ moment|local_time:zone }}` and `{{ moment|local_time_utc:zone }}`,
core.timefmt in templates."""

from django import template

from core import timefmt

register = template.Library()


@register.filter
def local_time(moment, zone: str) -> str:
    return timefmt.local_time(moment, zone)


@register.filter
def local_time_utc(moment, zone: str) -> str:
    return timefmt.local_time(moment, zone, utc=True)
