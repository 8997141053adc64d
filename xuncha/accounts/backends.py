"""Django's ModelBackend, with what every page reads kept cheap.

Every page of office staff scopes its rows by ``user.office`` (its level and
district): read in the same query as the person, not in one more per page.
Model permissions (the clue officers' is checked on the clue pages) are kept
between requests (xuncha.accounts.role_cache). Sign-in itself is
ModelBackend's, unchanged.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from xuncha.accounts import role_cache


class UserWithOfficeBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("office")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        # A superuser's are all of them, whatever the groups: read as Django does.
        if (
            obj is not None
            or not user_obj.is_active
            or user_obj.is_anonymous
            or user_obj.is_superuser
        ):
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = role_cache.permissions(
                user_obj, lambda: super(UserWithOfficeBackend, self).get_all_permissions(user_obj)
            )
        return user_obj._perm_cache
