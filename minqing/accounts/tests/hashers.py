"""A password hasher that counts its runs, to prove when a password is (not) evaluated."""

import threading
import time

from django.contrib.auth.hashers import MD5PasswordHasher

_lock = threading.Lock()


class CountingHasher(MD5PasswordHasher):
    """MD5 (the test suite's hasher) that counts every hash it computes and may take its time.

    A login checks a password with ``verify``, which hashes once; an unknown username gets Django's
    dummy ``make_password`` run, which hashes once too.
    """

    runs = 0
    delay = 0.0

    def encode(self, password: str, salt: str) -> str:
        with _lock:
            type(self).runs += 1
        if self.delay:
            time.sleep(self.delay)
        return super().encode(password, salt)
