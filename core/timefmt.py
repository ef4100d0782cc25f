"""How a moment is shown to people: in the contract's time zone, always naming the zone.

Every page, e-mail and admin column uses `local_time`; staff pages may add UTC."""

import zoneinfo
from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=256)
def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone `name`, or None when there is no such zone."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def local_time(moment: datetime | None, zone: str, *, utc: bool = False) -> str:
    """`2026-11-30 10:30 (Asia/Shanghai)`; with `utc`, `… · 2026-11-30 02:30 UTC` follows.
    An unknown zone shows the moment in UTC, said so. None gives an empty string."""
    if moment is None:
        return ""
    tz = zone_named(zone)
    if tz is None:
        return _in_utc(moment)
    text = f"{moment.astimezone(tz):%Y-%m-%d %H:%M} ({zone})"
    return f"{text} · {_in_utc(moment)}" if utc else text


def _in_utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def local_iso(moment: datetime | None, zone: str) -> str:
    """ISO 8601 in the zone, to the minute, with its offset: the stable form the ticket history
    stores (`2026-11-30T10:30+08:00`)."""
    if moment is None:
        return ""
    tz = zone_named(zone) or UTC
    return moment.astimezone(tz).isoformat(timespec="minutes")
