from django.urls import path

from heapprivacy.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.exports_page, name="exports"),
    path("register.csv", views.register_download, name="register_csv"),
    path("audit.csv", views.audit_download, {"fmt": "csv"}, name="audit_csv"),
    path("audit.jsonl", views.audit_download, {"fmt": "jsonl"}, name="audit_jsonl"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("metrics.csv", views.metrics_download, name="metrics_csv"),
    path("pack.zip", views.pack_download, name="pack"),
    path("packs/", views.pack_job_new, name="pack_job_new"),
    path("packs/<str:token>/", views.pack_job_page, name="pack_job"),
    path("packs/<str:token>/progress.json", views.pack_job_progress_json, name="pack_job_progress"),
    path("packs/<str:token>/pack.zip", views.pack_job_download, name="pack_job_download"),
    path("certificate", views.certificate_download, name="certificate"),
    path("audit/", views.audit_log, name="audit_log"),
]
