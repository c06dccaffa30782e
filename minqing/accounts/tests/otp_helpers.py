"""Helpers for the two-factor tests: devices, codes as an authenticator app computes them, sessions."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.accounts.otp import recovery_codes_new

PASSWORD = "Correct-Horse-42"


def enrol(user, codes=False):
    """A confirmed authenticator for ``user`` (and recovery codes when ``codes``)."""
    device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=True)
    recovery = recovery_codes_new(user=user) if codes else []
    return device, recovery


def code_of(device, steps=0):
    """The code the app shows ``steps`` time steps from now (a code is accepted once: use later steps)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    """Six digits that no step in the tolerance window produces."""
    valid = {code_of(device, s) for s in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if c not in valid)


def login_verified(client, user, device):
    """A session that has passed both factors (as the verify page leaves it)."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
