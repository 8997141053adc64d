from portal.navigation import nav_menu
from xuncha.core.todo import cached_todo_count
from xuncha.twofactor.selectors import user_is_verified


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    # A session still at the second-factor step shows no menu (see base.html).
    if user is None or not user.is_authenticated or not user_is_verified(user):
        return {"nav_items": []}
    return {
        "nav_items": nav_menu(user, request.path),
        # The navbar's 待办 count when the cache has it; None: htmx fetches it.
        "navbar_todo": cached_todo_count(user, compute=False),
    }
