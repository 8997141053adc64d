from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xuncha.notifications import selectors, services

PAGE_SIZE = 50


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_mark_read(request):
    """With ``id``: that one notification, then on to what it is about.
    Without: all of the user's notifications."""
    if notification_id := request.POST.get("id", "").strip():
        if not notification_id.isdigit():
            raise Http404
        notification = get_object_or_404(
            selectors.notification_list(user=request.user), pk=notification_id
        )
        services.mark_read(user=request.user, notification_ids=[notification.pk])
        target = notification.url
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("notifications:notification_list")
    count = services.mark_read(user=request.user)
    messages.success(
        request,
        _("已将 %(count)d 条消息标为已读。") % {"count": count} if count else _("没有未读消息。"),
    )
    return redirect("notifications:notification_list")
