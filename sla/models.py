"""The SLA between marketing and sales: agreements, their signed versions, clocks, breaches.

Read next to DOMAIN.md §3. A version's terms are frozen once anyone has signed it:
changing a term makes a new draft version, and signatures never carry over.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import TeamKind


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")
    EXPIRED = "expired", _("Expired")


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class SignatoryRole(models.TextChoices):
    MARKETING_LEAD = "marketing_lead", _("Marketing lead")
    SALES_LEAD = "sales_lead", _("Sales lead")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
    ADDITIONAL = "additional", _("Additional signatory")


REQUIRED_SIGNATORY_ROLES = (
    SignatoryRole.MARKETING_LEAD,
    SignatoryRole.SALES_LEAD,
    SignatoryRole.EXECUTIVE_SPONSOR,
)


class Side(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")


class BreachKind(models.TextChoices):
    DECISION_LATE = "decision_late", _("Decision too late")
    FIRST_TOUCH_LATE = "first_touch_late", _("First touch too late")
    RECYCLED_EARLY = "recycled_early", _("Recycled with too few attempts")
    REJECTION_WITHOUT_COMMENT = "rejection_without_comment", _("Rejection without comment")
    MQL_VOLUME = "mql_volume", _("MQL volume below target")
    ACCEPTANCE_RATE = "acceptance_rate", _("Acceptance rate below target")
    CAMPAIGN_FEEDBACK_LATE = "campaign_feedback_late", _("Campaign feedback not on time")


# Which side answers for each kind of breach.
BREACH_SIDE = {
    BreachKind.DECISION_LATE: Side.SALES,
    BreachKind.FIRST_TOUCH_LATE: Side.SALES,
    BreachKind.RECYCLED_EARLY: Side.SALES,
    BreachKind.REJECTION_WITHOUT_COMMENT: Side.SALES,
    BreachKind.MQL_VOLUME: Side.MARKETING,
    BreachKind.ACCEPTANCE_RATE: Side.MARKETING,
    BreachKind.CAMPAIGN_FEEDBACK_LATE: Side.SALES,
}
LEAD_BREACH_KINDS = (
    BreachKind.DECISION_LATE,
    BreachKind.FIRST_TOUCH_LATE,
    BreachKind.RECYCLED_EARLY,
    BreachKind.REJECTION_WITHOUT_COMMENT,
)
PERIOD_BREACH_KINDS = (BreachKind.MQL_VOLUME, BreachKind.ACCEPTANCE_RATE)


class SLA(models.Model):
    """An agreement between one marketing team and one sales team, for a scope.

    The scope is the pair of teams, optionally narrowed to one segment and/or one region
    (blank = all). Each scope has at most one SLA and, through it, at most one active version.
    """

    name = models.CharField(max_length=150)
    marketing_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": TeamKind.MARKETING},
    )
    sales_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": TeamKind.SALES},
    )
    segment = models.CharField(max_length=50, blank=True, help_text=_("Blank: every segment."))
    region = models.CharField(max_length=50, blank=True, help_text=_("Blank: every region."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "SLA"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["marketing_team", "sales_team", "segment", "region"],
                name="sla_one_per_scope",
                violation_error_message=_("An SLA for these teams and this scope already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_label(self) -> str:
        parts = [f"{self.marketing_team} ↔ {self.sales_team}"]
        if self.segment:
            parts.append(f"segment {self.segment}")
        if self.region:
            parts.append(f"region {self.region}")
        return ", ".join(parts)


# The term fields of a version, in the order the fingerprint and the diff use.
MARKETING_TERMS = ("mql_target", "acceptance_rate_target", "mql_min_score", "mql_required_fields")
SALES_TERMS = (
    "decision_hours",
    "first_touch_hours",
    "min_attempts",
    "rejection_comment_required",
    "feedback_days",
)
CALENDAR_TERMS = ("period", "time_zone", "working_days", "day_start", "day_end", "holidays")
VALIDITY_TERMS = ("valid_from", "valid_until")
TERM_FIELDS = MARKETING_TERMS + SALES_TERMS + CALENDAR_TERMS + VALIDITY_TERMS


class SLAVersion(models.Model):
    """One version of an SLA's terms, and where it stands: draft → signed → active → ended.

    The terms are frozen from the first signature on; ``fingerprint`` is the SHA-256 of
    their canonical JSON, and each signature stores the fingerprint it signed.
    """

    Status = VersionStatus

    sla = models.ForeignKey(SLA, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus, default=VersionStatus.DRAFT)
    # Marketing's commitments.
    mql_target = models.PositiveIntegerField(help_text=_("MQLs handed over per period."))
    acceptance_rate_target = models.PositiveSmallIntegerField(
        help_text=_("Minimum share of MQLs accepted by sales, in percent.")
    )
    mql_min_score = models.PositiveSmallIntegerField(help_text=_("MQL definition: minimum score."))
    mql_required_fields = models.JSONField(
        default=list, blank=True, help_text=_("MQL definition: lead fields that must be filled.")
    )
    # Sales' commitments.
    decision_hours = models.PositiveSmallIntegerField(
        help_text=_("Accept or reject each MQL within this many business hours.")
    )
    first_touch_hours = models.PositiveSmallIntegerField(
        help_text=_("First contact attempt within this many business hours of acceptance.")
    )
    min_attempts = models.PositiveSmallIntegerField(
        help_text=_("Contact attempts before a SAL may be recycled.")
    )
    rejection_comment_required = models.BooleanField(
        default=True, help_text=_("Every rejection carries a comment besides its reason code.")
    )
    feedback_days = models.PositiveSmallIntegerField(
        help_text=_("Feedback on each campaign within this many days of its end.")
    )
    # The period and the business calendar.
    period = models.CharField(max_length=10, choices=Period, default=Period.MONTH)
    time_zone = models.CharField(max_length=64, default="Europe/Berlin")
    working_days = models.JSONField(default=list, help_text=_("Weekdays, Monday = 0."))
    day_start = models.TimeField(default=time(9, 0))
    day_end = models.TimeField(default=time(17, 0))
    holidays = models.JSONField(default=list, blank=True, help_text=_("ISO dates."))
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    # Bookkeeping (not terms).
    fingerprint = models.CharField(max_length=64, blank=True)
    extra_signatories = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sla", "-number"]
        verbose_name = "SLA version"
        constraints = [
            models.UniqueConstraint(fields=["sla", "number"], name="slaversion_number_unique"),
            # At most one active version per scope (an SLA is a scope).
            models.UniqueConstraint(
                fields=["sla"],
                condition=Q(status=VersionStatus.ACTIVE),
                name="slaversion_one_active_per_sla",
                violation_error_message=_("This SLA already has an active version."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="slaversion_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(acceptance_rate_target__lte=100),
                name="slaversion_acceptance_rate_percent",
            ),
            models.CheckConstraint(
                condition=Q(mql_min_score__lte=100), name="slaversion_min_score_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(decision_hours__gt=0) & Q(first_touch_hours__gt=0),
                name="slaversion_hours_positive",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="slaversion_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(period__in=Period.values), name="slaversion_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sla} v{self.number}"

    def terms(self) -> dict:
        """The terms as plain JSON values, in canonical order."""
        values = {}
        for name in TERM_FIELDS:
            value = getattr(self, name)
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, list):
                value = sorted(value)
            values[name] = value
        return values


class SLAVersionChange(models.Model):
    """One lifecycle move of a version (or a signature), never edited."""

    version = models.ForeignKey(SLAVersion, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=20, choices=VersionStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=VersionStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "SLA version change"

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status or '—'} → {self.to_status}"


class Signature(models.Model):
    """Who signed which version, when, as what, and the fingerprint of the terms they saw."""

    version = models.ForeignKey(SLAVersion, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=SignatoryRole)
    fingerprint = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "signer"],
                name="signature_once_per_signer",
                violation_error_message=_("You have already signed this version."),
            ),
            # Each required role is filled once (two sales managers cannot both be the sales lead).
            models.UniqueConstraint(
                fields=["version", "role"],
                condition=~Q(role=SignatoryRole.ADDITIONAL),
                name="signature_required_role_once",
                violation_error_message=_("This role has already signed this version."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer} signed {self.version} as {self.get_role_display()}"


class ClockDecision(models.TextChoices):
    UNDECIDED = "", _("Undecided")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ObligationState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    NOT_APPLICABLE = "n/a", _("Not applicable")


class SLAClock(models.Model):
    """The SLA clock of one hand-over: the version that judges it and its due times.

    A new hand-over (after a recycle) starts a new clock. The detector fills in the
    decision and the first-touch due time once sales decided, and settles each obligation
    (met or breached) so that the next run never looks at it again.
    """

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="sla_clocks")
    version = models.ForeignKey(SLAVersion, on_delete=models.PROTECT, related_name="clocks")
    handed_over_at = models.DateTimeField()
    # The seller the lead was handed to: answers for the clock once the lead has moved on.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_due_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=ClockDecision, blank=True, default="")
    decision_state = models.CharField(
        max_length=10, choices=ObligationState, default=ObligationState.OPEN
    )
    first_touch_due_at = models.DateTimeField(null=True, blank=True)
    first_touch_state = models.CharField(
        max_length=10, choices=ObligationState, default=ObligationState.NOT_APPLICABLE
    )
    # A comment on the rejection, where the SLA asks for one.
    comment_state = models.CharField(
        max_length=10, choices=ObligationState, default=ObligationState.NOT_APPLICABLE
    )
    # Whether the persistence rule (attempts before recycling) has been judged.
    persistence_state = models.CharField(
        max_length=10, choices=ObligationState, default=ObligationState.NOT_APPLICABLE
    )

    class Meta:
        verbose_name = "SLA clock"
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "handed_over_at"], name="slaclock_once_per_handover"
            ),
        ]
        indexes = [
            # The detector: "undecided, or due and not yet settled" stays small.
            models.Index(
                fields=["decision_due_at"],
                condition=Q(decision_state=ObligationState.OPEN),
                name="slaclock_decision_open_idx",
            ),
            # Decision sync: undecided clocks are the open MQLs.
            models.Index(
                fields=["lead"],
                condition=Q(decision=ClockDecision.UNDECIDED),
                name="slaclock_undecided_idx",
            ),
            models.Index(
                fields=["first_touch_due_at"],
                condition=Q(first_touch_state=ObligationState.OPEN),
                name="slaclock_first_touch_open_idx",
            ),
            models.Index(
                fields=["lead"],
                condition=Q(persistence_state=ObligationState.OPEN),
                name="slaclock_persistence_open_idx",
            ),
            models.Index(
                fields=["lead"],
                condition=Q(comment_state=ObligationState.OPEN),
                name="slaclock_comment_open_idx",
            ),
            # The inbox: the latest clock of each lead.
            models.Index(fields=["lead", "-handed_over_at"], name="slaclock_lead_latest_idx"),
            # Compliance per period.
            models.Index(fields=["handed_over_at"], name="slaclock_handed_over_idx"),
        ]

    def __str__(self) -> str:
        return f"Clock of lead {self.lead_id} from {self.handed_over_at:%Y-%m-%d %H:%M}"


class Breach(models.Model):
    """A commitment missed: per lead (one hand-over's clock) or per period of a version.

    Recorded once: (lead, kind, clock) and (version, kind, period_start) are unique, so a
    second run of the detector, or two at once, insert nothing new.
    """

    Kind = BreachKind

    kind = models.CharField(max_length=30, choices=BreachKind)
    side = models.CharField(max_length=10, choices=Side)
    version = models.ForeignKey(SLAVersion, on_delete=models.PROTECT, related_name="breaches")
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="sla_breaches"
    )
    clock = models.ForeignKey(
        SLAClock, null=True, blank=True, on_delete=models.CASCADE, related_name="breaches"
    )
    # The seller who answered for the lead when the breach was found (sales breaches).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Campaign feedback breaches: the campaign that got no feedback from sales in time.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_breaches",
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    due_at = models.DateTimeField()
    detected_at = models.DateTimeField(default=timezone.now)
    # Per-period breaches: what was promised and what happened.
    target = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement = models.TextField(blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "kind", "clock"],
                condition=Q(lead__isnull=False),
                name="breach_once_per_lead_kind_clock",
            ),
            models.UniqueConstraint(
                fields=["version", "kind", "period_start"],
                condition=Q(period_start__isnull=False),
                name="breach_once_per_version_kind_period",
            ),
            models.UniqueConstraint(
                fields=["campaign", "kind"],
                condition=Q(campaign__isnull=False),
                name="breach_once_per_campaign_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=BreachKind.values), name="breach_kind_valid"
            ),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="breach_side_valid"),
            models.CheckConstraint(
                condition=Q(lead__isnull=False, clock__isnull=False)
                | Q(period_start__isnull=False)
                | Q(campaign__isnull=False),
                name="breach_per_lead_or_per_period",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | ~Q(acknowledgement=""),
                name="breach_acknowledged_with_comment",
            ),
        ]
        indexes = [
            # Compliance page and KPIs: breaches per side in a time range.
            models.Index(fields=["side", "due_at"], name="breach_side_due_idx"),
            # Notifications not yet sent (the detector's last step).
            models.Index(
                fields=["id"], condition=Q(notified_at__isnull=True), name="breach_unnotified_idx"
            ),
        ]

    def __str__(self) -> str:
        subject = f"lead {self.lead_id}" if self.lead_id else f"period from {self.period_start}"
        return f"{self.get_kind_display()} ({subject})"
