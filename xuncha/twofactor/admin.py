"""django-otp registers its devices in the admin, where a superuser could read
any person's secret (and its QR code) or delete an authenticator without the
two-person reset. Devices have no admin pages here: enrolment and the reset
pages are the only ways in and out."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
