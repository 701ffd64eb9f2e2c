from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from heapprivacy.accounts.access import StaffRequest, access_denied, permission_required
from heapprivacy.console import dashboard
from heapprivacy.intake.services import intake_unavailable_reason

# Where each role starts: the first page in this list the user may see.
START_PAGES = [
    ("erasure.view_erasurerequest", "console:dashboard"),
    ("erasure.view_heapaccount", "console:heap_account_list"),
]


@require_GET
@login_required
def home(request: StaffRequest) -> HttpResponse:
    for permission, page in START_PAGES:
        if request.user.has_perm(permission):
            return redirect(page)
    access_denied(request, "no role gives this user a page")


@require_GET
@permission_required("erasure.view_erasurerequest")
def dashboard_view(request: StaffRequest) -> HttpResponse:
    weeks = dashboard.weekly_counts()
    context = {
        "tiles": dashboard.tiles(),
        "in_flight": dashboard.batches_in_flight(),
        "heap_errors": dashboard.last_heap_errors(),
        "weeks": weeks,
        "weekly_chart": dashboard.weekly_chart(weeks),
        "median_days": dashboard.median_days_to_complete(),
        "intake_unavailable": intake_unavailable_reason(),
    }
    return render(request, "console/dashboard.html", context)
