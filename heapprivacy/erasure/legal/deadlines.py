"""Deadline arithmetic: computed from the jurisdiction's rule, never typed in.

Dates are calendar dates in DEADLINE_TIME_ZONE; a deadline is the end of its day there.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from heapprivacy.erasure.legal.jurisdictions import Period, Rule, Unit


@dataclass(frozen=True)
class Deadlines:
    clock_start: date
    acknowledge_by: date | None
    due: date
    extended_due: date
    extension_notice_by: date


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day when the day does not exist.

    The day of receipt counts as day 1: received 31 January → due 28 February (29 in a leap
    year); received 30 March → due 30 April.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_business_days(start: date, days: int, rule: Rule) -> date:
    """`days` working days after `start` (weekends and the rule's public holidays skipped)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current, rule):
            days -= 1
    return current


def is_working_day(day: date, rule: Rule) -> bool:
    return day.weekday() < 5 and day not in _holidays(
        rule.holiday_country, rule.holiday_subdivision
    )


def add_period(start: date, period: Period, rule: Rule) -> date:
    if period.unit == Unit.MONTHS:
        return add_months(start, period.amount)
    if period.unit == Unit.BUSINESS_DAYS:
        return add_business_days(start, period.amount, rule)
    return start + timedelta(days=period.amount)


def roll_forward(day: date, rule: Rule) -> date:
    """The next working day, when DEADLINE_ROLL_FORWARD asks for it."""
    if not settings.DEADLINE_ROLL_FORWARD:
        return day
    while not is_working_day(day, rule):
        day += timedelta(days=1)
    return day


def stopped_days(clock_start: date, pauses: Iterable[tuple[datetime, datetime]]) -> int:
    """The calendar days the clock stood still for clarification (UK GDPR; clock.py's rule).

    A pause stops the days from the one clarification was asked on up to, not including, the
    one it arrived on, counted in DEADLINE_TIME_ZONE: asked and answered the same day stops
    nothing, Monday to Wednesday stops two. Days before `clock_start` are not counted: the clock
    was not running yet, so it could not stop. Pauses never overlap (one at a time), so neither
    do the days they stop.
    """
    return sum(
        max(0, (local_date(resumed) - max(local_date(paused), clock_start)).days)
        for paused, resumed in pauses
    )


def deadlines_compute(rule: Rule, clock_start: date, paused_days: int = 0) -> Deadlines:
    """Every date of a request. `paused_days` is time stopped for clarification (UK GDPR,
    stopped_days)."""
    pause = timedelta(days=paused_days if rule.clock_stops_for_clarification else 0)
    due = add_period(clock_start, rule.respond_within, rule) + pause
    total = Period(rule.respond_within.amount + rule.extension.amount, rule.respond_within.unit)
    acknowledge = rule.acknowledge_within
    return Deadlines(
        clock_start=clock_start,
        acknowledge_by=add_period(clock_start, acknowledge, rule) if acknowledge else None,
        due=roll_forward(due, rule),
        extended_due=roll_forward(add_period(clock_start, total, rule) + pause, rule),
        extension_notice_by=roll_forward(due, rule),
    )


def local_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.DEADLINE_TIME_ZONE)).date()


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in DEADLINE_TIME_ZONE, as an aware datetime."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(settings.DEADLINE_TIME_ZONE))


@lru_cache(maxsize=32)
def _holidays(country: str, subdivision: str | None) -> holidays.HolidayBase | dict:
    if not country:
        return {}
    return holidays.country_holidays(country, subdiv=subdivision)
