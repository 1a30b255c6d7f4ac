from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead")
    MQL = "mql", _("MQL")
    SAL = "sal", _("SAL")
    REJECTED = "rejected", _("Rejected")
    SQL = "sql", _("SQL")
    CUSTOMER = "customer", _("Customer")
    LOST = "lost", _("Lost")
    DISQUALIFIED = "disqualified", _("Disqualified")


class TargetTier(models.TextChoices):
    TIER_1 = "tier_1", _("Tier 1")
    TIER_2 = "tier_2", _("Tier 2")
    TIER_3 = "tier_3", _("Tier 3")
    NONE = "", _("Not a target")


class Account(models.Model):
    """A company that leads work for. Target accounts are the ones campaigns aim at."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=20, blank=True, help_text=_("Employees, e.g. 51-200."))
    region = models.CharField(max_length=50, blank=True)
    target_tier = models.CharField(max_length=10, choices=TargetTier, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("domain"),
                condition=~Q(domain=""),
                name="account_domain_unique_ci",
                violation_error_code="account_domain_unique_ci",
                violation_error_message=_("An account with this domain already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReasonCode(models.Model):
    """Why a lead was rejected, recycled or lost: a managed list, edited by managers."""

    code = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Lead(models.Model):
    """A known person on the demand waterfall, owned by marketing until the hand-over.

    ``stage`` is where the lead is now. The ``*_at`` fields keep the first time it
    reached each stage, so funnel and velocity queries never scan the history;
    ``handed_over_at`` is the latest hand-over, which the seller's inbox and the SLA
    clocks count from. Every move is a LeadStageChange row.
    """

    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    source = models.CharField(
        max_length=50, blank=True, help_text=_("Where the lead came from: web form, event…")
    )
    source_system = models.CharField(
        max_length=50, blank=True, help_text=_("The CRM or tool it is synced with.")
    )
    external_id = models.CharField(
        max_length=200, blank=True, help_text=_("Its id in the source system.")
    )
    segment = models.CharField(max_length=50, blank=True)
    region = models.CharField(max_length=50, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_leads",
    )
    stage = models.CharField(max_length=12, choices=Stage, default=Stage.LEAD)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # When sales accepted or rejected the current hand-over (None while undecided).
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the owner must accept or reject the current hand-over, as the SLA that judges
    # it says (None: no SLA applies). The SLA area sets it at the hand-over.
    decision_due_at = models.DateTimeField(null=True, blank=True)
    # First time the lead reached each stage.
    mql_at = models.DateTimeField(null=True, blank=True)
    sal_at = models.DateTimeField(null=True, blank=True)
    sql_at = models.DateTimeField(null=True, blank=True)
    won_at = models.DateTimeField(null=True, blank=True)
    first_touch_at = models.DateTimeField(null=True, blank=True)
    expected_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    won_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # What the search box matches: e-mail and name, upper-cased, kept by the database.
    # On PostgreSQL a trigram GIN index on it (migration 0006) makes "contains" searches
    # an index scan instead of a scan of every lead.
    search_text = models.GeneratedField(
        expression=Upper(Concat("email", Value(" "), "first_name", Value(" "), "last_name")),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="lead_email_unique_ci",
                violation_error_code="lead_email_unique_ci",
                violation_error_message=_("A lead with this email already exists."),
            ),
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=~Q(external_id=""),
                name="lead_external_id_unique_per_source",
                violation_error_code="lead_external_id_unique_per_source",
                violation_error_message=_(
                    "A lead with this external id already exists in this source system."
                ),
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="lead_stage_valid"),
            models.CheckConstraint(condition=Q(score__lte=100), name="lead_score_at_most_100"),
            models.CheckConstraint(
                condition=Q(expected_amount__isnull=True) | Q(expected_amount__gte=0),
                name="lead_expected_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(won_amount__isnull=True) | Q(won_amount__gte=0),
                name="lead_won_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.CUSTOMER) | Q(won_amount__isnull=False),
                name="lead_customer_has_won_amount",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.MQL, Stage.SAL, Stage.SQL]) | Q(owner__isnull=False),
                name="lead_handed_over_has_owner",
            ),
        ]
        indexes = [
            # Seller inbox: "my MQLs waiting for a decision", oldest hand-over first.
            models.Index(
                fields=["owner", "stage", "handed_over_at"], name="lead_owner_stage_handover_idx"
            ),
            # Marketing's lists by stage (the rejected queue), newest change first.
            models.Index(fields=["stage", "-stage_changed_at"], name="lead_stage_changed_idx"),
            # CRM sync: "what changed since my last pull" (updated_since filter).
            models.Index(fields=["updated_at"], name="lead_updated_at_idx"),
            # Funnel cohorts by the time leads first reached each stage.
            models.Index(fields=["mql_at"], name="lead_mql_at_idx"),
            models.Index(fields=["sal_at"], name="lead_sal_at_idx"),
            models.Index(fields=["sql_at"], name="lead_sql_at_idx"),
            models.Index(fields=["won_at"], name="lead_won_at_idx"),
            models.Index(fields=["created_at"], name="lead_created_at_idx"),
            # Seller inbox, second list: "my SALs and SQLs, longest unchanged first". The
            # index above cannot give that order, so a seller with 10,000 open deals paid a
            # sort of all of them for each page (200 ms at 1M leads, bench/leads.py).
            models.Index(
                fields=["owner", "stage_changed_at", "id"],
                condition=Q(stage__in=[Stage.SAL, Stage.SQL]),
                name="lead_owner_working_idx",
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ChangeAction(models.TextChoices):
    QUALIFY = "qualify", _("Qualify")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    RECYCLE = "recycle", _("Recycle")
    DISQUALIFY = "disqualify", _("Disqualify")
    WIN = "win", _("Win")
    LOSE = "lose", _("Lose")
    REASSIGN = "reassign", _("Reassign")


class LeadStageChange(models.Model):
    """One move of one lead, or a reassignment: immutable, never edited or deleted.

    Services only ever create these rows, in the transaction that moves the lead.
    A reassignment keeps the stage (from = to) and records the owners.
    """

    Action = ChangeAction

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="stage_changes")
    action = models.CharField(max_length=12, choices=ChangeAction)
    from_stage = models.CharField(max_length=12, choices=Stage)
    to_stage = models.CharField(max_length=12, choices=Stage)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason_code = models.CharField(max_length=50, blank=True)
    comment = models.TextField(blank=True)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A manager qualified a lead that misses the MQL definition; comment says why.
    is_override = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ChangeAction.values), name="leadstagechange_action_valid"
            ),
        ]
        indexes = [
            # A lead's timeline, oldest first.
            models.Index(fields=["lead", "created_at"], name="leadchange_lead_created_idx"),
            # Rejection reasons per period (marketing dashboards, the weekly brief).
            models.Index(fields=["action", "created_at"], name="leadchange_action_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.action} {self.from_stage} → {self.to_stage}"


class TouchKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    SOCIAL = "social", _("Social")


class Touch(models.Model):
    """A seller's contact attempt on a lead: a call, an e-mail, a meeting, a social message."""

    Kind = TouchKind

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touches")
    kind = models.CharField(max_length=10, choices=TouchKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TouchKind.values), name="touch_kind_valid"),
        ]
        indexes = [
            # A lead's timeline and its attempt count since acceptance.
            models.Index(fields=["lead", "occurred_at"], name="touch_lead_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on lead {self.lead_id}"


class AssignmentRule(models.Model):
    """Routes new MQLs to a sales team by segment and region; blank matches anything.

    The most specific matching rule wins (lower ``priority`` first on ties); inside the
    team, sellers take turns (round-robin).
    """

    segment = models.CharField(max_length=50, blank=True)
    region = models.CharField(max_length=50, blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "region"], name="assignmentrule_segment_region_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment or 'any segment'} / {self.region or 'any region'} → {self.team}"


class RoundRobinCursor(models.Model):
    """Who in a sales team received the last hand-over. Locked while choosing the next."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.team}: last {self.last_assigned}"


class LeadImport(models.Model):
    """One CSV file of leads uploaded by marketing, and how its import went.

    The file's text is kept on the row, so a Celery worker on another machine can read
    it without shared storage. Rows are imported in chunks through the bulk upsert;
    ``processed_rows`` and the counters move after each committed chunk, which is what
    the progress bar shows. ``errors`` lists each bad row: ``{"row", "field", "message"}``
    (row 1 is the header, so the first lead is row 2).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                # The literal values: Meta cannot see the Status class of its model.
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="leadimport_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")),
                name="leadimport_processed_within_total",
            ),
        ]
        indexes = [
            # "My recent imports" on the import page.
            models.Index(fields=["created_by", "-created_at"], name="leadimport_by_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return int(100 * self.processed_rows / self.total_rows)


class FieldMapping(models.Model):
    """A CRM's own column names for lead fields, defined by a manager (a custom mapping).

    Salesforce and HubSpot are built in (leads/mappings.py). ``columns`` maps the CRM's
    column (or property) name to a lead field by its API name; ``source_system`` is set
    on every record that carries an external id without one.
    """

    slug = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    source_system = models.CharField(max_length=50, blank=True)
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label
