"""Calendar features for the global model: the Spring Festival moves, so it is a table.

The first day of the lunar new year falls between 21 January and 20 February; demand of
Chinese manufacturers and shops dips (plants shut) or peaks (gifts, stocking up) around it,
in a different week every year. A seasonal model keyed to the week of the year smears that
out; a feature saying "this period overlaps the festival" lets the global model place it.
The table covers 2000–2035 (the demo's shorter table in `network/demo/holidays.py` agrees
on 2023–2027).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from supplymesh.planning.forecast.problem import FloatArray

_SF = {
    2000: (2, 5), 2001: (1, 24), 2002: (2, 12), 2003: (2, 1), 2004: (1, 22), 2005: (2, 9),
    2006: (1, 29), 2007: (2, 18), 2008: (2, 7), 2009: (1, 26), 2010: (2, 14), 2011: (2, 3),
    2012: (1, 23), 2013: (2, 10), 2014: (1, 31), 2015: (2, 19), 2016: (2, 8), 2017: (1, 28),
    2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22),
    2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
    2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}  # fmt: skip
SPRING_FESTIVAL: dict[int, date] = {y: date(y, m, d) for y, (m, d) in _SF.items()}
"""First day of the lunar new year, 2000–2035."""

BEFORE_DAYS = 5
AFTER_DAYS = 9
"""The festival window: plants shut a few days before and about two weeks in all."""

CALENDAR_COLUMNS = ("spring_festival_share", "days_to_spring_festival", "month")


def spring_festival(year: int) -> date:
    """The first day of the lunar new year in `year`; ValueError outside 2000–2035."""
    try:
        return SPRING_FESTIVAL[year]
    except KeyError:
        raise ValueError(
            f"no Spring Festival date for {year}: the table covers 2000-2035"
        ) from None


def calendar_features(starts: Sequence[date], period_days: int = 1) -> FloatArray:
    """One row per period starting at `starts[i]` and `period_days` long (7 weekly, 1 daily).

    Columns (`CALENDAR_COLUMNS`): the share of the period's days inside the festival window,
    the days from the period's start to that year's (or next year's) festival, clipped to
    ±60, and the month (1–12).
    """
    rows = []
    for start in starts:
        days = [start + timedelta(days=k) for k in range(period_days)]
        inside = sum(_in_window(d) for d in days)
        sf = spring_festival(start.year)
        if (start - sf).days > 60:
            sf = spring_festival(start.year + 1)
        to_sf = float(np.clip((sf - start).days, -60, 60))
        rows.append((inside / period_days, to_sf, float(start.month)))
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(CALENDAR_COLUMNS))


def _in_window(day: date) -> bool:
    sf = spring_festival(day.year)
    return -BEFORE_DAYS <= (day - sf).days <= AFTER_DAYS
