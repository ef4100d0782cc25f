"""Holiday and make-up working day rows for one country and year, from the `holidays` library.

Pure (no Django) so that both the seeding migration and the import command use it.
"""

from dataclasses import dataclass
from datetime import date

import holidays


class UnknownCountryError(ValueError):
    pass


@dataclass(frozen=True)
class DayRow:
    date: date
    kind: str  # "holiday" or "workday", as sla.models.DayKind
    name: str


def day_rows(country: str, year: int) -> list[DayRow]:
    """Public holidays of `country` in `year`, plus its official make-up working days (China's
    调休 weekends, which the library exposes as `weekend_workdays`)."""
    try:
        calendar = holidays.country_holidays(country.upper(), years=year)
    except NotImplementedError as exc:
        raise UnknownCountryError(f"The holidays library has no calendar for {country!r}.") from exc
    rows = [DayRow(day, "holiday", str(name)) for day, name in sorted(calendar.items())]
    workdays = sorted(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    rows.extend(DayRow(day, "workday", "Make-up working day") for day in workdays)
    return sorted(rows, key=lambda row: row.date)
