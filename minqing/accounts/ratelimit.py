"""Login attempts per client address: the login page, the admin's login and the API token endpoint.

The account lockout stops guessing one account's password; this stops one address trying many
accounts. A fixed window in the cache, counted atomically (``cache.add`` then ``cache.incr``), so
parallel requests cannot all pass a check made before any of them counted. The address is
``core.middleware.ip_of``'s, as in the login log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

KEY = "minqing:login-rate:{ip}"


def login_attempt_allowed(ip: str | None) -> bool:
    """Count one login attempt from ``ip``; False once more than ``LOGIN_RATE_PER_IP`` in the window."""
    limit: int = settings.LOGIN_RATE_PER_IP
    if limit <= 0:  # 0 switches the limit off
        return True
    window: int = settings.LOGIN_RATE_WINDOW_SECONDS
    key = KEY.format(ip=ip or "-")
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr: this attempt opens the next one
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit


def rate_limited_message() -> str:
    minutes = max(1, round(settings.LOGIN_RATE_WINDOW_SECONDS / 60))
    return _("该网络地址的登录尝试过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
