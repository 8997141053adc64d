"""Which device verified a session, known without a query per page.

django-otp's OTPMiddleware reads the session's verifying device on every
request, to check that it still exists, is confirmed and is the person's.
Those three facts are kept in the cache under the device's persistent id
(never the device's secret), and every save or delete of a device forgets
them: a reset or a re-enrolment takes effect on the next page, as before.
The device row itself is read only if a page uses more of it than that.
"""

from django.core.cache import cache
from django.db import transaction
from django_otp.middleware import OTPMiddleware

DEVICE_SECONDS = 300


def _key(persistent_id: str) -> str:
    return f"otpdevice:{persistent_id}"


class VerifyingDevice:
    """Stands for the session's device: what the middleware checks is known
    (``user_id``, ``confirmed``, ``persistent_id``); anything else reads the
    device row, once."""

    def __init__(self, persistent_id: str, user_id: int, confirmed: bool):
        self.persistent_id = persistent_id
        self.user_id = user_id
        self.confirmed = confirmed
        self._device = None

    def __getattr__(self, name):
        if self.__dict__.get("_device") is None:
            from django_otp.models import Device

            self.__dict__["_device"] = Device.from_persistent_id(self.persistent_id)
        return getattr(self.__dict__["_device"], name)


class CachedOTPMiddleware(OTPMiddleware):
    def _device_from_persistent_id(self, persistent_id: str):
        persistent_id = self._normalize_persistent_id(persistent_id)
        facts = cache.get(_key(persistent_id))
        if facts is not None:
            return VerifyingDevice(persistent_id, *facts)
        device = super()._device_from_persistent_id(persistent_id)
        if device is not None:
            cache.set(_key(persistent_id), (device.user_id, device.confirmed), DEVICE_SECONDS)
        return device


def device_changed(sender, instance, **_signal) -> None:
    """post_save / post_delete of any device model: forgotten now, and again
    once committed (a page read in between could keep the old facts)."""
    key = _key(instance.persistent_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
