"""Rest days: weekends and China's public holidays, with make-up working days (调休).

The calendar is data (``expenses/policy/holidays_cn.yaml``); this module only reads it and
answers "was this a rest day?". For years the data does not cover fully it falls back to
Saturdays and Sundays (plus whatever statutory days are listed) and says so through
``covers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import yaml


class CalendarError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    holidays: frozenset[date]
    workdays: frozenset[date]  # weekend days that are working days
    years: frozenset[int]  # fully covered (holidays and make-up workdays)
    partial_years: frozenset[int] = frozenset()

    def is_rest_day(self, day: date) -> bool:
        if day in self.holidays:
            return True
        if day in self.workdays:
            return False
        return day.weekday() >= 5

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays

    def covers(self, day: date) -> bool:
        """True when the calendar knows every holiday and make-up day of ``day``'s year."""
        return day.year in self.years


WEEKENDS_ONLY = HolidayCalendar(frozenset(), frozenset(), frozenset())


def load_calendar_text(text: str) -> HolidayCalendar:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise CalendarError("a holiday calendar is a mapping with holidays, workdays and years")
    holidays = _dates(data.get("holidays", []), "holidays")
    workdays = _dates(data.get("workdays", []), "workdays")
    clash = holidays & workdays
    if clash:
        raise CalendarError(f"dates both holiday and workday: {sorted(clash)}")
    not_weekend = sorted(d for d in workdays if d.weekday() < 5)
    if not_weekend:
        raise CalendarError(f"make-up workdays must fall on a weekend: {not_weekend}")
    return HolidayCalendar(
        holidays=holidays,
        workdays=workdays,
        years=frozenset(int(y) for y in data.get("years", [])),
        partial_years=frozenset(int(y) for y in data.get("partial_years", [])),
    )


def _dates(entries: object, name: str) -> frozenset[date]:
    if not isinstance(entries, list):
        raise CalendarError(f"{name} must be a list")
    out: set[date] = set()
    for entry in entries:
        if isinstance(entry, date):
            out.add(entry)
        elif isinstance(entry, list) and len(entry) == 2 and all(isinstance(d, date) for d in entry):
            start, end = entry
            if end < start:
                raise CalendarError(f"{name}: range {start}..{end} runs backwards")
            out.update(start + timedelta(days=i) for i in range((end - start).days + 1))
        else:
            raise CalendarError(f"{name}: {entry!r} is neither a date nor a [first, last] range")
    return frozenset(out)
