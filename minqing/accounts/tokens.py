"""API tokens: issued for a username and password, valid ``API_TOKEN_LIFETIME_HOURS`` from issue.

One token per account (DRF's ``Token``), shared by the account's API clients. It ends when its lifetime
is over (401, deleted at first use), when the password changes and when the account is disabled
(``services.sessions_end``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .models import User


def token_expires(token: Token) -> datetime:
    return token.created + timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


def token_issue(*, user: User) -> Token:
    """The account's token; a new one when the current one has expired (its clients must ask again)."""
    token, _created = Token.objects.get_or_create(user=user)
    if token_expires(token) <= timezone.now():
        Token.objects.filter(pk=token.pk).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` for ``API_TOKEN_LIFETIME_HOURS`` after the token was issued."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expires(token) <= timezone.now():
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("令牌已过期，请使用用户名和密码重新获取。"), code="token_expired"
            )
        return user, token
