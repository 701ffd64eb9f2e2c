"""The console pages for API clients, included in the console's URLs (namespace "console"):

    path("api-clients/", include("heapprivacy.console.api_client_urls")),

No app_name here on purpose: the names join the console's namespace (console:api_client_list).
"""

from django.urls import path

from heapprivacy.console.views import api_clients

urlpatterns = [
    path("", api_clients.api_client_list, name="api_client_list"),
    path("new", api_clients.api_client_new, name="api_client_new"),
    path("<int:client_id>/revoke", api_clients.api_client_revoke_view, name="api_client_revoke"),
]
