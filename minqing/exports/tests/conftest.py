import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Export files go to a temporary private storage; small exports run in the request as in production."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.EXPORTS_RUN_INLINE = False
    settings.EXPORTS_WORKER = False
    settings.EXPORT_INLINE_MAX_ROWS = 2000
    return tmp_path
