"""Every standard measure against numbers worked out by hand (see conftest.py's table)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from kpis import selectors
from kpis.models import Measure
from kpis.selectors import Slice, local_midnight


def counts(rows):
    return {row["group"]: (row["mql"], row["sal"], row["sql"], row["customer"]) for row in rows}


def funnel(q1_range, **kwargs):
    since, until = q1_range
    return selectors.funnel(since=since, until=until, **kwargs).rows


def test_cohort_funnel_by_month_counts_what_each_mql_cohort_reached_since(world, q1_range):
    rows = funnel(q1_range, view="cohort", group_by="month")

    # Jan: L1, L2, L3, L5 became MQLs; L1, L2 and L5 reached SAL (L5 only in March,
    # after a rejection and a recycle), L1 went on to SQL and customer.
    assert counts(rows) == {
        "2026-01": (4, 3, 1, 1),
        "2026-02": (2, 2, 2, 0),
        "2026-03": (0, 0, 0, 0),
        "2026-04": (0, 0, 0, 0),  # an empty month is a row of zeros, not a gap
    }


def test_period_funnel_counts_each_stage_entry_in_its_own_month(world, q1_range):
    rows = funnel(q1_range, view="period", group_by="month")

    assert counts(rows) == {
        "2026-01": (4, 1, 0, 0),
        "2026-02": (2, 3, 3, 0),
        # L5 entered SAL in March without entering MQL again (its first MQL was in
        # January), and L1 was won in March: the period view shows them in March.
        "2026-03": (0, 1, 0, 1),
        "2026-04": (0, 0, 0, 0),
    }


def test_cohort_and_period_views_disagree_per_month_but_agree_on_totals(world, q1_range):
    cohort = counts(funnel(q1_range, view="cohort", group_by="month"))
    period = counts(funnel(q1_range, view="period", group_by="month"))

    assert cohort["2026-01"] != period["2026-01"]
    assert cohort["2026-03"] != period["2026-03"]
    totals = [
        tuple(sum(c[i] for c in view.values()) for i in range(4)) for view in (cohort, period)
    ]
    assert totals == [(6, 5, 3, 1), (6, 5, 3, 1)]


def test_period_view_excludes_earlier_cohorts_a_cohort_view_would_follow(world):
    # March alone: the cohort view has no March MQLs; the period view still sees
    # L5 reaching SAL and L1 being won in March.
    since, until = local_midnight(dt.date(2026, 3, 1)), local_midnight(dt.date(2026, 4, 1))
    cohort = selectors.funnel(since=since, until=until, view="cohort", group_by="month").rows
    period = selectors.funnel(since=since, until=until, view="period", group_by="month").rows

    assert counts(cohort) == {"2026-03": (0, 0, 0, 0)}
    assert counts(period) == {"2026-03": (0, 1, 0, 1)}


@override_settings(TIME_ZONE="Europe/Berlin")
def test_months_begin_at_local_midnight_of_the_configured_time_zone(world):
    # L3 became an MQL at 23:30 UTC on Jan 31: 00:30 on Feb 1 in Berlin.
    since = local_midnight(dt.date(2026, 1, 1))
    until = local_midnight(dt.date(2026, 3, 1))
    assert since == dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.UTC)

    rows = selectors.funnel(since=since, until=until, view="cohort", group_by="month").rows

    assert counts(rows) == {"2026-01": (3, 3, 1, 1), "2026-02": (3, 2, 2, 0)}


def test_same_range_in_utc_keeps_the_boundary_lead_in_january(world):
    since, until = local_midnight(dt.date(2026, 1, 1)), local_midnight(dt.date(2026, 3, 1))

    rows = selectors.funnel(since=since, until=until, view="cohort", group_by="month").rows

    assert counts(rows) == {"2026-01": (4, 3, 1, 1), "2026-02": (2, 2, 2, 0)}


def test_funnel_by_source_segment_and_owner(world, q1_range, seller, seller_b):
    by_source = counts(funnel(q1_range, view="cohort", group_by="source"))
    by_segment = counts(funnel(q1_range, view="cohort", group_by="segment"))
    by_owner = counts(funnel(q1_range, view="cohort", group_by="owner"))

    assert by_source == {"web": (4, 3, 2, 1), "event": (2, 2, 1, 0)}
    assert by_segment == {"smb": (3, 3, 1, 1), "ent": (3, 2, 2, 0)}
    assert by_owner == {str(seller.pk): (4, 4, 2, 1), str(seller_b.pk): (2, 1, 1, 0)}


def test_slices_filter_by_team_segment_region_and_source(world, q1_range, seller):
    def total(slice_):
        rows = funnel(q1_range, view="cohort", group_by="month", slice=slice_)
        return tuple(sum(row[stage] for row in rows) for stage in ("mql", "sal", "sql", "customer"))

    assert total(Slice(team_id=seller.team_id)) == (4, 4, 2, 1)
    assert total(Slice(segment="ent")) == (3, 2, 2, 0)
    assert total(Slice(region="na")) == (2, 1, 1, 0)
    assert total(Slice(source="event", team_id=seller.team_id)) == (1, 1, 0, 0)
    assert total(Slice(team_id=0)) == (0, 0, 0, 0)


def test_funnel_by_campaign_counts_the_leads_each_campaign_touched(world, q1_range):
    from tests.campaigns.factories import CampaignFactory, CampaignTouchFactory

    webinar = CampaignFactory(name="Webinar")
    CampaignTouchFactory(campaign=webinar, lead=world["L1"])
    CampaignTouchFactory(campaign=webinar, lead=world["L4"])
    CampaignFactory(name="Untouched")

    rows = funnel(q1_range, view="cohort", group_by="campaign")
    sliced = funnel(q1_range, view="cohort", group_by="month", slice=Slice(campaign_id=webinar.pk))

    assert counts(rows) == {"Webinar": (2, 2, 2, 1)}
    assert sum(row["mql"] for row in sliced) == 2


def test_velocity_median_and_p90_interpolate_like_percentile_cont(world, q1_range):
    since, until = q1_range

    (row,) = selectors.velocity(since=since, until=until, stage_from="mql", stage_to="sal")

    # MQL → SAL hours: L1 24, L6 24, L4 30, L2 312, L5 1128 (the recycled one).
    assert row["count"] == 5
    assert row["median_hours"] == pytest.approx(30)
    assert row["p90_hours"] == pytest.approx(312 + 0.6 * (1128 - 312))


def test_velocity_by_month_of_the_start_stage(world, q1_range):
    since, until = q1_range

    rows = selectors.velocity(
        since=since, until=until, stage_from="sal", stage_to="sql", group_by="month"
    )

    # SAL → SQL: L1 (Jan 11 → Feb 5: 600 h) in January; L4 (30 h → Feb 10 12:00 =
    # 138 h) and L6 (24 h) in February.
    assert {row["group"]: (row["count"], row["median_hours"]) for row in rows} == {
        "2026-01": (1, pytest.approx(600)),
        "2026-02": (2, pytest.approx((138 + 24) / 2)),
    }


def test_speed_to_lead_from_the_latest_hand_over(world, q1_range):
    since, until = q1_range

    (decision,) = selectors.speed_to_lead(since=since, until=until, to="decision")
    (touch,) = selectors.speed_to_lead(since=since, until=until, to="first_touch")

    # Decisions: L1 24, L5 24 (from its second hand-over), L6 24, L4 30, L2 312; L3 waits.
    assert decision["count"] == 5
    assert decision["median_hours"] == pytest.approx(24)
    assert decision["p90_hours"] == pytest.approx(30 + 0.6 * 282)
    # First touches: L1 2 h, L4 48 h.
    assert touch["count"] == 2
    assert touch["median_hours"] == pytest.approx(25)
    assert touch["p90_hours"] == pytest.approx(2 + 0.9 * 46)


def test_speed_to_lead_by_seller(world, q1_range, seller, seller_b):
    since, until = q1_range

    rows = selectors.speed_to_lead(since=since, until=until, to="decision", group_by="owner")

    assert {row["group"]: row["median_hours"] for row in rows} == {
        str(seller.pk): pytest.approx(24),
        str(seller_b.pk): pytest.approx(30),
    }


def test_revenue_customers_win_rate_and_pipeline(world, q1_range):
    since, until = q1_range

    revenue = selectors.revenue_by_period(since=since, until=until, period="month")
    totals = selectors.totals(since=since, until=until)
    pipeline = selectors.pipeline_by(group_by="segment")

    assert [(row["period"], row["revenue"], row["customers"]) for row in revenue] == [
        ("2026-01", Decimal("0"), 0),
        ("2026-02", Decimal("0"), 0),
        ("2026-03", Decimal("1000"), 1),
        ("2026-04", Decimal("0"), 0),
    ]
    assert totals["revenue"] == Decimal("1000")
    assert totals["customers"] == 1
    assert totals["win_rate"] == pytest.approx(0.5)  # L1 won, L6 lost
    # Only L4 is an open SQL (L1 was won, L6 lost).
    assert [(row["group"], row["deals"], row["amount"]) for row in pipeline] == [
        ("ent", 1, Decimal("500"))
    ]


def test_cost_per_customer_uses_campaign_spend(world, q1_range):
    from tests.campaigns.factories import SpendEntryFactory

    since, until = q1_range
    assert selectors.cost_per_customer(since=since, until=until)["cost_per_customer"] is None

    SpendEntryFactory(amount=250, spent_on=dt.date(2026, 2, 1))
    SpendEntryFactory(amount=150, spent_on=dt.date(2026, 3, 1))

    result = selectors.cost_per_customer(since=since, until=until)
    assert result["spend"] == Decimal("400")
    assert result["cost_per_customer"] == Decimal("400")  # one customer (L1)


def test_acceptance_and_rejection_reasons(world, q1_range):
    since, until = q1_range

    by_source = {row["group"]: row for row in selectors.acceptance_by(since=since, until=until)}
    reasons = selectors.rejection_reasons(since=since, until=until)

    # L5 was rejected once but accepted later: it counts as accepted. L3 is undecided.
    assert (
        by_source["web"]["mql"],
        by_source["web"]["accepted"],
        by_source["web"]["rejected"],
    ) == (4, 3, 0)
    assert reasons == [{"reason_code": "no_budget", "reason": "No budget", "rejections": 1}]


def test_kpi_actuals_match_the_measures(world, q1_range, seller):
    since, until = q1_range

    def actual(measure, slice_=None):
        return selectors.kpi_actual(
            measure=measure, since=since, until=until, slice=slice_ or Slice()
        )

    assert actual("mql_volume") == 6
    assert actual("sql_volume") == 3
    assert actual("new_customers") == 1
    assert actual("revenue") == 1000
    assert actual("win_rate") == pytest.approx(0.5)
    assert actual("mql_to_sal") == pytest.approx(5 / 6)
    assert actual("sal_to_sql") == pytest.approx(3 / 5)
    assert actual("speed_to_decision") == pytest.approx(24)
    assert actual("pipeline") == 500
    assert actual("mql_volume", Slice(team_id=seller.team_id)) == 4
    # SAL: L1, L2, L4, L5, L6; of the six MQLs three reached SQL and one became a customer.
    assert actual("sal_volume") == 5
    assert actual("sql_to_customer") == pytest.approx(1 / 3)
    assert actual("velocity_mql_to_customer") == pytest.approx(50 * 24)  # L1: Jan 10 → Mar 1
    assert actual("speed_to_first_touch") == pytest.approx(25)  # L1 2 h, L4 48 h
    assert actual("cost_per_customer") is None  # no spend recorded


def test_every_measure_has_an_actual_and_an_unknown_one_is_an_error(db, q1_range):
    since, until = q1_range

    assert set(selectors.ACTUALS) == set(Measure.values)
    with pytest.raises(ValueError, match="Unknown measure 'mood'"):
        selectors.kpi_actual(measure="mood", since=since, until=until)


def test_an_empty_range_gives_zero_rows_and_no_rates(db):
    since, until = local_midnight(dt.date(2026, 1, 1)), local_midnight(dt.date(2026, 3, 1))

    rows = selectors.funnel(since=since, until=until, view="cohort", group_by="month").rows

    assert counts(rows) == {"2026-01": (0, 0, 0, 0), "2026-02": (0, 0, 0, 0)}
    assert selectors.velocity(since=since, until=until) == []
    assert selectors.totals(since=since, until=until)["win_rate"] is None
