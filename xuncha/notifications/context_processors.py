from django.utils.functional import SimpleLazyObject

from xuncha.notifications.selectors import unread_count
from xuncha.twofactor.selectors import user_is_verified


def unread_notifications(request) -> dict:
    """The navbar badge: one count query, and only on a page that shows it."""
    user = getattr(request, "user", None)
    # A session still at the second-factor step shows no menu (see base.html).
    if user is None or not user.is_authenticated or not user_is_verified(user):
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
