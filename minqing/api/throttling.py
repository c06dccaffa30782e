"""Throttles that know the client by ``core.middleware.ip_of``, the address the audit trail records.

DRF's own ``get_ident`` trusts the whole ``X-Forwarded-For`` header unless ``NUM_PROXIES`` is set, so a
client could change the header to reset its allowance. Use these classes, never DRF's.
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.request import Request

from minqing.core.middleware import ip_of


class AnonRateThrottle(throttling.AnonRateThrottle):
    """Anonymous requests per client address (rate ``anon`` in ``DEFAULT_THROTTLE_RATES``)."""

    def get_ident(self, request: Request) -> str:
        return ip_of(request) or ""
