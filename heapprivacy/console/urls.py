from django.urls import include, path

from heapprivacy.console.views import batches, dashboard, heap_accounts, requests, staff

app_name = "console"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("api-clients/", include("heapprivacy.console.api_client_urls")),
    path("imports/", include("heapprivacy.console.import_urls")),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/bulk", requests.request_bulk_view, name="request_bulk"),
    path("requests/<str:reference>/", requests.request_detail, name="request_detail"),
    path("requests/<str:reference>/verify", requests.request_verify_view, name="request_verify"),
    path("requests/<str:reference>/approve", requests.request_approve_view, name="request_approve"),
    path("requests/<str:reference>/reject", requests.request_reject_view, name="request_reject"),
    path("requests/<str:reference>/cancel", requests.request_cancel_view, name="request_cancel"),
    path("requests/<str:reference>/extend", requests.request_extend_view, name="request_extend"),
    path("requests/<str:reference>/clock", requests.request_clock_view, name="request_clock"),
    path("requests/<str:reference>/note", requests.request_note_view, name="request_note"),
    path("batches/", batches.batch_list, name="batch_list"),
    path("batches/release", batches.batch_release_view, name="batch_release"),
    path("batches/preview", batches.batch_preview, name="batch_preview"),
    path("batches/<int:batch_id>/", batches.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/payload.json", batches.batch_payload_view, name="batch_payload"),
    path("batches/<int:batch_id>/retry", batches.batch_retry_view, name="batch_retry"),
    path("batches/<int:batch_id>/approve", batches.batch_approve_view, name="batch_approve"),
    path("users/", staff.staff_list, name="staff_list"),
    path("users/invite", staff.staff_invite_view, name="staff_invite"),
    path("users/<int:user_id>/", staff.staff_detail, name="staff_detail"),
    path(
        "users/<int:user_id>/password-link",
        staff.staff_password_link_view,
        name="staff_password_link",
    ),
    path("users/<int:user_id>/mfa-reset", staff.staff_mfa_reset_view, name="staff_mfa_reset"),
    path("heap-accounts/", heap_accounts.heap_account_list, name="heap_account_list"),
    path("heap-accounts/new", heap_accounts.heap_account_new, name="heap_account_new"),
    path(
        "heap-accounts/<int:account_id>/edit",
        heap_accounts.heap_account_edit,
        name="heap_account_edit",
    ),
    path(
        "heap-accounts/<int:account_id>/test",
        heap_accounts.heap_account_test,
        name="heap_account_test",
    ),
]
