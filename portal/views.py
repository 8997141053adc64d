from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.home import home_cards
from xuncha.core.todo import remember_todo_count, todo_count, todo_for


@login_required
def home(request):
    tasks = todo_for(request.user)
    return render(
        request,
        "core/home.html",
        {
            "cards": home_cards(request.user),
            "tasks": tasks,
            "todo_total": remember_todo_count(request.user, todo_count(tasks)),
        },
    )
