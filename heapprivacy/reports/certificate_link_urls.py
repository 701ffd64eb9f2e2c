from django.urls import path

from heapprivacy.reports import certificate_link as views

app_name = "certificates"

# Under /privacy/ (heapprivacy/urls.py), beside the intake's public pages.
urlpatterns = [
    path(
        "certificate/<str:token>.json",
        views.certificate_view,
        {"fmt": "json"},
        name="certificate_json",
    ),
    path(
        "certificate/<str:token>.pdf",
        views.certificate_view,
        {"fmt": "pdf"},
        name="certificate_pdf",
    ),
    path("certificate/<str:token>", views.certificate_view, name="certificate"),
]
