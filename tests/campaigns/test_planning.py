"""Reads behind the planning pages: the list's filters and sorts, the quarter calendar."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from campaigns import selectors
from tests.campaigns.factories import CampaignFactory, SpendEntryFactory


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 6, 30), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 11, 15), (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_quarter_of(day, quarter):
    assert selectors.quarter_of(day) == quarter


def test_the_list_narrows_sorts_and_sums_spend(marketer):
    small = CampaignFactory(name="Small webinar", budget=100)
    big = CampaignFactory(name="Big webinar", budget=900)
    CampaignFactory(name="Trade show", budget=500)
    SpendEntryFactory(campaign=big, amount=40)
    SpendEntryFactory(campaign=big, amount=2)

    found = list(selectors.campaign_list_for(marketer, q=" webinar ", sort="-budget"))

    assert found == [big, small]
    assert (found[0].spend, found[1].spend) == (42, None)


def test_the_list_is_newest_first_by_default(marketer):
    old = CampaignFactory(start_date=date(2025, 1, 1), end_date=date(2025, 1, 2))
    new = CampaignFactory(start_date=date(2026, 1, 1), end_date=date(2026, 1, 2))

    assert list(selectors.campaign_list_for(marketer)) == [new, old]


@time_machine.travel(datetime(2026, 2, 15, 12, tzinfo=UTC), tick=False)
def test_the_calendar_lays_out_the_quarter(marketer):
    # Q1 2026 has 90 days: January 31, February 28, March 31.
    campaign = CampaignFactory(start_date=date(2025, 12, 1), end_date=date(2026, 1, 9))
    one_day = CampaignFactory(start_date=date(2026, 3, 31), end_date=date(2026, 3, 31))
    CampaignFactory(start_date=date(2026, 4, 1), end_date=date(2026, 4, 30))

    calendar = selectors.campaign_calendar(marketer, date(2026, 2, 1))

    assert calendar["quarter"] == "Q1 2026"
    assert [(row["campaign"], row["left"], row["width"]) for row in calendar["rows"]] == [
        (campaign, 0.0, 10.0),  # clipped to 1 January: 9 days of 90
        (one_day, 98.89, 1.2),  # one day is 1.11 %, widened to stay clickable
    ]
    assert [month["width"] for month in calendar["months"]] == [34.44, 31.11, 34.44]
    assert (calendar["previous"], calendar["next"]) == ("2025-12-31", "2026-04-01")
    assert calendar["today_left"] == 50.0  # 15 February is day 45 of 90
