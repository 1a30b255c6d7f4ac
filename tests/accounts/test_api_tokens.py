from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.authentication import HasScope
from accounts.models import ApiToken, hash_token


def bearer(raw_token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    return client


def test_a_valid_token_acts_as_its_user(marketer):
    _token, raw = services.api_token_create(user=marketer, name="crm", scopes="leads:read")

    response = bearer(raw).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "marketer"
    assert response.json()["role"] == "marketer"
    assert response.json()["token_scopes"] == ["leads:read"]


def test_tokens_are_stored_hashed_never_in_clear(marketer):
    token, raw = services.api_token_create(user=marketer, name="crm", scopes="leads:read")

    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix, stored.name)
    assert stored.key_hash == hash_token(raw)


@pytest.mark.parametrize(
    "header",
    ["Bearer smk_not-a-real-token", "Bearer ", "Bearer two words", "Token abc"],
)
def test_bad_credentials_get_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_get_401(db):
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_an_expired_token_gets_401(marketer):
    _token, raw = services.api_token_create(
        user=marketer, name="crm", scopes="leads:read", expires_days=1
    )
    assert bearer(raw).get("/api/v1/me/").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = bearer(raw).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["detail"] == "This API token has expired."


def test_a_revoked_token_gets_401_at_once(marketer):
    token, raw = services.api_token_create(user=marketer, name="crm", scopes="leads:read")

    services.api_token_revoke(token=token, actor=marketer)

    response = bearer(raw).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token has been revoked."


def test_only_the_owner_or_an_admin_revokes_a_token(marketer, seller, admin_user):
    from django.core.exceptions import PermissionDenied

    token, _raw = services.api_token_create(user=marketer, name="crm", scopes="leads:read")

    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=token, actor=seller)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None

    services.api_token_revoke(token=token, actor=admin_user)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_deactivated_users_token_gets_401(marketer):
    _token, raw = services.api_token_create(user=marketer, name="crm", scopes="leads:read")
    marketer.is_active = False
    marketer.save()

    assert bearer(raw).get("/api/v1/me/").status_code == 401


class _ScopedView:
    scope_area = "leads"


class _Request:
    def __init__(self, method, auth):
        self.method = method
        self.auth = auth


@pytest.mark.parametrize(
    ("scopes", "method", "allowed"),
    [
        (["leads:read"], "GET", True),
        (["leads:read"], "POST", False),
        (["leads:write"], "POST", True),
        (["leads:write"], "GET", False),
        (["sla:read", "sla:write"], "GET", False),
    ],
)
def test_scopes_narrow_what_a_token_may_do(marketer, scopes, method, allowed):
    token, _raw = services.api_token_create(user=marketer, name="crm", scopes=scopes)

    assert HasScope().has_permission(_Request(method, token), _ScopedView()) is allowed


def test_a_view_without_an_area_is_closed_to_tokens_but_open_to_sessions(marketer):
    token, _raw = services.api_token_create(user=marketer, name="crm", scopes="leads:read")

    assert HasScope().has_permission(_Request("GET", token), object()) is False
    assert HasScope().has_permission(_Request("GET", None), object()) is True


def test_unknown_scopes_are_refused(marketer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.api_token_create(user=marketer, name="crm", scopes="leads:read,leads:delete")

    assert "leads:delete" in error.value.message_dict["scopes"][0]
    assert not ApiToken.objects.exists()


def test_create_api_token_command_prints_the_token_alone(marketer):
    out, err = StringIO(), StringIO()

    call_command(
        "create_api_token",
        user="marketer",
        scopes="leads:read,leads:write",
        expires_days=7,
        stdout=out,
        stderr=err,
    )

    raw = out.getvalue().strip()
    assert raw.startswith("smk_")
    assert "\n" not in raw
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.scopes == ["leads:read", "leads:write"]
    assert token.expires_at is not None


def test_create_api_token_command_reports_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named"):
        call_command("create_api_token", user="ghost", scopes="leads:read", stdout=StringIO())


def test_tokens_page_shows_a_new_token_once_and_revokes(session_client_for, marketer):
    client = session_client_for(marketer)

    response = client.post(
        "/account/tokens/", {"name": "HubSpot", "scopes": ["leads:read", "leads:write"]}
    )
    assert response.status_code == 200
    raw = response.context["new_raw_token"]
    assert raw in response.text
    assert raw not in client.get("/account/tokens/").text

    token = ApiToken.objects.get(user=marketer)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert bearer(raw).get("/api/v1/me/").status_code == 401


def test_tokens_page_reports_missing_scopes_as_a_form_error(session_client_for, marketer):
    response = session_client_for(marketer).post("/account/tokens/", {"name": "x"})

    assert response.status_code == 400
    assert "Choose at least one scope." in response.text
    assert not ApiToken.objects.exists()
