from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xuncha.core.health import health_report
from xuncha.core.home import home_cards
from xuncha.core.todo import todo_count, todo_for


@login_required
def home(request):
    tasks = todo_for(request.user)
    return render(
        request,
        "core/home.html",
        {"cards": home_cards(request.user), "tasks": tasks, "todo_total": todo_count(tasks)},
    )


@require_GET
@never_cache
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
