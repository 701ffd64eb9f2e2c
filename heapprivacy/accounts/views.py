from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = request.user.groups.values_list("name", flat=True)
    return render(request, "home.html", {"roles": list(roles)})
