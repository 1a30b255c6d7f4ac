"""Results of a campaign: counts, acceptance, costs and ROI, checked against hand-worked figures."""

from datetime import date

from django.urls import reverse

from campaigns import analytics, selectors
from campaigns.models import Campaign
from tests.campaigns.conftest import day
from tests.campaigns.factories import CampaignFactory


def test_counts_sourced_and_influenced(results_world):
    result = analytics.campaign_result(results_world["campaign"], model="linear")

    assert result["leads_influenced"] == 3
    assert result["leads_sourced"] == 3  # every lead's first touch was this campaign
    assert (result["mqls"], result["sals"], result["sqls"], result["customers"]) == (3, 2, 2, 1)
    other = analytics.campaign_result(results_world["other"], model="linear")
    assert other["leads_sourced"] == 0
    assert other["mqls"] == 0  # its touch came after the MQL…
    assert other["sqls"] == 1  # …but before the SQL


def test_acceptance_rate_and_top_rejection_reasons(results_world):
    result = analytics.campaign_result(results_world["campaign"])

    assert (result["mqls_accepted"], result["mqls_rejected"]) == (2, 1)
    assert result["acceptance_rate"] == 0.6667
    assert result["rejection_reasons"] == [{"code": "no_budget", "label": "No budget", "count": 1}]


def test_costs_and_roi_under_each_model(results_world):
    campaign = results_world["campaign"]
    linear = analytics.campaign_result(campaign, model="linear")
    first = analytics.campaign_result(campaign, model="first_touch")
    last = analytics.campaign_result(campaign, model="last_touch")

    assert linear["spend"] == 3000
    assert linear["cost_per_mql"] == 1000  # 3,000 / 3
    assert linear["cost_per_sql"] == 1500  # 3,000 / 2
    assert linear["cost_per_customer"] == 3000  # 3,000 / 1
    assert linear["pipeline"] == 12_000  # 10,000 + half of 4,000
    assert first["pipeline"] == 14_000
    assert last["pipeline"] == 10_000
    assert linear["revenue"] == 6_000
    assert linear["roi"] == 1.0  # (6,000 - 3,000) / 3,000
    assert linear["pipeline_by_model"] == {
        "first_touch": 14_000,
        "last_touch": 10_000,
        "linear": 12_000,
        "u_shaped": 12_000,
    }


def test_roi_and_costs_are_none_without_spend_or_conversions(db):
    campaign = CampaignFactory()

    result = analytics.campaign_result(campaign)

    assert result["roi"] is None
    assert result["cost_per_mql"] is None
    assert result["cost_per_sql"] is None
    assert result["acceptance_rate"] is None
    assert result["spend"] == 0


def test_progress_against_each_objective(results_world):
    campaign = results_world["campaign"]
    campaign.objective_mqls, campaign.objective_sqls = 6, 2
    campaign.objective_revenue = 12_000
    campaign.save()

    objectives = {
        row["objective"]: row
        for row in analytics.campaign_result(campaign, model="linear")["objectives"]
    }

    assert objectives["mqls"]["progress"] == 0.5
    assert objectives["sqls"]["progress"] == 1.0
    assert objectives["revenue"]["progress"] == 0.5
    assert objectives["pipeline"]["target"] is None
    assert objectives["pipeline"]["progress"] is None


def test_a_period_counts_what_happened_in_it(results_world):
    frame = analytics.campaign_results(
        campaign_ids=[results_world["campaign"].pk], since=day(4), until=day(15), model="linear"
    )
    row = frame.iloc[0]

    assert (row.mqls, row.sqls, row.customers) == (0, 2, 0)
    assert row.spend == 1000  # only the entry of 5 January
    assert row.revenue == 0


def test_contracts_for_other_areas(results_world):
    campaign = results_world["campaign"]

    assert selectors.spend_between(since=day(0), until=day(10)) == 1000
    assert selectors.spend_between(since=day(0), until=day(30), campaign_ids=[campaign.pk]) == 3000
    starting = selectors.campaigns_starting_or_ending(since=day(-1), until=day(2))
    assert [row["name"] for row in starting] == ["Spring webinar"]
    assert starting[0]["url"] == reverse("campaigns:detail", args=[campaign.pk])
    top = selectors.top_campaigns(since=day(0), until=day(60))
    assert top[0]["name"] == "Spring webinar"
    assert float(top[0]["revenue"]) == 6000
    assert top[0]["roi"] == 1.0
    touched = set(selectors.lead_ids_touched_by(campaign.pk).values_list("lead_id", flat=True))
    assert len(touched) == 3
    assert {results_world["won"].pk, results_world["shared"].pk} <= touched


def test_the_leads_filter_finds_leads_touched_by_a_campaign(results_world):
    from leads.filters import LeadFilter
    from leads.models import Lead

    other = results_world["other"]
    leads = LeadFilter({"campaign": other.pk}, queryset=Lead.objects.all()).qs

    assert list(leads) == [results_world["shared"]]


def test_spend_vs_revenue_by_month(results_world):
    monthly = analytics.spend_vs_revenue_by_month(results_world["campaign"], model="linear")

    assert monthly["spend"].tolist() == [3000.0]
    assert monthly["revenue"].tolist() == [6000.0]
    assert monthly["month"].dt.date.tolist() == [date(2026, 1, 1)]


def test_the_comparison_sorts_rows_and_totals_roi(results_world):
    campaigns = Campaign.objects.all()

    rows, totals = analytics.campaign_comparison(
        campaigns, since=date(2026, 1, 1), until=date(2026, 3, 31), model="linear", sort="-roi"
    )

    # "Other" has no spend, so no ROI: it sorts last.
    assert [(row["name"], row["roi"]) for row in rows] == [("Spring webinar", 1.0), ("Other", None)]
    assert rows[0]["type_label"] == "Webinar"
    # Spend 3,000 and revenue 6,000 are all Spring's; SQLs 2 of Spring's + 1 of Other's.
    assert totals == {"spend": 3000.0, "sqls": 3, "revenue": 6000.0, "roi": 1.0}


def test_the_comparison_period_includes_its_last_day(results_world):
    campaigns = Campaign.objects.filter(pk=results_world["campaign"].pk)

    def spend_until(last_day: date) -> float:
        rows, _totals = analytics.campaign_comparison(
            campaigns, since=date(2026, 1, 1), until=last_day, model="linear"
        )
        return rows[0]["spend"]

    assert spend_until(date(2026, 1, 19)) == 1000  # the 2,000 of 20 January not yet
    assert spend_until(date(2026, 1, 20)) == 3000


def test_the_comparison_of_no_campaign_has_no_rows_and_no_totals(db):
    rows, totals = analytics.campaign_comparison(
        Campaign.objects.none(), since=date(2026, 1, 1), until=date(2026, 3, 31), model="linear"
    )

    assert (rows, totals) == ([], None)
