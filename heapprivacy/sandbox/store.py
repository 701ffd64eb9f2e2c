"""What the sandbox keeps of one app_id's ingested data, and how a deletion erases it."""

from dataclasses import dataclass, field
from typing import Any

from .validation import PropertyValue

MONTH_SECONDS = 30 * 24 * 3600
MAX_USER_IDS_PER_IDENTITY = 10

Properties = dict[str, PropertyValue]


class IdentifyLimitReached(Exception):
    """An identity already has its 10 user_ids for the rolling month."""


@dataclass
class AppData:
    """Events, users (identity → properties), identify links and accounts of one app_id.

    Not locked: `SandboxState` calls it under its lock. Events and property maps are never changed
    in place once stored, so a shallow copy is a safe snapshot.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    idempotency_keys: set[str] = field(default_factory=set)
    users: dict[str, Properties] = field(default_factory=dict)
    links: dict[int, str] = field(default_factory=dict)
    linked_at: dict[str, dict[int, float]] = field(default_factory=dict)
    accounts: dict[str, Properties] = field(default_factory=dict)

    def events_add(self, events: list[dict[str, Any]]) -> None:
        """Store events; one whose idempotency_key was seen before changes nothing (doc)."""
        for event in events:
            key = event.get("idempotency_key")
            if key is not None and key in self.idempotency_keys:
                continue
            if key is not None:
                self.idempotency_keys.add(key)
            self.events.append(event)
            if "identity" in event:
                self.users.setdefault(event["identity"], {})

    def identify(self, user_id: int, identity: str, now: float) -> None:
        """Link user_id to identity: one identity per user_id, a later remap is dropped (doc).

        At most 10 user_ids per identity per rolling month (doc); (assumption: an 11th new
        user_id raises `IdentifyLimitReached`, answered as a 400).
        """
        if user_id in self.links:
            return
        since = now - MONTH_SECONDS
        recent = [at for at in self.linked_at.get(identity, {}).values() if at > since]
        if len(recent) >= MAX_USER_IDS_PER_IDENTITY:
            raise IdentifyLimitReached
        self.links[user_id] = identity
        self.linked_at.setdefault(identity, {})[user_id] = now
        self.users.setdefault(identity, {})

    def user_properties_set(self, identity: str, properties: Properties) -> None:
        """Merge properties into the identity's, creating the identity if absent (doc)."""
        self.users[identity] = {**self.users.get(identity, {}), **properties}

    def account_properties_set(self, account_id: str, properties: Properties) -> None:
        self.accounts[account_id] = {**self.accounts.get(account_id, {}), **properties}

    def erase(self, users: list[dict[str, Any]]) -> None:
        """Remove everything of these users: by identity and by user_id, through identify links.

        A user_id stands for its identified user, so every user_id linked to the same identity
        goes too. Idempotency keys stay: a replayed event is still ignored.
        """
        identities = {user["identity"] for user in users if "identity" in user}
        user_ids = {user["user_id"] for user in users if "user_id" in user}
        identities |= {self.links[user_id] for user_id in user_ids if user_id in self.links}
        for identity in identities:
            user_ids |= self.linked_at.get(identity, {}).keys()
        self.events = [event for event in self.events if not _belongs(event, identities, user_ids)]
        for identity in identities:
            self.users.pop(identity, None)
            self.linked_at.pop(identity, None)
        for user_id in user_ids:
            self.links.pop(user_id, None)

    def describe(self) -> dict[str, Any]:
        return {
            "events": list(self.events),
            "users": dict(self.users),
            "identify": {str(user_id): identity for user_id, identity in self.links.items()},
            "accounts": dict(self.accounts),
        }


def _belongs(event: dict[str, Any], identities: set[str], user_ids: set[int]) -> bool:
    return event.get("identity") in identities or event.get("user_id") in user_ids
