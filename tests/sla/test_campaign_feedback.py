"""Campaign feedback on time: a sales breach when no seller spoke up within the agreed days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from feedback import services as feedback_services
from sla import detection
from sla.models import Breach
from tests.campaigns.factories import CampaignFactory

BERLIN = ZoneInfo("Europe/Berlin")
# The campaign ends on Wednesday 25 November; 5 days of feedback → due 1 December 00:00.
BEFORE = datetime(2026, 11, 30, 23, 59, tzinfo=BERLIN)
AFTER = datetime(2026, 12, 1, 0, 1, tzinfo=BERLIN)


@pytest.fixture
def campaign(active_version, seller):
    return CampaignFactory(
        start_date=date(2026, 11, 20), end_date=date(2026, 11, 25), sales_coowner=seller
    )


def feedback_breaches():
    return list(Breach.objects.filter(kind="campaign_feedback_late"))


def test_no_breach_one_minute_before_the_deadline(campaign):
    detection.breaches_detect(now=BEFORE)
    assert feedback_breaches() == []


def test_a_breach_one_minute_after_the_deadline_recorded_once(campaign, seller):
    detection.breaches_detect(now=AFTER)
    detection.breaches_detect(now=AFTER)
    (breach,) = feedback_breaches()
    assert (breach.campaign, breach.owner, breach.side) == (campaign, seller, "sales")
    assert breach.due_at == datetime(2026, 12, 1, tzinfo=BERLIN)


def test_feedback_in_time_meets_the_commitment(campaign, seller):
    with time_machine.travel(datetime(2026, 11, 28, 10, tzinfo=BERLIN), tick=False):
        feedback_services.feedback_create(
            author=seller,
            kind="campaign",
            text="Good turnout, weak follow-up list.",
            rating=4,
            campaign=campaign,
        )
    detection.breaches_detect(now=AFTER)
    assert feedback_breaches() == []
