"""Sales' feedback on campaigns: none within the agreed days of a campaign's end."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.roles import Role
from campaigns.models import Campaign, CampaignStatus
from feedback.models import FeedbackItem
from sla.detection.inserts import insert_new
from sla.models import Breach, BreachKind, Side, SLAVersion


def campaign_feedback_breaches_record(*, now: datetime) -> list[int]:
    """Campaigns that got no feedback from sales within the agreed days of their end.

    Judged by the version active when the feedback fell due, for the campaigns whose
    sales co-owner is in that SLA's sales team. "Feedback" is any feedback item about the
    campaign written by someone in sales before the deadline. Campaigns are few; the
    breaches found are written with one bulk insert (unique per campaign and kind).
    """
    breaches = []
    versions = SLAVersion.objects.filter(activated_at__isnull=False).select_related("sla")
    for version in versions:
        zone = ZoneInfo(version.time_zone)
        today = timezone.localtime(now, zone).date()
        # Deadline = midnight after end_date + feedback_days, in the SLA's time zone.
        last_end = today - timedelta(days=version.feedback_days + 1)
        first_end = timezone.localtime(version.activated_at, zone).date() - timedelta(
            days=version.feedback_days + 1
        )
        if version.ended_at is not None:
            last_end = min(
                last_end,
                timezone.localtime(version.ended_at, zone).date()
                - timedelta(days=version.feedback_days + 1),
            )
        if last_end < first_end:
            continue
        campaigns = (
            Campaign.objects.filter(
                end_date__gt=first_end,
                end_date__lte=last_end,
                sales_coowner__team_id=version.sla.sales_team_id,
            )
            .exclude(status=CampaignStatus.CANCELLED)
            .exclude(sla_breaches__kind=BreachKind.CAMPAIGN_FEEDBACK_LATE)
            .values_list("pk", "end_date", "sales_coowner_id")
        )
        for campaign_id, end_date, coowner_id in campaigns:
            deadline = datetime.combine(
                end_date + timedelta(days=version.feedback_days + 1), datetime.min.time(), zone
            )
            if deadline > now:
                continue
            answered = FeedbackItem.objects.filter(
                campaign_id=campaign_id,
                author__role__in=[Role.SELLER, Role.SALES_MANAGER],
                created_at__lt=deadline,
            ).exists()
            if answered:
                continue
            breaches.append(
                Breach(
                    kind=BreachKind.CAMPAIGN_FEEDBACK_LATE,
                    side=Side.SALES,
                    version=version,
                    campaign_id=campaign_id,
                    owner_id=coowner_id,
                    due_at=deadline,
                    detected_at=now,
                )
            )
    return insert_new(breaches)
