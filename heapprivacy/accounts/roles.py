"""The staff roles. Each is a Django group; README.md ("Roles") says what each may do."""

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "Privacy officer"
    APPROVER = "Approver"
    AUDITOR = "Auditor"
    ADMINISTRATOR = "Administrator"
