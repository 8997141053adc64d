from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xuncha.core.health import health_report
from xuncha.core.home import home_cards


@login_required
def home(request):
    return render(request, "core/home.html", {"cards": home_cards(request.user)})


@require_GET
@never_cache
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
