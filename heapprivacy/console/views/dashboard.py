from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from heapprivacy.console import dashboard
from heapprivacy.console.access import permission_required


@require_GET
@permission_required("erasure.view_erasurerequest")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    context = {
        "by_state": dashboard.requests_by_state(),
        "deadlines": dashboard.deadline_counts(),
        "in_flight": dashboard.batches_in_flight(),
        "heap_errors": dashboard.last_heap_errors(),
        "weeks": dashboard.weekly_chart(),
        "median_days": dashboard.median_days_to_complete(),
        "chart_height": dashboard.CHART_HEIGHT,
        "bar_width": dashboard.BAR_WIDTH,
    }
    return render(request, "console/dashboard.html", context)
