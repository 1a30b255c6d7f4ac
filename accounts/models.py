import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGER_ROLES, ROLE_TEAM_KIND, Role, TeamKind


class Team(models.Model):
    """A group of people on one side: a marketing team, a sales team, or leadership.

    There can be several sales teams (by region or segment); the hand-over routes
    MQLs to one of them.
    """

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=TeamKind)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TeamKind.values), name="team_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person, or a service account that an integration's API tokens act as.

    ``role`` decides what the person may do; ``team`` says which side they are on and
    must be of the role's kind (a seller is in a sales team).
    """

    role = models.CharField(max_length=20, choices=Role, default=Role.MARKETER)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    # Sellers on holiday or at capacity are skipped by the hand-over round-robin.
    is_available = models.BooleanField(
        default=True,
        help_text=_("Unavailable sellers receive no new MQLs from the hand-over."),
    )
    is_service_account = models.BooleanField(
        default=False, help_text=_("An integration (CRM, marketing automation), not a person.")
    )

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def team_kind(self) -> str:
        """The side this user is on: marketing, sales or leadership."""
        return ROLE_TEAM_KIND[Role(self.role)]

    @property
    def is_marketing(self) -> bool:
        return self.team_kind == TeamKind.MARKETING

    @property
    def is_sales(self) -> bool:
        return self.team_kind == TeamKind.SALES

    @property
    def is_leadership(self) -> bool:
        return self.team_kind == TeamKind.LEADERSHIP

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


class ApiTokenScope(models.TextChoices):
    LEADS_READ = "leads:read", "leads:read"
    LEADS_WRITE = "leads:write", "leads:write"
    SLA_READ = "sla:read", "sla:read"
    SLA_WRITE = "sla:write", "sla:write"
    CAMPAIGNS_READ = "campaigns:read", "campaigns:read"
    CAMPAIGNS_WRITE = "campaigns:write", "campaigns:write"
    FEEDBACK_READ = "feedback:read", "feedback:read"
    FEEDBACK_WRITE = "feedback:write", "feedback:write"
    KPIS_READ = "kpis:read", "kpis:read"
    KPIS_WRITE = "kpis:write", "kpis:write"
    WEBHOOKS_READ = "webhooks:read", "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write", "webhooks:write"


def hash_token(raw_token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is as strong as a slow hash here
    # and lets authentication find the row with one indexed lookup.
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. It acts as ``user``, narrowed to ``scopes``.

    Only the SHA-256 of the token is stored; the token itself is shown once, at
    creation. ``prefix`` (its first characters) lets people tell tokens apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)


class Notification(models.Model):
    """An in-app notice for one user (hand-overs, breaches, answers to feedback)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What it is about, e.g. "handover", "breach", "feedback_answer".
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # What makes it unique, e.g. "handover:123:2026-11-22T10:00" — sending twice is a no-op.
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            # The unread count in the navigation bar.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.message


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` an API client sent with a POST or PATCH, and its answer.

    Keys are per caller (``scope``: a token, or a signed-in user), so two clients never
    share one. The row is claimed before the request runs and committed on its own, so
    a second request with the key sees it at once (409 while the first runs). The answer
    is stored in the transaction of the request's own work (accounts.idempotency), so
    "acted" and "answer kept" commit together: a retry either replays that answer or,
    if the first run died, runs again on a clean slate. Keys expire after
    IDEMPOTENCY_KEY_TTL_HOURS and are purged daily.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_scope"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
