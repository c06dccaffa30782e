"""The API schema and its documentation page are for signed-in users only."""

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def test_anonymous_gets_no_schema(client, db):
    response = APIClient().get(reverse("schema"), {"format": "json"})
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]


def test_anonymous_docs_page_redirects_to_login(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_signed_in_users_get_both(client, users):
    client.force_login(users.inside)
    assert client.get(reverse("schema"), {"format": "json"}).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200


def test_token_users_get_the_schema(users):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=users.inside).key}")
    assert api.get(reverse("schema"), {"format": "json"}).status_code == 200
