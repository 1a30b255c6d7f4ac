"""The demo: campaigns and touches consistent with the demo leads, and safe to run twice."""

import io

from django.db.models import F

from accounts import demo as accounts_demo
from campaigns import demo
from campaigns.models import (
    Campaign,
    CampaignStatusChange,
    CampaignTouch,
    ReviewNote,
    SpendEntry,
)
from leads import demo as leads_demo


def test_the_demo_is_consistent_and_idempotent(db):
    out = io.StringIO()
    accounts_demo.seed(seed=7, leads=60, out=out)
    leads_demo.seed(seed=7, leads=60, out=out)

    demo.seed(seed=7, leads=60, out=out)
    counts = (Campaign.objects.count(), CampaignTouch.objects.count(), SpendEntry.objects.count())
    demo.seed(seed=7, leads=60, out=out)

    assert counts[0] == demo.CAMPAIGNS
    assert counts[1] > 60
    assert ReviewNote.objects.exists()
    assert (
        Campaign.objects.count(),
        CampaignTouch.objects.count(),
        SpendEntry.objects.count(),
    ) == counts
    # Touches happen once the campaign has started, and never after the lead's furthest
    # stage, and never on planned or cancelled campaigns.
    touches = CampaignTouch.objects.all()
    assert not touches.filter(occurred_at__date__lt=F("campaign__start_date")).exists()
    assert not touches.filter(lead__won_at__lt=F("occurred_at")).exists()
    assert not touches.filter(
        campaign__status__in=[Campaign.Status.PLANNED, Campaign.Status.CANCELLED]
    ).exists()
    assert Campaign.objects.filter(status=Campaign.Status.PLANNED).exists()
    # A completed campaign's history: started, then completed.
    completed = Campaign.objects.filter(status=Campaign.Status.COMPLETED).first()
    moves = CampaignStatusChange.objects.filter(campaign=completed)
    assert list(moves.values_list("from_status", "to_status")) == [
        (Campaign.Status.PLANNED, Campaign.Status.ACTIVE),
        (Campaign.Status.ACTIVE, Campaign.Status.COMPLETED),
    ]
