import pytest

from .hashers import CountingHasher


@pytest.fixture
def hasher(settings):
    """Count the password hashes computed from now on (``hasher.runs``)."""
    settings.PASSWORD_HASHERS = ["minqing.accounts.tests.hashers.CountingHasher"]
    CountingHasher.runs, CountingHasher.delay = 0, 0.0
    yield CountingHasher
    CountingHasher.runs, CountingHasher.delay = 0, 0.0


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test: the API throttles count requests there."""
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()
