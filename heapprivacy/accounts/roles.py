"""The staff roles. Each is a Django group; README.md ("Roles") says what each may do."""

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "Privacy officer"
    APPROVER = "Approver"
    AUDITOR = "Auditor"
    ADMINISTRATOR = "Administrator"


# Reading requests, batches and the audit trail. The Auditor reads everything and changes
# nothing; nobody but an Administrator sees Heap accounts.
READ = [
    "erasure.view_erasurerequest",
    "erasure.view_subject",
    "erasure.view_deletionbatch",
    "audit.view_auditevent",
]
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.OFFICER: [
        *READ,
        "erasure.add_erasurerequest",
        "erasure.verify_request",
        "erasure.decide_request",
        "erasure.cancel_request",
        "erasure.annotate_request",
        "erasure.extend_request",
        "erasure.release_batch",
        "erasure.retry_batch",
        "reports.export_reports",
    ],
    # The second pair of eyes: decides requests (approve or reject) and approves large batches.
    Role.APPROVER: [*READ, "erasure.decide_request", "erasure.approve_batch"],
    Role.AUDITOR: [*READ, "reports.export_reports"],
    Role.ADMINISTRATOR: [
        "erasure.view_heapaccount",
        "erasure.add_heapaccount",
        "erasure.change_heapaccount",
        "erasure.test_heapaccount",
        "api.manage_apiclient",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
    ],
}
