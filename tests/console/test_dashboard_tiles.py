"""Every tile of the dashboard is a link to the list of exactly what it counts."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from tests.console.factories import make_batch
from tests.erasure.factories import make_account, make_request

pytestmark = pytest.mark.django_db

DEADLINE_TILES = [
    "Due in 7 days",
    "Overdue",
    "Acknowledgement overdue",
    "At risk (near latest safe submit)",
]
TILES = [*ErasureRequest.State.labels, *DEADLINE_TILES, "Batches needing attention"]


@pytest.fixture
def world() -> dict[str, str]:
    """A request in every state, one overdue, one due soon, one at risk (their references by
    tile), and a batch that needs attention."""
    account, now = make_account(), timezone.now()
    for state in ErasureRequest.State.values:
        ErasureRequest.objects.filter(pk=make_request(account).pk).update(state=state)
    deadlines = {
        "Overdue": {"due_at": now - timedelta(days=1)},
        "Due in 7 days": {"due_at": now + timedelta(days=3)},
        "At risk (near latest safe submit)": {
            "due_at": now + timedelta(days=10),
            "latest_safe_submit": now + timedelta(days=1),
        },
        "Acknowledgement overdue": {"acknowledge_by": now - timedelta(hours=1)},
    }
    references = {}
    for label, fields in deadlines.items():
        request = make_request(account)
        ErasureRequest.objects.filter(pk=request.pk).update(**fields)
        references[label] = request.reference
    acknowledged_late = make_request(account)
    ErasureRequest.objects.filter(pk=acknowledged_late.pk).update(
        acknowledge_by=now - timedelta(days=2), acknowledged_at=now - timedelta(days=1)
    )
    make_batch(account, ["bob@example.com"], state=DeletionBatch.State.NEEDS_ATTENTION)
    return references


def tile(client: Client, label: str) -> object:
    tiles = client.get("/dashboard/").context["tiles"]
    return next(tile for tile in tiles if tile.label == label)


def listed(client: Client, href: str) -> list[object]:
    response = client.get(href)
    assert response.status_code == 200
    assert not response.context["page"].has_next
    return response.context["page"].rows


@pytest.mark.parametrize("label", TILES)
def test_each_tile_links_to_the_list_of_what_it_counts(
    officer_client: Client, world: dict[str, str], label: str
) -> None:
    counted = tile(officer_client, label)

    rows = listed(officer_client, counted.href)

    assert counted.count > 0
    assert len(rows) == counted.count


@pytest.mark.parametrize(("state", "label"), ErasureRequest.State.choices)
def test_a_state_tile_lists_the_requests_in_that_state(
    officer_client: Client, world: dict[str, str], state: str, label: str
) -> None:
    rows = listed(officer_client, tile(officer_client, label).href)

    in_state = ErasureRequest.objects.filter(state=state)
    assert {row.reference for row in rows} == set(in_state.values_list("reference", flat=True))


@pytest.mark.parametrize("label", DEADLINE_TILES)
def test_a_deadline_tile_lists_the_requests_of_that_deadline(
    officer_client: Client, world: dict[str, str], label: str
) -> None:
    rows = listed(officer_client, tile(officer_client, label).href)

    assert [row.reference for row in rows] == [world[label]]


def test_the_batch_tile_lists_the_batches_needing_attention(
    officer_client: Client, world: dict[str, str]
) -> None:
    rows = listed(officer_client, tile(officer_client, "Batches needing attention").href)

    assert [row.state for row in rows] == [DeletionBatch.State.NEEDS_ATTENTION]


def test_every_tile_is_a_link_on_the_page(officer_client: Client, world: dict[str, str]) -> None:
    response = officer_client.get("/dashboard/")

    links = re.findall(r'<a class="tile[^"]*" href="([^"]+)"', response.content.decode())
    assert links == [counted.href for counted in response.context["tiles"]]
    assert len(links) == len(TILES)


def test_the_list_and_the_request_flag_a_missed_acknowledgement(
    officer_client: Client, world: dict[str, str]
) -> None:
    response = officer_client.get("/requests/")

    flagged = [
        row.reference for row in response.context["page"].rows if row.acknowledgement_overdue
    ]
    assert flagged == [world["Acknowledgement overdue"]]
    assert response.content.decode().count("acknowledgement overdue</span>") == 1
    detail = officer_client.get(f"/requests/{world['Acknowledgement overdue']}/")
    assert "overdue: not acknowledged" in detail.content.decode()
