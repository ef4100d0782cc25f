"""The range of moments the product works with. Business-time arithmetic near the ends of
Python's calendar (years 1 and 9999) overflows; no ticket, agreed time, remote session or SLA
preview is meaningful there, so such input is refused as out of range (docs/spec.md, API)."""

from datetime import UTC, date, datetime

from django.utils.translation import gettext as _

from core.errors import ServiceError

FIRST_YEAR, LAST_YEAR = 2000, 2099


def in_supported_range(value: date | datetime) -> bool:
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            return False
    return FIRST_YEAR <= value.year <= LAST_YEAR


def require_supported_moment(value: date | datetime | None, field: str | None = None) -> None:
    """Refuse (ServiceError, code "out_of_range") a date or time outside FIRST_YEAR..LAST_YEAR."""
    if value is not None and not in_supported_range(value):
        raise ServiceError(
            _("Choose a date between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="out_of_range",
            field=field,
        )
