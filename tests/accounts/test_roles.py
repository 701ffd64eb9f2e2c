import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from heapprivacy.accounts.roles import ROLE_PERMISSIONS, Role
from heapprivacy.accounts.services import roles_sync

pytestmark = pytest.mark.django_db


def granted(role: Role) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_its_permissions(role: Role) -> None:
    assert granted(role) == set(ROLE_PERMISSIONS[role])


def test_the_auditor_changes_nothing() -> None:
    changing = ("add_", "change_", "delete_", "decide", "verify", "release", "retry", "approve")
    assert not [p for p in granted(Role.AUDITOR) if p.split(".")[1].startswith(changing)]


def test_only_the_administrator_sees_heap_accounts() -> None:
    for role in Role:
        holds = "erasure.view_heapaccount" in granted(role)
        assert holds == (role == Role.ADMINISTRATOR)


def test_a_lost_group_is_restored_by_the_next_sync() -> None:
    Group.objects.filter(name=Role.APPROVER).delete()

    roles_sync()

    assert granted(Role.APPROVER) == set(ROLE_PERMISSIONS[Role.APPROVER])


def test_migrate_keeps_roles_in_sync() -> None:
    Group.objects.get(name=Role.OFFICER).permissions.clear()

    call_command("migrate", verbosity=0)

    assert granted(Role.OFFICER) == set(ROLE_PERMISSIONS[Role.OFFICER])
