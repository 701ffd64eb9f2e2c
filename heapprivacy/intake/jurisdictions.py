"""How the public pages and emails name a jurisdiction and its timeline, in plain words.

The periods themselves come from the legal clock's table (erasure/legal/jurisdictions.py), so the
sentence a subject reads and the deadline officers work to cannot drift apart.
"""

from django.conf import settings

from heapprivacy.erasure.legal.jurisdictions import RULES, Period, Unit

# Where a subject lives, as they would say it, and the law's short name.
LABELS = {
    "GDPR-EU": "EU or European Economic Area (GDPR)",
    "GDPR-UK": "United Kingdom (UK GDPR)",
    "CCPA": "California (CCPA)",
    "VCDPA": "Virginia (VCDPA)",
    "CPA": "Colorado (CPA)",
    "CTDPA": "Connecticut (CTDPA)",
}
WORDS = {1: "one", 2: "two", 3: "three"}
UNITS = {Unit.MONTHS: "month", Unit.DAYS: "day", Unit.BUSINESS_DAYS: "working day"}
DEFAULT_TIMELINE = "We will respond within one month of receiving your request."


def jurisdiction_choices() -> list[tuple[str, str]]:
    return [(code, jurisdiction_label(code)) for code in settings.JURISDICTIONS]


def jurisdiction_label(code: str) -> str:
    rule = RULES.get(code)
    return LABELS.get(code) or (rule.name if rule else code)


def timeline_sentence(code: str) -> str:
    """What the law gives us to respond, e.g. "within one month … extend by two months"."""
    rule = RULES.get(code)
    if rule is None:
        return DEFAULT_TIMELINE
    return (
        f"Under {rule.name} we must respond within {period_text(rule.respond_within)} of "
        f"receiving your request. If it is complex we may take up to "
        f"{period_text(rule.extension)} more; we would tell you why before the first period "
        "ends."
    )


def period_text(period: Period) -> str:
    unit = UNITS[period.unit] + ("" if period.amount == 1 else "s")
    return f"{WORDS.get(period.amount, str(period.amount))} {unit}"
