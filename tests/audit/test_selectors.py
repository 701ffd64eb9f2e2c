from datetime import UTC, datetime

import pytest
import time_machine

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.selectors import audit_event_hash, audit_events_iter
from heapprivacy.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_it_streams_chain_dicts_in_seq_order_from_a_given_seq() -> None:
    events = [audit_record("batch.released", actor=Actor.system()) for _ in range(4)]

    streamed = list(audit_events_iter(from_seq=2))

    assert streamed == [event.to_chain_dict() for event in events[1:]]


def test_streamed_events_are_the_models_chain_dicts_whatever_their_values() -> None:
    awkward = {
        "note": 'vérifié ✓ "quoted" \\ back\nline\u2028',
        "ids": [1, 2**62, -7],
        "nested": {"ok": True, "none": None, "empty": {}, "list": []},
        "z": "",
        "a": "=SUM(A1)",
    }
    for second, microsecond in ((1, 0), (2, 1), (3, 999_999)):
        with time_machine.travel(datetime(2026, 3, 29, 1, 0, second, microsecond, UTC), tick=False):
            audit_record(
                "test.awkward", actor=Actor.for_api_client("7", 'O\'Brien "Ops"'), details=awkward
            )

    streamed = list(audit_events_iter())

    assert streamed == [event.to_chain_dict() for event in AuditEvent.objects.order_by("seq")]
    assert [event["at"][-15:] for event in streamed] == [
        "01.000000+00:00",
        "02.000001+00:00",
        "03.999999+00:00",
    ]
    assert verify_chain(streamed) is None


def test_it_looks_up_the_stored_hash_of_one_event() -> None:
    event = audit_record("batch.released", actor=Actor.system())

    assert audit_event_hash(1) == event.hash
    assert audit_event_hash(2) is None
