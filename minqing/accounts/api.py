from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.api.throttling import AnonRateThrottle
from minqing.core.middleware import ip_of
from minqing.core.scoping import ALL

from .models import Assignment, User
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


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="After this time the token answers 401: ask for a new one.")


@extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer, auth=[])
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([AnonRateThrottle])
def token(request: Request) -> Response:
    """Exchange username and password for an API token, with the same lockout as the login page.

    The token is valid for ``API_TOKEN_LIFETIME_HOURS`` from its issue (``expires``); a password change
    ends it at once."""
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    user = login_check(
        username=data.validated_data["username"],
        password=data.validated_data["password"],
        ip=ip_of(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    issued = token_issue(user=user)
    return Response(TokenResponseSerializer({"token": issued.key, "expires": token_expires(issued)}).data)
