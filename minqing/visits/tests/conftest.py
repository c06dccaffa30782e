import pytest


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Photos go to a temporary private folder, never into var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
