from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from crosscheck.access import may_use


def worker_required(view):
    """The office and the team roles; anyone else gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_use(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def error_text(error) -> str:
    return "；".join(getattr(error, "messages", None) or [str(error)])
