from django.utils.functional import SimpleLazyObject

from xuncha.notifications.selectors import unread_count


def unread_notifications(request) -> dict:
    """The navbar badge: one count query, and only on a page that shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
