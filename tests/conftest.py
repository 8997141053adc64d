import pytest

from tests.factories import make_user
from xuncha.accounts.roles import Role
from xuncha.accounts.services import ensure_role_groups


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The role groups and their permissions exist in every installation
    # (seed_demo and deployment create them); create them once per test database.
    with django_db_blocker.unblock():
        ensure_role_groups()


@pytest.fixture
def office_user(db):
    return make_user(Role.OFFICE)


@pytest.fixture(scope="session", autouse=True)
def _force_login_includes_the_second_factor():
    """``client.force_login(user)`` stands for a finished sign-in, which now has
    two factors: it also gives the user a confirmed authenticator (if none) and
    marks the session verified with it, exactly as the code step does. A real
    password sign-in (``client.post(login)`` or ``client.login``) is not
    patched, so the tests in test_twofactor.py see the production path."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="测试设备", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        patch.setattr(Client, "force_login_password_only", original, raising=False)
        yield
