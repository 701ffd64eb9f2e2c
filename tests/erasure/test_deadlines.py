"""The legal clock, with dates from the regulators' guidance."""

from datetime import UTC, date, datetime

import pytest

from heapprivacy.erasure.legal.deadlines import add_months, deadlines_compute, stopped_days
from heapprivacy.erasure.legal.jurisdictions import RULES, rule_for


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # no 31 February: that month's last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 30), date(2026, 4, 30)),  # same date next month (ICO example)
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # across the year end
        (date(2026, 9, 3), date(2026, 10, 3)),  # ICO: received 3 September → 3 October
    ],
)
def test_gdpr_gives_one_calendar_month_from_receipt(received: date, due: date) -> None:
    assert deadlines_compute(rule_for("GDPR-EU"), received).due == due


def test_a_gdpr_extension_is_two_further_months() -> None:
    deadlines = deadlines_compute(rule_for("GDPR-EU"), date(2026, 1, 31))

    assert deadlines.extended_due == date(2026, 4, 30)
    assert deadlines.extension_notice_by == date(2026, 2, 28)


def test_months_are_added_with_month_arithmetic_not_thirty_days() -> None:
    assert add_months(date(2026, 2, 1), 1) == date(2026, 3, 1)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_ccpa_gives_45_calendar_days_whatever_verification_takes() -> None:
    deadlines = deadlines_compute(rule_for("CCPA"), date(2026, 11, 20))

    assert deadlines.due == date(2027, 1, 4)
    assert deadlines.extended_due == date(2027, 2, 18)


def test_ccpa_acknowledgement_counts_business_days_past_a_holiday_weekend() -> None:
    # Friday 20 November 2026; Thanksgiving (26th) and the day after (27th) are California
    # state holidays, so ten business days run to Tuesday 8 December, not Friday 4 December.
    deadlines = deadlines_compute(rule_for("CCPA"), date(2026, 11, 20))

    assert deadlines.acknowledge_by == date(2026, 12, 8)


def test_uk_gdpr_stops_the_clock_while_clarification_is_awaited() -> None:
    rule = rule_for("GDPR-UK")

    assert deadlines_compute(rule, date(2026, 3, 2)).due == date(2026, 4, 2)
    assert deadlines_compute(rule, date(2026, 3, 2), paused_days=6).due == date(2026, 4, 8)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_a_pause_stops_the_days_from_the_one_asked_up_to_the_one_answered() -> None:
    monday, wednesday = date(2026, 3, 2), date(2026, 3, 4)

    assert stopped_days(monday, [(at(2, 9), at(2, 17))]) == 0
    assert stopped_days(monday, [(at(2, 17), at(4, 9))]) == (wednesday - monday).days
    assert stopped_days(monday, [(at(2, 9), at(3, 9)), (at(3, 10), at(4, 9))]) == 2


def test_days_stopped_before_the_clock_started_do_not_count() -> None:
    assert stopped_days(date(2026, 3, 10), [(at(3, 10), at(8, 10))]) == 0
    assert stopped_days(date(2026, 3, 10), [(at(3, 10), at(12, 10))]) == 2


def test_eu_gdpr_has_no_stop_the_clock() -> None:
    assert deadlines_compute(rule_for("GDPR-EU"), date(2026, 3, 2), paused_days=6).due == date(
        2026, 4, 2
    )


def test_virginia_and_its_copies_give_45_days_plus_one_45_day_extension() -> None:
    for code in ["VCDPA", "CPA", "CTDPA"]:
        deadlines = deadlines_compute(rule_for(code), date(2026, 1, 1))
        assert (deadlines.due, deadlines.extended_due) == (date(2026, 2, 15), date(2026, 4, 1))


def test_a_deadline_on_a_weekend_rolls_forward_when_configured(settings: object) -> None:
    settings.DEADLINE_ROLL_FORWARD = True
    # received Friday 30 January 2026 → 28 February 2026 is a Saturday → Monday 2 March
    assert deadlines_compute(rule_for("GDPR-EU"), date(2026, 1, 30)).due == date(2026, 3, 2)


def test_without_roll_forward_a_weekend_deadline_stays(settings: object) -> None:
    settings.DEADLINE_ROLL_FORWARD = False
    assert deadlines_compute(rule_for("GDPR-EU"), date(2026, 1, 30)).due == date(2026, 2, 28)


def test_every_configured_jurisdiction_has_a_rule_citing_its_source(settings: object) -> None:
    for code in settings.JURISDICTIONS:
        assert RULES[code].source
