"""The 待办 page and the navbar's count. The count is kept in the cache for a
minute (xuncha.core.todo.cached_todo_count): a page shows it from there, and
only when it is missing does the page fetch it by htmx after loading, so no
page pays for the providers' queries."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from xuncha.core.todo import cached_todo_count, remember_todo_count, todo_count, todo_for


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
            "total": remember_todo_count(request.user, todo_count(tasks)),
        },
    )


@never_cache
@login_required
def todo_badge(request):
    return render(request, "core/_todo_badge.html", {"total": cached_todo_count(request.user)})
