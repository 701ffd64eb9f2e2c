import pytest
from django.contrib.auth.models import User

from heapprivacy.audit.actors import Actor, ActorKind


def test_the_system_actor_has_no_id_and_a_label() -> None:
    assert Actor.system() == Actor(ActorKind.SYSTEM, "", "system")
    assert Actor.system("sweep").label == "sweep"


@pytest.mark.django_db
def test_a_user_actor_is_identified_by_primary_key_and_labelled_by_username() -> None:
    user = User.objects.create_user("officer")

    assert Actor.for_user(user) == Actor(ActorKind.USER, str(user.pk), "officer")


def test_an_api_client_actor_keeps_its_id_and_label() -> None:
    assert Actor.for_api_client("c-9", "CRM sync") == Actor(ActorKind.API_CLIENT, "c-9", "CRM sync")
