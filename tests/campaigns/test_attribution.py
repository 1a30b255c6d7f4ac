"""Attribution models on small hand-worked examples (selectors.attributed_amounts).

Each lead's amount is 1,000 so that credits read as amounts: a credit of 0.4 is 400.
"""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns import selectors
from campaigns.models import CampaignTouch
from leads.models import Stage
from tests.campaigns.factories import CampaignFactory, CampaignTouchFactory
from tests.factories import LeadFactory

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
MODELS = selectors.MODELS


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def sql_lead(*, sql_day: int = 10, amount: int = 1000, **fields):
    return LeadFactory(
        handed_over=True,
        stage=Stage.SQL,
        sql_at=day(sql_day),
        mql_at=day(0),
        expected_amount=amount,
        **fields,
    )


def touch(lead, campaign, at, kind=CampaignTouch.Kind.VISITED):
    return CampaignTouchFactory(lead=lead, campaign=campaign, occurred_at=at, kind=kind)


def pipeline(*campaigns) -> dict[str, dict[int, float]]:
    """{model: {campaign position: amount}} for the given campaigns (0 when uncredited)."""
    rows = {row["campaign_id"]: row for row in selectors.attributed_amounts("pipeline")}
    return {
        model: [round(float(rows[c.pk][model]), 2) if c.pk in rows else 0.0 for c in campaigns]
        for model in MODELS
    }


@pytest.fixture
def five(db):
    return [CampaignFactory(name=f"C{i}") for i in range(5)]


def test_a_lead_with_one_touch_gives_it_all_the_credit_in_every_model(five):
    lead = sql_lead()
    touch(lead, five[0], day(1))

    assert pipeline(*five[:1]) == {model: [1000.0] for model in MODELS}


def test_touches_after_the_stage_was_reached_get_no_credit(five):
    a, b, c = five[:3]
    lead = sql_lead(sql_day=10)
    touch(lead, a, day(1))
    touch(lead, b, day(5))
    touch(lead, c, day(20))  # after the lead became an SQL
    touch(lead, c, day(10))  # at the very moment: not before it

    assert pipeline(a, b, c) == {
        "first_touch": [1000.0, 0.0, 0.0],
        "last_touch": [0.0, 1000.0, 0.0],
        "linear": [500.0, 500.0, 0.0],
        "u_shaped": [500.0, 500.0, 0.0],
    }


def test_a_lead_without_touches_credits_no_campaign(five):
    sql_lead()

    assert selectors.attributed_amounts("pipeline") == []


def test_a_lead_that_never_reached_the_stage_credits_nothing(five):
    lead = LeadFactory(handed_over=True, mql_at=day(3), expected_amount=None)
    touch(lead, five[0], day(1))

    assert selectors.attributed_amounts("pipeline") == []
    assert selectors.attributed_amounts("revenue") == []


def test_u_shaped_with_two_touches_is_half_and_half(five):
    lead = sql_lead()
    touch(lead, five[0], day(1))
    touch(lead, five[1], day(2))

    assert pipeline(*five[:2])["u_shaped"] == [500.0, 500.0]


def test_u_shaped_with_three_touches_is_40_20_40(five):
    lead = sql_lead()
    for position, campaign in enumerate(five[:3]):
        touch(lead, campaign, day(position + 1))

    result = pipeline(*five[:3])
    assert result["u_shaped"] == [400.0, 200.0, 400.0]
    assert result["linear"] == [333.33, 333.33, 333.33]
    assert result["first_touch"] == [1000.0, 0.0, 0.0]
    assert result["last_touch"] == [0.0, 0.0, 1000.0]


def test_u_shaped_with_five_touches_shares_20_percent_among_the_middle_three(five):
    lead = sql_lead()
    for position, campaign in enumerate(five):
        touch(lead, campaign, day(position + 1))

    assert pipeline(*five)["u_shaped"] == [400.0, 66.67, 66.67, 66.67, 400.0]
    assert pipeline(*five)["linear"] == [200.0] * 5


def test_two_touches_of_one_campaign_add_up(five):
    a, b = five[:2]
    lead = sql_lead()
    touch(lead, a, day(1), kind=CampaignTouch.Kind.VISITED)
    touch(lead, a, day(2), kind=CampaignTouch.Kind.REGISTERED)
    touch(lead, b, day(3))

    assert pipeline(a, b)["u_shaped"] == [600.0, 400.0]


def test_the_credits_of_every_lead_sum_to_one_in_every_model(five):
    amounts = [1000, 250, 4000, 90]
    for count, amount in zip([1, 2, 3, 5], amounts, strict=True):
        lead = sql_lead(amount=amount)
        for position in range(count):
            touch(lead, five[(position * 2) % 5], day(position))

    rows = selectors.attributed_amounts("pipeline")
    for model in MODELS:
        assert round(sum(float(row[model]) for row in rows), 2) == sum(amounts)


def test_revenue_is_credited_at_the_win_with_the_won_amount(five):
    a, b = five[:2]
    lead = LeadFactory(
        stage=Stage.CUSTOMER,
        mql_at=day(0),
        sql_at=day(5),
        won_at=day(30),
        expected_amount=800,
        won_amount=1200,
    )
    touch(lead, a, day(1))
    touch(lead, b, day(10))  # after SQL, before the win: revenue only

    revenue = {row["campaign_id"]: row for row in selectors.attributed_amounts("revenue")}
    assert float(revenue[a.pk]["first_touch"]) == 1200
    assert float(revenue[b.pk]["last_touch"]) == 1200
    assert float(revenue[b.pk]["u_shaped"]) == 600
    assert pipeline(a, b)["last_touch"] == [800.0, 0.0]


def test_results_for_some_campaigns_still_share_credit_with_the_others(five):
    a, b = five[:2]
    lead = sql_lead()
    touch(lead, a, day(1))
    touch(lead, b, day(2))

    rows = selectors.attributed_amounts("pipeline", campaign_ids=[a.pk])

    assert [(row["campaign_id"], float(row["linear"])) for row in rows] == [(a.pk, 500.0)]


def test_a_period_counts_only_leads_that_reached_the_stage_in_it(five):
    a = five[0]
    early, late = sql_lead(sql_day=10), sql_lead(sql_day=40)
    touch(early, a, day(1))
    touch(late, a, day(1))

    rows = selectors.attributed_amounts("pipeline", since=day(30), until=day(60))

    assert float(rows[0]["first_touch"]) == 1000
