from django.urls import path

from heapprivacy.console.views import dashboard, requests

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/<str:reference>/", requests.request_detail, name="request_detail"),
    path("requests/<str:reference>/verify", requests.request_verify_view, name="request_verify"),
    path("requests/<str:reference>/approve", requests.request_approve_view, name="request_approve"),
    path("requests/<str:reference>/reject", requests.request_reject_view, name="request_reject"),
    path("requests/<str:reference>/cancel", requests.request_cancel_view, name="request_cancel"),
    path("requests/<str:reference>/note", requests.request_note_view, name="request_note"),
]
