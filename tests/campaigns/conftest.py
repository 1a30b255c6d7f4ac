"""Shared data for the campaigns tests: a small campaign world worked out by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from campaigns.models import CampaignTouch
from leads.models import LeadStageChange, Stage
from tests.campaigns.factories import CampaignFactory, CampaignTouchFactory, SpendEntryFactory
from tests.factories import LeadFactory

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def campaign(marketer, seller):
    return CampaignFactory(
        name="Spring webinar",
        marketing_owner=marketer,
        sales_coowner=seller,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 1, 31),
        budget=5000,
    )


@pytest.fixture
def results_world(campaign, seller):
    """One campaign with spend 3,000 and three leads, worked out by hand.

    - ``won``: touched by the campaign only (one touch), MQL, SAL, SQL (pipeline 10,000)
      and customer (revenue 6,000): all credit in every model.
    - ``shared``: touched by the campaign then by another one, both before SQL
      (pipeline 4,000): first touch 4,000 / last 0 / linear 2,000 / U-shaped 2,000.
    - ``rejected``: MQL touched before, rejected by sales (reason no_budget).
    Spend 1,000 + 2,000 = 3,000.
    """
    other = CampaignFactory(name="Other", start_date=date(2026, 2, 1), end_date=date(2026, 3, 31))
    won = LeadFactory(
        stage=Stage.CUSTOMER,
        owner=seller,
        mql_at=day(2),
        sal_at=day(3),
        sql_at=day(5),
        won_at=day(20),
        expected_amount=10_000,
        won_amount=6_000,
    )
    CampaignTouchFactory(
        lead=won, campaign=campaign, occurred_at=day(1), kind=CampaignTouch.Kind.REGISTERED
    )
    shared = LeadFactory(
        handed_over=True,
        owner=seller,
        stage=Stage.SQL,
        mql_at=day(2),
        sal_at=day(3),
        sql_at=day(10),
        expected_amount=4_000,
    )
    CampaignTouchFactory(lead=shared, campaign=campaign, occurred_at=day(1))
    CampaignTouchFactory(lead=shared, campaign=other, occurred_at=day(4))
    rejected = LeadFactory(stage=Stage.REJECTED, owner=seller, mql_at=day(2))
    CampaignTouchFactory(lead=rejected, campaign=campaign, occurred_at=day(1))
    LeadStageChange.objects.create(
        lead=rejected,
        action=LeadStageChange.Action.REJECT,
        from_stage=Stage.MQL,
        to_stage=Stage.REJECTED,
        actor=seller,
        reason_code="no_budget",
        created_at=day(3),
    )
    SpendEntryFactory(campaign=campaign, spent_on=date(2026, 1, 5), amount=1000)
    SpendEntryFactory(campaign=campaign, spent_on=date(2026, 1, 20), amount=2000)
    return {"campaign": campaign, "other": other, "won": won, "shared": shared}
