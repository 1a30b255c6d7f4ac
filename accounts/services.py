"""Writes for people, teams and API tokens."""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, ApiTokenScope, Notification, Team, User, hash_token
from accounts.roles import ROLE_GROUP_NAME, ROLE_TEAM_KIND, Role

TOKEN_PREFIX = "smk_"


def role_team_mismatch(role: str, team: Team | None) -> str | None:
    """Why ``team`` cannot hold someone of ``role``, or None when it can."""
    expected = ROLE_TEAM_KIND[Role(role)]
    if team is None or team.kind == expected:
        return None
    return (
        f"A {Role(role).label.lower()} belongs to a {expected.label.lower()} team, "
        f"not to {team.name} ({team.get_kind_display().lower()})."
    )


@transaction.atomic
def user_set_role(*, user: User, role: str, team: Team | None) -> User:
    """Give ``user`` a role and team, and put them in exactly that role's group.

    The group carries the role's model permissions; membership of other role groups
    is removed so a demoted manager keeps no manager rights.
    """
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role “{role}”."})
    if mismatch := role_team_mismatch(role, team):
        raise ValidationError({"team": mismatch})
    user.role = role
    user.team = team
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
    user.save()
    role_groups = Group.objects.filter(name__in=ROLE_GROUP_NAME.values())
    user.groups.remove(*role_groups)
    group, _created = Group.objects.get_or_create(name=ROLE_GROUP_NAME[Role(role)])
    user.groups.add(group)
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    team: Team | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_service_account: bool = False,
) -> User:
    """Create a person (or a service account) with a role, a team and that role's group."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_service_account=is_service_account,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.role = role
    user.full_clean(exclude=["password"])
    return user_set_role(user=user, role=role, team=team)


def parse_scopes(scopes: Iterable[str] | str) -> list[str]:
    """Validate scope names; accepts ``"a,b"`` or a list. Keeps the given order, no repeats."""
    if isinstance(scopes, str):
        scopes = scopes.split(",")
    cleaned = []
    for scope in (scope.strip() for scope in scopes):
        if not scope or scope in cleaned:
            continue
        if scope not in ApiTokenScope.values:
            raise ValidationError(
                {
                    "scopes": (
                        f"Unknown scope “{scope}”. Scopes are {', '.join(ApiTokenScope.values)}."
                    )
                }
            )
        cleaned.append(scope)
    if not cleaned:
        raise ValidationError({"scopes": "Give a token at least one scope."})
    return cleaned


def api_token_create(
    *, user: User, name: str, scopes: Iterable[str] | str, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with the raw token, which is never stored.

    The caller shows the raw token once; afterwards only its hash exists.
    """
    if not user.is_active:
        raise ValidationError({"user": "A deactivated user cannot hold API tokens."})
    if expires_days is not None and expires_days < 1:
        raise ValidationError({"expires_days": "A token must live at least one day."})
    raw_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip() or "API token",
        prefix=raw_token[:12],
        key_hash=hash_token(raw_token),
        scopes=parse_scopes(scopes),
        expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
    )
    token.full_clean()
    token.save()
    return token, raw_token


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token at once. Its owner or an admin may; revoking twice changes nothing."""
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied("Only the token's owner or an admin can revoke it.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def notifications_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark ``user``'s unread notices read (all, or one); returns how many changed.

    One UPDATE scoped to the user's own rows: the recipient filter is the permission
    check, and marking twice changes nothing.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
