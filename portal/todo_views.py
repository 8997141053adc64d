"""The 待办 page and the navbar's count. The count is fetched by htmx after
the page has loaded, so no other page pays for the providers' queries."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from xuncha.core.todo import todo_count, todo_for


@never_cache
@login_required
def todo_list(request):
    tasks = todo_for(request.user)
    return render(
        request,
        "core/todo.html",
        {
            "waiting": [task for task in tasks if task.count and not task.informational],
            "clear": [task for task in tasks if not task.count and not task.informational],
            "headlines": [task for task in tasks if task.informational],
            "total": todo_count(tasks),
        },
    )


@never_cache
@login_required
def todo_badge(request):
    return render(request, "core/_todo_badge.html", {"total": todo_count(todo_for(request.user))})
