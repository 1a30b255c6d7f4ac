"""The whole demo seeds end to end, every area, and a second run adds nothing."""

from io import StringIO

from django.core.management import call_command

from campaigns.models import Campaign
from feedback.models import FeedbackItem
from leads.models import Lead, LeadStageChange
from sla.models import Breach, SLAClock


def test_the_demo_of_every_area_seeds_and_a_second_run_adds_nothing(db):
    out = StringIO()
    call_command("seed_demo", leads=300, stdout=out)

    assert "Demo data ready." in out.getvalue()
    counts = [
        model.objects.count()
        for model in (Lead, LeadStageChange, SLAClock, Breach, Campaign, FeedbackItem)
    ]
    assert all(counts), counts

    call_command("seed_demo", leads=300, stdout=StringIO())

    again = [
        model.objects.count()
        for model in (Lead, LeadStageChange, SLAClock, Breach, Campaign, FeedbackItem)
    ]
    assert again == counts
