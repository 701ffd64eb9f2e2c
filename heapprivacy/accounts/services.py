from django.contrib.auth.models import Group, User

from heapprivacy.accounts.roles import Role


def user_create(username: str, password: str, roles: list[Role], email: str = "") -> User:
    user = User.objects.create_user(username=username, password=password, email=email)
    user.is_staff = Role.ADMINISTRATOR in roles
    user.save(update_fields=["is_staff"])
    user.groups.set(Group.objects.filter(name__in=[str(role) for role in roles]))
    return user
