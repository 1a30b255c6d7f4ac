"""Campaign pages: who sees what, form errors (never a 500), charts, CSV export and imports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, CampaignTouch, ReviewNote, SpendEntry
from tests.campaigns.factories import CampaignFactory, CampaignTouchFactory
from tests.factories import LeadFactory

GOOD_PLAN = {
    "name": "Spring webinar",
    "type": "webinar",
    "channel": "Zoom",
    "start_date": "2026-03-01",
    "end_date": "2026-03-31",
    "budget": "2500",
}


@pytest.fixture
def unrelated(db, marketer):
    return CampaignFactory(name="Unrelated", marketing_owner=marketer)


@pytest.mark.parametrize(
    "persona", ["marketer", "marketing_manager", "seller", "sales_manager", "executive"]
)
def test_every_role_opens_the_list_calendar_and_comparison(persona, request, session_client_for):
    client = session_client_for(request.getfixturevalue(persona))

    for name in ("campaigns:list", "campaigns:calendar", "campaigns:comparison"):
        assert client.get(reverse(name)).status_code == 200


def test_the_list_is_empty_with_a_clear_message(marketer, session_client_for):
    response = session_client_for(marketer).get(reverse("campaigns:list"))

    assert "No campaigns yet" in response.content.decode()


def test_the_list_filters_by_status_and_paginates(marketer, session_client_for):
    for number in range(30):
        CampaignFactory(name=f"Webinar {number:02}", marketing_owner=marketer)
    CampaignFactory(name="Running", status=Campaign.Status.ACTIVE, marketing_owner=marketer)
    client = session_client_for(marketer)

    active = client.get(reverse("campaigns:list"), {"status": "active"}).content.decode()
    first_page = client.get(reverse("campaigns:list"), {"sort": "name"}).content.decode()

    assert "Running" in active
    assert "Webinar 00" not in active
    assert "Page 1 of 2" in first_page
    assert "Webinar 00" in first_page


def test_the_list_pages_keep_the_filters(marketer, session_client_for):
    for number in range(60):
        CampaignFactory(name=f"Webinar {number:02}", marketing_owner=marketer)
    client = session_client_for(marketer)

    page = client.get(reverse("campaigns:list"), {"q": "Webinar", "page": "2", "sort": "name"})

    html = page.content.decode()
    assert "Page 2 of 3" in html
    # The page number is replaced in place; the filters and the sort stay.
    assert 'href="?q=Webinar&amp;page=1&amp;sort=name"' in html
    assert 'href="?q=Webinar&amp;page=3&amp;sort=name"' in html


def test_a_seller_sees_campaigns_of_their_leads_and_those_they_coown(
    seller, other_seller, campaign, unrelated, session_client_for
):
    # ``campaign`` is co-owned by ``seller``; ``touching`` touched one of their leads.
    touching = CampaignFactory(name="Touching")
    CampaignTouchFactory(campaign=touching, lead=LeadFactory(handed_over=True, owner=seller))
    client = session_client_for(seller)

    page = client.get(reverse("campaigns:list")).content.decode()

    assert "Spring webinar" in page
    assert "Touching" in page
    assert "Unrelated" not in page
    assert client.get(reverse("campaigns:detail", args=[unrelated.pk])).status_code == 404
    assert client.get(reverse("campaigns:detail", args=[touching.pk])).status_code == 200
    other = session_client_for(other_seller)
    assert other.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404


def test_executives_read_every_campaign_but_cannot_edit(executive, unrelated, session_client_for):
    client = session_client_for(executive)

    assert client.get(reverse("campaigns:detail", args=[unrelated.pk])).status_code == 200
    assert client.get(reverse("campaigns:create")).status_code == 403
    assert client.get(reverse("campaigns:edit", args=[unrelated.pk])).status_code == 403
    response = client.post(
        reverse("campaigns:review_add", args=[unrelated.pk]),
        {"held_on": "2026-02-01", "text": "x"},
    )
    assert response.status_code == 403


def test_marketing_plans_a_campaign_in_the_browser(marketer, session_client_for):
    response = session_client_for(marketer).post(
        reverse("campaigns:create"), {**GOOD_PLAN, "marketing_owner": marketer.pk}
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.budget == 2500


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"end_date": "2026-02-01"}, "end_date", "The end date cannot be before the start date."),
        ({"budget": "-10"}, "budget", "The budget cannot be negative."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_invalid_plans_are_form_errors_never_500(
    change, field, message, marketer, session_client_for
):
    data = {**GOOD_PLAN, "marketing_owner": marketer.pk, **change}

    response = session_client_for(marketer).post(reverse("campaigns:create"), data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Campaign.objects.exists()


def test_sellers_cannot_edit_or_record_spend(seller, campaign, session_client_for):
    client = session_client_for(seller)

    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 403
    response = client.post(
        reverse("campaigns:spend_add", args=[campaign.pk]),
        {"spent_on": "2026-01-02", "amount": "100"},
    )
    assert response.status_code == 403
    assert not SpendEntry.objects.exists()


def test_a_seller_adds_to_the_review_log(seller, campaign, session_client_for):
    response = session_client_for(seller).post(
        reverse("campaigns:review_add", args=[campaign.pk]),
        {"held_on": "2026-02-01", "text": "Attendees were mostly students."},
    )

    assert response.status_code == 302
    assert ReviewNote.objects.get().author == seller


def test_a_negative_spend_is_a_form_error_on_the_campaign_page(
    marketer, campaign, session_client_for
):
    response = session_client_for(marketer).post(
        reverse("campaigns:spend_add", args=[campaign.pk]),
        {"spent_on": "2026-01-02", "amount": "-1"},
    )

    assert response.status_code == 400
    assert "amount" in response.context["spend_form"].errors


def test_the_campaign_page_shows_results_and_plotly_charts(
    results_world, marketer, session_client_for
):
    campaign = results_world["campaign"]

    response = session_client_for(marketer).get(
        reverse("campaigns:detail", args=[campaign.pk]), {"model": "first_touch"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/plotly/plotly.min.js" in page
    assert "cdn.plot.ly" not in page
    assert page.count("plotly-graph-div") == 2
    assert response.context["result"]["pipeline"] == 14_000
    assert response.context["model"] == "first_touch"
    assert 'href="?model=linear"' in page  # switching the model replaces it


def test_an_unknown_model_falls_back_to_the_default(results_world, marketer, session_client_for):
    response = session_client_for(marketer).get(
        reverse("campaigns:detail", args=[results_world["campaign"].pk]), {"model": "magic"}
    )

    assert response.context["model"] == "u_shaped"


def test_the_comparison_exports_the_same_numbers_as_csv(
    results_world, marketer, session_client_for
):
    query = {"since": "2026-01-01", "until": "2026-03-31", "model": "linear", "sort": "-roi"}
    client = session_client_for(marketer)

    page = client.get(reverse("campaigns:comparison"), query)
    export = client.get(reverse("campaigns:comparison"), {**query, "format": "csv"})

    rows = [line.split(",") for line in export.content.decode().strip().splitlines()]
    header = rows[0]
    spring = dict(zip(header, next(row for row in rows if row[0] == "Spring webinar"), strict=True))
    assert export["Content-Type"].startswith("text/csv")
    assert (spring["spend"], spring["sqls"], spring["cost_per_sql"], spring["roi"]) == (
        "3000.0",
        "2",
        "1500.0",
        "1.0",
    )
    shown = next(row for row in page.context["rows"] if row["name"] == "Spring webinar")
    assert (shown["cost_per_sql"], shown["roi"]) == (1500.0, 1.0)


def test_the_csv_export_link_keeps_the_period_and_model(
    results_world, marketer, session_client_for
):
    query = {"since": "2026-01-01", "until": "2026-03-31", "model": "linear", "sort": "-roi"}

    page = session_client_for(marketer).get(reverse("campaigns:comparison"), query)

    assert (
        'href="?since=2026-01-01&amp;until=2026-03-31&amp;model=linear&amp;sort=-roi&amp;format=csv"'
        in page.content.decode()
    )


def test_a_period_ending_before_it_starts_is_a_form_error(marketer, session_client_for):
    response = session_client_for(marketer).get(
        reverse("campaigns:comparison"),
        {"since": "2026-03-01", "until": "2026-01-01", "model": "linear"},
    )

    assert response.status_code == 400
    assert "until" in response.context["form"].errors


def test_the_quarter_calendar_places_campaigns(marketer, campaign, session_client_for):
    response = session_client_for(marketer).get(
        reverse("campaigns:calendar"), {"day": "2026-02-15"}
    )

    assert response.context["quarter"] == "Q1 2026"
    assert [row["campaign"] for row in response.context["rows"]] == [campaign]
    assert response.context["rows"][0]["left"] == 0
    page = response.content.decode()
    assert 'href="?day=2025-12-31"' in page
    assert 'href="?day=2026-04-01"' in page


def test_marketing_adds_one_touch_and_imports_a_csv_twice(marketer, campaign, session_client_for):
    lead = LeadFactory(email="ada@example.com")
    client = session_client_for(marketer)
    url = reverse("campaigns:touches", args=[campaign.pk])

    one = client.post(
        url, {"lead_email": "ada@example.com", "kind": "visited", "occurred_at": "2026-01-05T10:00"}
    )
    csv_text = (
        "email,kind,occurred_at\n"
        "ada@example.com,registered,2026-01-06T10:00:00+00:00\n"
        "ada@example.com,attended,2026-01-07\n"
    )
    for _ in range(2):
        imported = client.post(
            url,
            {"form": "csv", "file": SimpleUploadedFile("t.csv", csv_text.encode(), "text/csv")},
        )
        assert imported.status_code == 302

    assert one.status_code == 302
    assert sorted(CampaignTouch.objects.filter(lead=lead).values_list("kind", flat=True)) == [
        "attended",
        "registered",
        "visited",
    ]


def test_a_csv_with_bad_rows_lists_them_and_saves_nothing(marketer, campaign, session_client_for):
    LeadFactory(email="ada@example.com")
    csv_text = (
        "email,kind,occurred_at\nada@example.com,visited,2026-01-05\nbob@example.com,x,soon\n"
    )

    response = session_client_for(marketer).post(
        reverse("campaigns:touches", args=[campaign.pk]),
        {"form": "csv", "file": SimpleUploadedFile("t.csv", csv_text.encode(), "text/csv")},
    )

    assert response.status_code == 400
    assert [line for line, _errors in response.context["item_errors"]] == [3]
    assert "Kinds: visited, registered, attended, downloaded," in response.content.decode()
    assert not CampaignTouch.objects.exists()


def test_sellers_cannot_add_touches(seller, campaign, session_client_for):
    response = session_client_for(seller).post(
        reverse("campaigns:touches", args=[campaign.pk]),
        {"lead_email": "x@example.com", "kind": "visited", "occurred_at": "2026-01-05T10:00"},
    )

    assert response.status_code == 403


def test_status_moves_in_the_browser(marketer, campaign, session_client_for):
    client = session_client_for(marketer)

    client.post(reverse("campaigns:move", args=[campaign.pk]), {"action": "start"})
    response = client.post(
        reverse("campaigns:move", args=[campaign.pk]), {"action": "start"}, follow=True
    )

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACTIVE
    assert "cannot be moved" in response.content.decode()


def test_a_seller_sees_only_the_touches_of_their_own_leads(
    seller, other_seller, campaign, session_client_for
):
    mine = CampaignTouchFactory(campaign=campaign, lead=LeadFactory(handed_over=True, owner=seller))
    CampaignTouchFactory(campaign=campaign, lead=LeadFactory(handed_over=True, owner=other_seller))

    response = session_client_for(seller).get(reverse("campaigns:touches", args=[campaign.pk]))

    assert list(response.context["touches"]) == [mine]


def test_the_plan_takes_target_accounts_of_the_target_tiers(marketer, session_client_for):
    from tests.factories import AccountFactory

    tier_1 = AccountFactory(target_tier="tier_1")
    untargeted = AccountFactory(target_tier="")
    client = session_client_for(marketer)

    form = client.get(reverse("campaigns:create")).context["form"]
    response = client.post(
        reverse("campaigns:create"),
        {**GOOD_PLAN, "marketing_owner": marketer.pk, "target_accounts": [tier_1.pk]},
    )

    assert list(form.fields["target_accounts"].queryset) == [tier_1]
    assert untargeted not in form.fields["target_accounts"].queryset
    assert response.status_code == 302
    assert list(Campaign.objects.get().target_accounts.all()) == [tier_1]
