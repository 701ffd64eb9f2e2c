import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def holders(codename: str) -> set[str]:
    groups = Group.objects.filter(
        permissions__content_type__app_label="reports", permissions__codename=codename
    )
    return set(groups.values_list("name", flat=True))


def test_a_migration_lets_auditors_and_privacy_officers_export_reports() -> None:
    assert holders("export_reports") == {"Auditor", "Privacy officer"}


def test_the_roles_users_hold_it_through_their_group(user_as) -> None:
    may = {role: user_as(role).has_perm("reports.export_reports") for role in
           ("officer", "approver", "auditor", "administrator")}  # fmt: skip

    assert may == {"officer": True, "approver": False, "auditor": True, "administrator": False}
