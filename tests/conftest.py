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
