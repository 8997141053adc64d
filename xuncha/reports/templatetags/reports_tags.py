"""Asking a page whether a document's button belongs on it: the document's
own ``authorize`` answers, so a button is never offered to someone the job
would refuse."""

from django import template
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from xuncha.reports.registry import DOCUMENTS

register = template.Library()


@register.simple_tag(takes_context=True)
def may_request(context, kind: str, **params) -> bool:
    """``{% may_request "rectification.ledger" scope="round" id=round.pk as ok %}``"""
    document = DOCUMENTS.get(kind)
    user = getattr(context.get("request"), "user", None)
    if document is None or user is None or not user.is_authenticated:
        return False
    params = {name: value for name, value in params.items() if value is not None}
    try:
        document.authorize(user, params)
    except (PermissionDenied, Http404, ValidationError):
        return False
    return True
