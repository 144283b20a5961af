"""Chinese holidays and shopping festivals the demo's demand and calendars follow.

The Spring Festival moves with the lunar calendar, so its dates are a table (first day of the
lunar new year, 2023-2027) rather than a rule; 618 and Double-11 are fixed Gregorian dates.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

SPRING_FESTIVAL: dict[int, date] = {
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
}

# Plants shut from a few days before the new year until the workers are back (about two weeks).
SHUTDOWN_BEFORE_DAYS = 5
SHUTDOWN_AFTER_DAYS = 9


def spring_festival(year: int) -> date:
    """The first day of the lunar new year in `year`; `ValueError` outside the table."""
    try:
        return SPRING_FESTIVAL[year]
    except KeyError:
        raise ValueError(
            f"no Spring Festival date for {year}: the table covers 2023-2027"
        ) from None


def plant_exceptions(first_year: int, last_year: int) -> list[dict[str, Any]]:
    """Non-working days of a plant: the Spring Festival shutdown, Labour Day, National Day."""
    days: set[date] = set()
    for year in range(first_year, last_year + 1):
        sf = spring_festival(year)
        span = SHUTDOWN_BEFORE_DAYS + SHUTDOWN_AFTER_DAYS + 1
        days |= {sf - timedelta(days=SHUTDOWN_BEFORE_DAYS - k) for k in range(span)}
        days |= {date(year, 5, d) for d in range(1, 4)}
        days |= {date(year, 10, d) for d in range(1, 8)}
    return [{"date": d.isoformat(), "working": False} for d in sorted(days)]


# Two shifts: A on Monday to Saturday, B on weekdays (weekday 0 = Monday).
PLANT_SHIFTS: list[dict[str, Any]] = [
    {"name": "A", "start": "07:00", "end": "15:00", "weekdays": [0, 1, 2, 3, 4, 5]},
    {"name": "B", "start": "15:00", "end": "23:00", "weekdays": [0, 1, 2, 3, 4]},
]
