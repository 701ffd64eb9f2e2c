"""A small named cast for erasure tests."""

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.accounts import heap_account_create
from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from heapprivacy.erasure.requests import request_create
from heapprivacy.erasure.subjects import subject_parse

SYSTEM = Actor.system("tests")
API_KEY = "canary-KEY-7f3a-do-not-leak"


def make_account(
    label: str = "acme", base_url: str = "http://127.0.0.1:9", **kw: str
) -> HeapAccount:
    return heap_account_create(
        label=label,
        app_id=kw.pop("app_id", "1234567890123"),
        api_key=kw.pop("api_key", API_KEY),
        actor=SYSTEM,
        deletion_base_url=base_url,
        ingestion_base_url=base_url,
    )


def make_request(
    account: HeapAccount, identities: list[str] = ("alice@example.com",), **kw: object
) -> ErasureRequest:
    return request_create(
        source=kw.pop("source", ErasureRequest.Source.STAFF),
        jurisdiction=kw.pop("jurisdiction", "GDPR-EU"),
        account=account,
        subjects=[subject_parse("identity", identity) for identity in identities],
        actor=kw.pop("actor", SYSTEM),
        **kw,
    )
