"""Campaigns planned jointly by marketing and sales, and the touches that link leads to them.

DOMAIN.md §4. A campaign carries its plan (dates, owners, budget, objectives, target
accounts, offer, checklist, the sales follow-up it commits to), its actual spend and a
joint review log. A CampaignTouch says a lead met the campaign at a moment; results and
attribution are computed from touches and the leads' stage times (see selectors.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CampaignType(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    EVENT = "event", _("Event")
    TRADE_SHOW = "trade_show", _("Trade show")
    CONTENT = "content", _("Content")
    PAID_SEARCH = "paid_search", _("Paid search")
    PAID_SOCIAL = "paid_social", _("Paid social")
    EMAIL = "email", _("E-mail")
    OUTBOUND = "outbound", _("Outbound")
    PARTNER = "partner", _("Partner")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    """A joint campaign: what marketing runs and what sales commits to follow up.

    ``budget`` is the plan; the actual spend is the sum of its SpendEntry rows. The
    objectives are the targets its results are measured against (None: no target).
    """

    Type = CampaignType
    Status = CampaignStatus

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=CampaignType, default=CampaignType.WEBINAR)
    channel = models.CharField(
        max_length=100, blank=True, help_text=_("Where it runs: LinkedIn, Google Ads, on site…")
    )
    status = models.CharField(max_length=10, choices=CampaignStatus, default=CampaignStatus.PLANNED)
    start_date = models.DateField()
    end_date = models.DateField()
    marketing_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="campaigns_owned",
    )
    sales_coowner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns_coowned",
        verbose_name=_("sales co-owner"),
    )
    budget = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    objective_mqls = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("MQLs"))
    objective_sqls = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("SQLs"))
    objective_pipeline = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("pipeline")
    )
    objective_revenue = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("revenue")
    )
    target_accounts = models.ManyToManyField(
        "leads.Account", blank=True, related_name="campaigns_targeting"
    )
    offer = models.TextField(blank=True, help_text=_("The offer or promotion it carries."))
    sales_follow_up = models.TextField(
        blank=True,
        help_text=_("What sales commits to, e.g. “call every attendee within 2 business days”."),
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="campaign_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(type__in=CampaignType.values), name="campaign_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(objective_pipeline__isnull=True) | Q(objective_pipeline__gte=0),
                name="campaign_objective_pipeline_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(objective_revenue__isnull=True) | Q(objective_revenue__gte=0),
                name="campaign_objective_revenue_not_negative",
            ),
        ]
        indexes = [
            # The calendar and "campaigns starting or ending in a period" (weekly brief).
            models.Index(fields=["start_date", "end_date"], name="campaign_dates_idx"),
            # The list filtered by status, newest first.
            models.Index(fields=["status", "-start_date"], name="campaign_status_start_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignStatusChange(models.Model):
    """One move of a campaign's status (planned → active → completed, or cancelled)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=CampaignStatus)
    to_status = models.CharField(max_length=10, choices=CampaignStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_status} → {self.to_status}"


class SpendEntry(models.Model):
    """Money actually spent on a campaign on a day (an invoice, a media buy)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="spend_entries")
    spent_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spent_on", "id"]
        verbose_name_plural = _("spend entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="spendentry_amount_not_negative"
            ),
        ]
        indexes = [
            # Spend per campaign over time (the spend vs revenue chart, ROI for a period).
            models.Index(fields=["campaign", "spent_on"], name="spend_campaign_day_idx"),
            # Spend of all campaigns in a period (KPIs: spend_between).
            models.Index(fields=["spent_on"], name="spend_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.spent_on}"


class ChecklistItem(models.Model):
    """Content or visuals the campaign needs, who delivers it and by when."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="checklist")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_checklist_items",
    )
    due_date = models.DateField(null=True, blank=True)
    is_done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["is_done", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class ReviewNote(models.Model):
    """A dated note from a joint review meeting, by marketing or sales."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(verbose_name=_("meeting date"))
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.campaign_id} on {self.held_on}"


class CampaignTouchKind(models.TextChoices):
    VISITED = "visited", _("Visited")
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")
    DOWNLOADED = "downloaded", _("Downloaded")
    CLICKED = "clicked", _("Clicked")
    REPLIED = "replied", _("Replied")
    MET = "met", _("Met")
    OTHER = "other", _("Other")


class CampaignTouch(models.Model):
    """A lead met a campaign at a moment: visited, registered, attended, downloaded…

    Not a seller's contact attempt (that is leads.Touch). Unique on
    (lead, campaign, kind, occurred_at), so a touch re-sent by an integration or a
    re-imported CSV is recorded once.
    """

    Kind = CampaignTouchKind

    # No single-column indexes on the two keys: the (lead, occurred_at) and
    # (campaign, occurred_at) indexes below start with them and serve the same lookups,
    # and with millions of touches every index is paid on each insert.
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.CASCADE, related_name="campaign_touches", db_index=False
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="touches", db_index=False
    )
    kind = models.CharField(max_length=12, choices=CampaignTouchKind)
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "campaign", "kind", "occurred_at"],
                name="campaigntouch_unique",
                violation_error_message=_("This touch is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CampaignTouchKind.values), name="campaigntouch_kind_valid"
            ),
        ]
        indexes = [
            # Per-campaign results and the touch list: a campaign's touches by time.
            models.Index(fields=["campaign", "occurred_at"], name="ctouch_campaign_time_idx"),
            # Attribution: a lead's touches in order (first, last, position), and the
            # leads filter "touched by campaign".
            models.Index(fields=["lead", "occurred_at"], name="ctouch_lead_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: lead {self.lead_id} × campaign {self.campaign_id}"
