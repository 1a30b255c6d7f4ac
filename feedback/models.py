"""Feedback: what sellers hear from prospects, and marketing's answer (DOMAIN.md §5)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    LEAD_QUALITY = "lead_quality", _("Lead quality")
    CAMPAIGN = "campaign", _("Campaign")
    CONTENT_REQUEST = "content_request", _("Content request")
    OBJECTION = "objection", _("Objection heard")
    COMPETITOR = "competitor", _("Competitor mention")
    MARKET_CHANGE = "market_change", _("Market change")
    PRAISE = "praise", _("Praise")
    OTHER = "other", _("Other")


# The kinds a 1–5 rating makes sense for: a judgement of something marketing produced.
RATED_KINDS = (Kind.LEAD_QUALITY, Kind.CAMPAIGN, Kind.CONTENT_REQUEST, Kind.PRAISE)


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTIONED = "actioned", _("Actioned")
    DECLINED = "declined", _("Declined")


class Tag(models.Model):
    """A theme label on feedback ("pricing", "security review"); counted on the themes page."""

    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeedbackItem(models.Model):
    """One thing a seller told marketing, and marketing's answer to it.

    It is about one lead, one campaign, one account, or nothing in particular.
    ``answered_at``/``answered_by`` record marketing's first response (the move out of
    ``new``), which the median time to answer counts; ``answer`` is the latest answer.
    Items created from an MQL rejection point at their ``stage_change`` (unique, so a
    rejection is feedback exactly once).
    """

    Kind = Kind
    Status = Status

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_given"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    account = models.ForeignKey(
        "leads.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("1 (poor) to 5 (excellent), where it fits.")
    )
    text = models.TextField()
    competitor = models.CharField(
        max_length=100, blank=True, help_text=_("The competitor the prospect mentioned.")
    )
    reason_code = models.CharField(
        max_length=50, blank=True, help_text=_("The rejection's reason code, for rejections.")
    )
    stage_change = models.OneToOneField(
        "leads.LeadStageChange",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_item",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="items")
    status = models.CharField(max_length=15, choices=Status, default=Status.NEW)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="feedback_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="feedback_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
                violation_error_message=_("The rating goes from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(kind__in=[kind.value for kind in RATED_KINDS]),
                name="feedback_rating_only_where_it_fits",
                violation_error_message=_("This kind of feedback takes no rating."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(lead__isnull=True, campaign__isnull=True)
                    | Q(lead__isnull=True, account__isnull=True)
                    | Q(campaign__isnull=True, account__isnull=True)
                ),
                name="feedback_about_one_thing",
                violation_error_message=_(
                    "Feedback is about one thing: a lead, a campaign or an account."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status=Status.NEW) | Q(answered_at__isnull=False),
                name="feedback_responded_has_answered_at",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.ACTIONED, Status.DECLINED]) | ~Q(answer=""),
                name="feedback_closed_has_answer",
                violation_error_message=_("Actioned or declined feedback needs an answer."),
            ),
        ]
        indexes = [
            # Marketing's queue (open items, oldest first) and the unanswered count badge.
            models.Index(fields=["status", "created_at"], name="feedback_status_created_idx"),
            # The board, newest first, and the weekly brief's "received this week".
            models.Index(fields=["created_at"], name="feedback_created_idx"),
            # Themes per kind and month (objections, competitors).
            models.Index(fields=["kind", "created_at"], name="feedback_kind_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (Status.NEW, Status.ACKNOWLEDGED)

    @property
    def subject(self):
        return self.lead or self.campaign or self.account


class FeedbackStatusChange(models.Model):
    """One status change of one feedback item (creation included): immutable history."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.PROTECT, related_name="status_changes")
    action = models.CharField(max_length=15)
    from_status = models.CharField(max_length=15, choices=Status, blank=True)
    to_status = models.CharField(max_length=15, choices=Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # An item's history, oldest first.
            models.Index(fields=["item", "created_at"], name="feedbackchange_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status or '∅'} → {self.to_status}"


class FeedbackComment(models.Model):
    """A message in an item's thread, from its author or from marketing."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # An item's thread, oldest first.
            models.Index(fields=["item", "created_at"], name="feedbackcomment_item_idx"),
        ]

    def __str__(self) -> str:
        return f"Comment on {self.item_id} by {self.author_id}"
