import pytest

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.selectors import audit_event_hash, audit_events_iter
from heapprivacy.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_it_streams_chain_dicts_in_seq_order_from_a_given_seq() -> None:
    events = [audit_record("batch.released", actor=Actor.system()) for _ in range(4)]

    streamed = list(audit_events_iter(from_seq=2))

    assert streamed == [event.to_chain_dict() for event in events[1:]]


def test_it_looks_up_the_stored_hash_of_one_event() -> None:
    event = audit_record("batch.released", actor=Actor.system())

    assert audit_event_hash(1) == event.hash
    assert audit_event_hash(2) is None
