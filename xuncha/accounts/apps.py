from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xuncha.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        # 待办: accounts waiting for an activation code, for the system admin.
        from xuncha.accounts.activation import activation_todo
        from xuncha.core.todo import register_todo

        register_todo(activation_todo)

        # A sign-in writes the session anyway: it counts as its first touch.
        from django.contrib.auth.signals import user_logged_in

        from xuncha.accounts.sessions import touch_at_sign_in

        user_logged_in.connect(touch_at_sign_in, dispatch_uid="xuncha.accounts.touch_at_sign_in")

        # Roles are cached per person; a change of their groups forgets them.
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, pre_delete

        from xuncha.accounts import role_cache
        from xuncha.accounts.models import User

        m2m_changed.connect(
            role_cache.groups_changed,
            sender=User.groups.through,
            dispatch_uid="xuncha.accounts.roles_changed",
        )
        pre_delete.connect(
            role_cache.group_deleted, sender=Group, dispatch_uid="xuncha.accounts.group_deleted"
        )
        for through in (Group.permissions.through, User.user_permissions.through):
            m2m_changed.connect(
                role_cache.permissions_changed,
                sender=through,
                dispatch_uid=f"xuncha.accounts.permissions_changed:{through._meta.label}",
            )
