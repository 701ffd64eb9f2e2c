"""API clients, for Administrators: list, create (the token is shown once), revoke.

The token appears only in the answer to the creating POST: never in a redirect, a message, the
session or a log, and that page may not be cached.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from heapprivacy.accounts.access import StaffRequest, permission_required
from heapprivacy.api.forms import ApiClientForm
from heapprivacy.api.models import ApiClient
from heapprivacy.api.services import api_client_create, api_client_revoke
from heapprivacy.audit.actors import Actor
from heapprivacy.console.forms_accounts import form_errors_add

PERMISSION = "api.manage_apiclient"


@require_GET
@permission_required(PERMISSION)
def api_client_list(request: StaffRequest) -> HttpResponse:
    clients = ApiClient.objects.select_related("created_by").order_by("-is_active", "name")
    return render(request, "console/api_client_list.html", {"clients": clients})


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def api_client_new(request: StaffRequest) -> HttpResponse:
    form = ApiClientForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            client, token = api_client_create(
                **form.cleaned_data, actor=Actor.for_user(request.user), created_by=request.user
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            response = render(
                request, "console/api_client_created.html", {"client": client, "token": token}
            )
            add_never_cache_headers(response)
            return response
    return render(request, "console/api_client_form.html", {"form": form})


@require_POST
@permission_required(PERMISSION)
def api_client_revoke_view(request: StaffRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id)
    if api_client_revoke(client, actor=Actor.for_user(request.user)):
        messages.success(request, f"API client {client.name} revoked: its token no longer works.")
    else:
        messages.info(request, f"API client {client.name} was revoked already.")
    return redirect("console:api_client_list")
