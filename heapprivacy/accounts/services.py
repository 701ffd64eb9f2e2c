from django.contrib.auth.models import Group, Permission, User

from heapprivacy.accounts.roles import ROLE_PERMISSIONS, Role


def user_create(username: str, password: str, roles: list[Role], email: str = "") -> User:
    user = User.objects.create_user(username=username, password=password, email=email)
    user.is_staff = Role.ADMINISTRATOR in roles
    user.save(update_fields=["is_staff"])
    user.groups.set(Group.objects.filter(name__in=[str(role) for role in roles]))
    return user


def roles_sync(**kwargs: object) -> None:
    """Make each role's group hold exactly the permissions of ROLE_PERMISSIONS that exist.

    Runs after every migrate (and after the flush between transactional tests), so a role gains
    a permission as soon as the migration that creates it has run.
    """
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [name.split(".") for name in names]
        permissions = Permission.objects.none()
        for app_label, codename in wanted:
            permissions |= Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(permissions)
