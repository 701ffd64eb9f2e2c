from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models


class ActorKind(models.TextChoices):
    USER = "user", "User"
    API_CLIENT = "api_client", "API client"
    SYSTEM = "system", "System"


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff user, an API client, or the system itself (a task, a sweep)."""

    kind: ActorKind
    id: str
    label: str

    @property
    def user_id(self) -> int | None:
        """The staff user's primary key, for the created_by / decided_by columns."""
        return int(self.id) if self.kind == ActorKind.USER else None

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(ActorKind.SYSTEM, "", label)

    @classmethod
    def for_user(cls, user: "AbstractBaseUser | AnonymousUser") -> "Actor":
        """A signed-in user (request.user behind a login check); nobody signed in is refused."""
        if not user.is_authenticated:
            raise ValueError("an anonymous visitor is not an actor")
        return cls(ActorKind.USER, str(user.pk), user.get_username())

    @classmethod
    def for_api_client(cls, client_id: str, label: str) -> "Actor":
        return cls(ActorKind.API_CLIENT, client_id, label)
