"""The legal clock of each jurisdiction, in one table. Each row cites its source.

Periods are counted from the day the clock starts (receipt, or for UK GDPR the latest of
receipt, identity information and fee). The table is data: a new state that copies the
Virginia model is one more row.
"""

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    MONTHS = "months"
    DAYS = "days"  # calendar days
    BUSINESS_DAYS = "business_days"


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    respond_within: Period
    extension: Period  # the one extension allowed, counted on top of the first period
    acknowledge_within: Period | None
    # UK GDPR: the clock starts at the latest of receipt, identity information and fee, and
    # stops while clarification is awaited. Elsewhere the clock runs from receipt regardless.
    clock_waits_for_identity: bool
    clock_stops_for_clarification: bool
    holiday_country: str
    holiday_subdivision: str | None
    source: str


def _virginia_model(code: str, name: str, state: str, source: str) -> Rule:
    """The states that copy Virginia: 45 days from receipt, one 45-day extension with notice."""
    return Rule(
        code=code,
        name=name,
        respond_within=Period(45, Unit.DAYS),
        extension=Period(45, Unit.DAYS),
        acknowledge_within=None,
        clock_waits_for_identity=False,
        clock_stops_for_clarification=False,
        holiday_country="US",
        holiday_subdivision=state,
        source=source,
    )


RULES: dict[str, Rule] = {
    # Regulation (EU) 2016/679, Art. 12(3): "without undue delay and in any event within one
    # month of receipt … may be extended by two further months … The controller shall inform
    # the data subject of any such extension within one month of receipt".
    "GDPR-EU": Rule(
        code="GDPR-EU",
        name="EU GDPR",
        respond_within=Period(1, Unit.MONTHS),
        extension=Period(2, Unit.MONTHS),
        acknowledge_within=None,
        clock_waits_for_identity=False,
        clock_stops_for_clarification=False,
        holiday_country="",
        holiday_subdivision=None,
        source="GDPR Art. 12(3)",
    ),
    # UK GDPR Art. 12(3) with the ICO's guidance on the right of access / erasure "time limits":
    # the month starts on the day the controller receives the request, or the identity
    # information asked for, or the fee, whichever is latest; the clock is paused while the
    # controller awaits clarification.
    "GDPR-UK": Rule(
        code="GDPR-UK",
        name="UK GDPR",
        respond_within=Period(1, Unit.MONTHS),
        extension=Period(2, Unit.MONTHS),
        acknowledge_within=None,
        clock_waits_for_identity=True,
        clock_stops_for_clarification=True,
        holiday_country="GB",
        holiday_subdivision="ENG",
        source="UK GDPR Art. 12(3); ICO guidance, 'Time limits for responding'",
    ),
    # Cal. Code Regs. tit. 11, § 7021: confirm receipt within 10 business days; respond within
    # 45 calendar days of receipt, regardless of the time taken to verify; one extension of up
    # to 45 more days with notice and explanation within the first 45 days.
    "CCPA": Rule(
        code="CCPA",
        name="California CCPA/CPRA",
        respond_within=Period(45, Unit.DAYS),
        extension=Period(45, Unit.DAYS),
        acknowledge_within=Period(10, Unit.BUSINESS_DAYS),
        clock_waits_for_identity=False,
        clock_stops_for_clarification=False,
        holiday_country="US",
        holiday_subdivision="CA",
        source="11 CCR § 7021(a), (b)",
    ),
    # Va. Code § 59.1-577(B)(1): respond within 45 days of receipt; may be extended once by 45
    # additional days when reasonably necessary, informing the consumer within the first 45.
    "VCDPA": _virginia_model("VCDPA", "Virginia VCDPA", "VA", "Va. Code § 59.1-577(B)(1)"),
    # Colo. Rev. Stat. § 6-1-1306(2)(a)-(b): 45 days, one 45-day extension.
    "CPA": _virginia_model("CPA", "Colorado CPA", "CO", "C.R.S. § 6-1-1306(2)"),
    # Conn. Gen. Stat. § 42-518(b)(1): 45 days, one 45-day extension.
    "CTDPA": _virginia_model("CTDPA", "Connecticut CTDPA", "CT", "Conn. Gen. Stat. § 42-518(b)(1)"),
}


def rule_for(code: str) -> Rule:
    """The rule of a jurisdiction code; unknown codes are refused at intake, so this raises."""
    return RULES[code]
