"""``Authorization: Bearer <token>`` for the API, and the scopes a token may use."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from accounts.models import ApiToken, hash_token

# last_used_at is informational; writing it on every request would turn each read into
# a write. Once a minute per token is precise enough to spot unused tokens.
LAST_USED_PRECISION = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A valid token authenticates as its user; ``request.auth`` is the ApiToken.

    An expired, revoked, unknown or malformed token is a 401, never an anonymous
    request: a client that sends credentials must learn they are wrong.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw_token = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        raw_token = raw_token.strip()
        if not raw_token or " " in raw_token:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        token = (
            ApiToken.objects.select_related("user", "user__team")
            .filter(key_hash=hash_token(raw_token))
            .first()
        )
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid API token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API token has been revoked.")
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This API token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This API token's user is deactivated.")
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to requests without credentials.
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer smk_…`. Scopes narrow it.",
        }


def scope_for(area: str, request) -> str:
    return f"{area}:{'read' if request.method in permissions.SAFE_METHODS else 'write'}"


class HasScope(permissions.BasePermission):
    """An API token may only do what its scopes name; browser sessions pass through.

    A view declares its area once: ``scope_area = "leads"``. Safe methods need
    ``leads:read``, every other method ``leads:write``. A view without an area is
    closed to tokens, so a forgotten declaration fails safe. The user's own role is
    checked by the services, for tokens and sessions alike.
    """

    message = "This API token's scopes do not allow this request."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        area = getattr(view, "scope_area", None)
        if area is None:
            return False
        required = scope_for(area, request)
        if not token.has_scope(required):
            self.message = f"This API token lacks the scope “{required}”."
            return False
        return True
