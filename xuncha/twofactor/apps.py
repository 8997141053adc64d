from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "xuncha.twofactor"
    label = "twofactor"
    verbose_name = _("双因素登录")

    def ready(self) -> None:
        # The session's verifying device is known from the cache
        # (device_cache.CachedOTPMiddleware); a device saved or deleted is forgotten.
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from xuncha.twofactor.device_cache import device_changed

        for model in (TOTPDevice, StaticDevice):
            for signal in (post_save, post_delete):
                signal.connect(
                    device_changed,
                    sender=model,
                    dispatch_uid=f"twofactor.device_changed:{model._meta.label}:{signal is post_save}",
                )
