"""Machine calendars as the solver sees them: minutes off work over the planning horizon.

A calendar (``network.model.Calendar``) gives shifts per weekday in the site's local time and
dated exceptions: ``{"date": …, "working": false}`` closes the day, ``"working": true`` opens
it (with ``start``/``end`` for overtime, else with the calendar's usual shift hours). Working
time is turned into its complement, unavailability windows ``[start, end)`` in whole minutes
from the schedule's origin, because that is what the engine takes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Window = tuple[int, int]


def _clock(text: str) -> time:
    hours, minutes = text.split(":")[:2]
    return time(int(hours) % 24, int(minutes))


def _span(day: date, start: str, end: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    begin = datetime.combine(day, _clock(start), zone)
    finish = datetime.combine(day, _clock(end), zone)
    if finish <= begin:  # a night shift ends the next morning
        finish = datetime.combine(day + timedelta(days=1), _clock(end), zone)
    return begin, finish


def working_spans(
    shifts: Sequence[Mapping[str, Any]],
    exceptions: Sequence[Mapping[str, Any]],
    timezone: str,
    first_day: date,
    last_day: date,
) -> list[tuple[datetime, datetime]]:
    """Working intervals (aware datetimes) of the days `first_day` … `last_day`, merged."""
    zone = ZoneInfo(timezone)
    special = {str(e["date"]): e for e in exceptions if "date" in e}
    spans: list[tuple[datetime, datetime]] = []
    day = first_day
    while day <= last_day:
        regular = [s for s in shifts if day.weekday() in s.get("weekdays", range(7))]
        exception = special.get(day.isoformat())
        if exception is None:
            chosen = [(str(s["start"]), str(s["end"])) for s in regular]
        elif not exception.get("working", False):
            chosen = []
        elif "start" in exception and "end" in exception:
            chosen = [(str(exception["start"]), str(exception["end"]))]
        else:
            chosen = [(str(s["start"]), str(s["end"])) for s in (regular or shifts)]
        spans.extend(_span(day, start, end, zone) for start, end in chosen)
        day += timedelta(days=1)
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def off_windows(
    shifts: Sequence[Mapping[str, Any]],
    exceptions: Sequence[Mapping[str, Any]],
    timezone: str,
    origin: datetime,
    horizon_minutes: int,
) -> tuple[Window, ...]:
    """Unavailability windows in minutes from `origin` over ``[0, horizon_minutes)``.

    A calendar without shifts means the machine is never planned off (24/7). Working spans
    shrink to whole minutes (start rounded up, end down), so no operation slips outside.
    """
    if not shifts:
        return ()
    zone = ZoneInfo(timezone)
    end = origin + timedelta(minutes=horizon_minutes)
    first = origin.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    windows: list[Window] = []
    cursor = 0
    for begin, finish in working_spans(shifts, exceptions, timezone, first, last):
        start_min = math.ceil((begin - origin).total_seconds() / 60)
        end_min = math.floor((finish - origin).total_seconds() / 60)
        if end_min <= 0 or start_min >= horizon_minutes or end_min <= start_min:
            continue
        if start_min > cursor:
            windows.append((cursor, start_min))
        cursor = max(cursor, end_min)
    if cursor < horizon_minutes:
        windows.append((cursor, horizon_minutes))
    return tuple(windows)
