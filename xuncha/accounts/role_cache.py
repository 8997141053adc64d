"""A person's roles and model permissions, kept between requests.

Every page asks for the signed-in person's roles (the menu, the access
checks, the scopes), and some for a model permission (the clue officers');
reading them is a query or two. They change when an administrator grants or
withdraws a role or a permission: the m2m_changed signals of the groups and
permissions forget the people concerned at once, so a withdrawn role is gone
from the next page. ROLES_SECONDS bounds anything changed without a signal
(SQL by hand). With the cache down they are read as before.
"""

from django.core.cache import cache
from django.db import transaction

ROLES_SECONDS = 300


def _key(user_id: int) -> str:
    return f"roles:{user_id}"


def _permissions_key(user_id: int) -> str:
    return f"perms:{user_id}"


def group_names(user) -> list[str]:
    """The names of the user's groups, from the cache or the database."""
    names = cache.get(_key(user.pk))
    if names is None:
        names = list(user.groups.values_list("name", flat=True))
        cache.set(_key(user.pk), names, ROLES_SECONDS)
    return names


def permissions(user, read) -> set[str]:
    """The user's "app_label.codename" permissions: ``read()``'s, kept."""
    found = cache.get(_permissions_key(user.pk))
    if found is None:
        found = read()
        cache.set(_permissions_key(user.pk), found, ROLES_SECONDS)
    return found


def forget(user_ids) -> None:
    """Forgotten now, and again once committed: a page read between the two
    could otherwise keep the old roles until ROLES_SECONDS pass."""
    keys = [key(pk) for pk in user_ids for key in (_key, _permissions_key)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def groups_changed(sender, instance, action, reverse, pk_set, **_signal) -> None:
    """m2m_changed of User.groups, from either side."""
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:  # user.groups.add(...): one person
        forget([instance.pk])
    elif action == "pre_clear":  # group.user_set.clear(): everyone in it, read before
        forget(instance.user_set.values_list("pk", flat=True))
    elif pk_set:
        forget(pk_set)


def permissions_changed(sender, instance, action, reverse, pk_set, model, **_signal) -> None:
    """m2m_changed of Group.permissions or User.user_permissions, either side."""
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    from django.contrib.auth.models import Group

    if reverse:  # permission.group_set / permission.user_set: hard to follow, forget all
        forget(_all_user_ids())
    elif isinstance(instance, Group):
        forget(instance.user_set.values_list("pk", flat=True))
    else:
        forget([instance.pk])


def _all_user_ids():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.values_list("pk", flat=True)


def group_deleted(sender, instance, **_signal) -> None:
    """A deleted group takes its memberships with it, without m2m_changed."""
    forget(instance.user_set.values_list("pk", flat=True))
