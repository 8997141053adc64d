"""A Redis cache that fails open.

The cache only saves work (the dashboard's figures, its generation counter):
when Redis is down, a read is a miss and a write is dropped, so every page
computes what it needs and answers as usual. The outage is logged once, not
once per request, and logged again when Redis is back.
"""

import logging
import threading

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_outage = {"down": False}
_lock = threading.Lock()


def _went_down(error: Exception) -> None:
    with _lock:
        if not _outage["down"]:
            _outage["down"] = True
            logger.error("cache unavailable, serving without it: %s", type(error).__name__)


def _came_back() -> None:
    if _outage["down"]:
        with _lock:
            if _outage["down"]:
                _outage["down"] = False
                logger.warning("cache available again")


def cache_is_down() -> bool:
    return _outage["down"]


def _fail_open(method_name: str, default):
    def method(self, *args, **kwargs):
        try:
            result = getattr(super(FailOpenRedisCache, self), method_name)(*args, **kwargs)
        except RedisError as error:
            _went_down(error)
            if method_name == "incr":
                # The caller treats a missing key as "start again" (ValueError).
                raise ValueError("cache unavailable") from error
            return default() if callable(default) else default
        _came_back()
        return result

    method.__name__ = method_name
    return method


class FailOpenRedisCache(RedisCache):
    get = _fail_open("get", None)
    get_many = _fail_open("get_many", dict)
    set = _fail_open("set", None)
    set_many = _fail_open("set_many", list)
    add = _fail_open("add", False)
    touch = _fail_open("touch", False)
    delete = _fail_open("delete", False)
    delete_many = _fail_open("delete_many", None)
    has_key = _fail_open("has_key", False)
    incr = _fail_open("incr", None)
    clear = _fail_open("clear", None)

    def get_or_set(self, key, default, timeout=None, version=None):
        # RedisCache's own get_or_set calls add() then get(); with both failing
        # open it would return None: compute the value instead.
        value = self.get(key, version=version)
        if value is None:
            value = default() if callable(default) else default
            self.add(key, value, timeout=timeout, version=version)
        return value
