from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """What auditors take away: register, audit trail, metrics, certificates, the auditor pack."""

    name = "heapprivacy.reports"
    label = "reports"
