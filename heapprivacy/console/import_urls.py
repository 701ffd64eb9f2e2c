"""The CSV import's URLs. Mounted inside the console's namespace by heapprivacy/console/urls.py:

    path("imports/", include("heapprivacy.console.import_urls")),

so they are reversed as console:import_upload, console:import_preview, … .
"""

from django.urls import path

from heapprivacy.console.views import imports

urlpatterns = [
    path("", imports.import_upload, name="import_upload"),
    path("<str:token>/", imports.import_preview, name="import_preview"),
    path("<str:token>/preview.json", imports.import_preview_json, name="import_preview_json"),
    path("<str:token>/confirm", imports.import_confirm, name="import_confirm"),
    path("<str:token>/discard", imports.import_discard, name="import_discard"),
    path("<str:token>/progress", imports.import_progress, name="import_progress"),
    path("<str:token>/progress.json", imports.import_progress_json, name="import_progress_json"),
]
