import pytest
from rest_framework.test import APIClient

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Export files go to a temporary private storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def watchers(tree):
    """Supervisors of village V (two, one without e-mail), of township T, and of village X."""
    return {
        "v": assign(UserFactory(username="watch-v", email="v@example.cn"), Role.SUPERVISOR, tree.v),
        "v_no_mail": assign(UserFactory(username="watch-v2", email=""), Role.SUPERVISOR, tree.v),
        "t": assign(UserFactory(username="watch-t", email="t@example.cn"), Role.SUPERVISOR, tree.t),
        "x": assign(UserFactory(username="watch-x", email="x@example.cn"), Role.SUPERVISOR, tree.x),
    }
