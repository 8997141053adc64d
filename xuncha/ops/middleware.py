"""A save that meets a full disk or a lost database connection: the person is
told, in Chinese, that nothing was saved and to try again (every write is one
transaction, rolled back, and files are stored whole or not at all)."""

import errno
import logging
import time

from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS}


def fault_message(error: Exception) -> str | None:
    if isinstance(error, OSError) and error.errno in DISK_ERRORS:
        return _(
            "服务器存储空间不足或暂时不可写，本次提交未保存。请稍后重试；如持续出现，请联系系统管理员。"
        )
    if isinstance(error, OperationalError | InterfaceError):
        return _("数据库连接暂时中断，本次提交未保存。请稍后重试。")
    return None


class InfrastructureFaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        message = fault_message(exception)
        if message is None:
            return None
        logger.error("request %s %s: %s", request.method, request.path, type(exception).__name__)
        response = TemplateResponse(request, "ops/fault.html", {"message": message}, status=503)
        response["Retry-After"] = "30"
        return response


class ServerTimingMiddleware:
    """``Server-Timing: cpu;dur=…, app;dur=…`` on every response when
    SERVER_TIMING is on (make loadtest turns it on): the CPU the worker spent
    on this request, which is what caps the people one machine serves. Off by
    default: timings are nobody else's business. The CPU is this thread's
    (time.thread_time): under gthread workers the process's clock would also
    count the requests its other threads serve meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cpu, wall = time.thread_time(), time.perf_counter()
        response = self.get_response(request)
        cpu_ms = (time.thread_time() - cpu) * 1000
        wall_ms = (time.perf_counter() - wall) * 1000
        response["Server-Timing"] = f"cpu;dur={cpu_ms:.1f}, app;dur={wall_ms:.1f}"
        return response
