import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Export files go to a temporary private storage; small exports run in the request as in production, large ones as tasks (at once in tests)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.EXPORT_INLINE_MAX_ROWS = 2000
    return tmp_path
