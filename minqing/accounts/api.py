from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.api.errors import error
from minqing.api.throttling import AnonRateThrottle
from minqing.core.middleware import ip_of
from minqing.core.scoping import ALL

from .models import Assignment, User
from .otp import CODE_MAX, has_device, otp_verify, second_factor_required
from .ratelimit import login_attempt_allowed, rate_limited_message
from .roles import ACTIONS
from .services import USERNAME_MAX, login_check
from .tokens import token_expires, token_issue


class AssignmentSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    role_display = serializers.CharField(source="get_role_display")
    department = serializers.CharField(source="department.name", default=None)

    class Meta:
        model = Assignment
        fields = ["role", "role_display", "area", "area_name", "department"]


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name")
    assignments = serializers.SerializerMethodField()
    scopes = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "is_superuser", "assignments", "scopes"]

    def get_assignments(self, user: User) -> list[dict]:
        # many=True makes a ListSerializer whose data is a ReturnList; the stubs only know ReturnDict.
        return AssignmentSerializer(user.active_assignments(), many=True).data  # type: ignore[return-value]

    def get_scopes(self, user: User) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for action in ACTIONS:
            prefixes = user.scope_prefixes(action)
            result[action] = ["*"] if prefixes is ALL else list(prefixes)
        return result


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller, their assignments and the area prefixes of each action."""
    return Response(MeSerializer(request.user).data)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=USERNAME_MAX)
    password = serializers.CharField(label="密码", style={"input_type": "password"})
    otp = serializers.CharField(
        label="动态码",
        required=False,
        allow_blank=True,
        max_length=CODE_MAX + 8,
        help_text="Two-factor login (OTP_REQUIRED): the authenticator's current code or one recovery code. "
        "Required for accounts that may reveal, export or manage, superusers and staff.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="After this time the token answers 401: ask for a new one.")


@extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer, auth=[])
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([AnonRateThrottle])
def token(request: Request) -> Response:
    """Exchange username and password (and ``otp`` where two-factor login applies) for an API token, with
    the login page's lockout and per-address limit.

    The token is valid for ``API_TOKEN_LIFETIME_HOURS`` from its issue (``expires``); a password change
    ends it at once. Errors name their ``code``: ``rate_limited`` (429), ``otp_required`` and
    ``otp_not_enrolled`` (400), ``otp_invalid`` and ``locked`` (401)."""
    ip = ip_of(request)
    if not login_attempt_allowed(ip):
        window = str(settings.LOGIN_RATE_WINDOW_SECONDS)
        return error(rate_limited_message(), 429, "rate_limited", **{"Retry-After": window})
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    agent = request.META.get("HTTP_USER_AGENT", "")
    user = login_check(
        username=data.validated_data["username"],
        password=data.validated_data["password"],
        ip=ip,
        user_agent=agent,
    )
    if second_factor_required(user):
        code = data.validated_data.get("otp", "")
        if not has_device(user):
            message = _(
                "该账号需要两步验证，但尚未设置手机验证器：请先在网页上登录并按提示设置，再获取令牌。"
            )
            return error(message, 400, "otp_not_enrolled")
        if not code.strip():
            message = _("该账号需要两步验证：请在 otp 字段中提供手机验证器上的动态码，或一个恢复码。")
            return error(message, 400, "otp_required")
        try:
            otp_verify(user=user, code=code, ip=ip, user_agent=agent)
        except ValidationError as failure:
            return error(failure.messages[0], 401, failure.code)
    issued = token_issue(user=user)
    return Response(TokenResponseSerializer({"token": issued.key, "expires": token_expires(issued)}).data)
