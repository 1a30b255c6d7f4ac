"""The campaigns API contract: status codes, field names, 400 bodies, scopes, visibility."""

import pytest

from campaigns.models import Campaign, CampaignTouch
from tests.campaigns.factories import CampaignFactory
from tests.factories import LeadFactory

PLAN = {
    "name": "API webinar",
    "type": "webinar",
    "start_date": "2026-03-01",
    "end_date": "2026-03-31",
    "budget": "1500.00",
    "objective_mqls": 40,
}
WHEN = "2026-01-10T12:00:00Z"


def test_marketing_creates_a_campaign(marketer, api_client_for):
    response = api_client_for(marketer).post("/api/v1/campaigns/", PLAN, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {
        "id",
        "name",
        "type",
        "status",
        "start_date",
        "end_date",
        "marketing_owner",
        "sales_coowner",
        "budget",
        "spend",
        "objective_mqls",
        "target_accounts",
        "sales_follow_up",
    }
    assert (body["status"], body["marketing_owner"], body["budget"]) == (
        "planned",
        marketer.pk,
        "1500.00",
    )


def test_a_bad_plan_is_a_400_with_field_messages(marketer, api_client_for):
    client = api_client_for(marketer)

    dates = client.post("/api/v1/campaigns/", {**PLAN, "end_date": "2026-01-01"}, format="json")
    budget = client.post("/api/v1/campaigns/", {**PLAN, "budget": "-1"}, format="json")
    status = client.post("/api/v1/campaigns/", {**PLAN, "status": "active"}, format="json")

    assert dates.status_code == 400
    assert list(dates.json()) == ["end_date"]
    assert budget.status_code == 400
    assert "budget" in budget.json()
    assert status.status_code == 400
    assert "status" in status.json()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("persona", ["seller", "sales_manager", "executive"])
def test_others_read_but_cannot_write(persona, request, api_client_for, campaign):
    client = api_client_for(request.getfixturevalue(persona))

    assert client.post("/api/v1/campaigns/", PLAN, format="json").status_code == 403
    if persona == "executive":
        assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200
        response = client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"budget": "1"}, format="json")
        assert response.status_code == 403


def test_marketing_updates_moves_and_deletes(marketer, campaign, api_client_for):
    client = api_client_for(marketer)
    url = f"/api/v1/campaigns/{campaign.pk}/"

    patched = client.patch(url, {"budget": "9000.00", "channel": "Zoom"}, format="json")
    moved = client.post(f"{url}move/", {"action": "start"}, format="json")
    refused = client.post(f"{url}move/", {"action": "start"}, format="json")

    assert patched.status_code == 200
    assert patched.json()["budget"] == "9000.00"
    assert moved.status_code == 200
    assert moved.json()["status"] == "active"
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_allowed"
    assert client.delete(url).status_code == 204


def test_a_campaign_a_seller_may_not_see_is_a_404(other_seller, campaign, api_client_for):
    client = api_client_for(other_seller)

    assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/results/").status_code == 404
    assert client.get("/api/v1/campaigns/").json()["count"] == 0


def test_the_sales_coowner_sees_the_campaign(seller, campaign, api_client_for):
    response = api_client_for(seller).get("/api/v1/campaigns/")

    assert [row["id"] for row in response.json()["results"]] == [campaign.pk]


def test_tokens_need_the_campaigns_scopes(marketer, campaign, api_client_for):
    reader = api_client_for(marketer, scopes=["campaigns:read"])
    nothing = api_client_for(marketer, scopes=["leads:read"])

    assert reader.get("/api/v1/campaigns/").status_code == 200
    assert reader.post("/api/v1/campaigns/", PLAN, format="json").status_code == 403
    assert nothing.get("/api/v1/campaigns/").status_code == 403


def test_results_by_model(results_world, marketer, api_client_for):
    client = api_client_for(marketer)
    url = f"/api/v1/campaigns/{results_world['campaign'].pk}/results/"

    linear = client.get(url, {"model": "linear"})
    bad = client.get(url, {"model": "w_shaped"})

    assert linear.status_code == 200
    body = linear.json()
    assert (body["model"], body["pipeline"], body["revenue"], body["roi"]) == (
        "linear",
        12000.0,
        6000.0,
        1.0,
    )
    assert body["cost_per_sql"] == 1500.0
    assert set(body["pipeline_by_model"]) == {"first_touch", "last_touch", "linear", "u_shaped"}
    assert bad.status_code == 400
    assert list(bad.json()) == ["model"]


def test_touches_create_list_and_resend(marketer, campaign, api_client_for):
    lead = LeadFactory(email="ada@example.com")
    client = api_client_for(marketer)
    url = f"/api/v1/campaigns/{campaign.pk}/touches/"
    touch = {"email": "ADA@example.com", "kind": "attended", "occurred_at": WHEN}

    created = client.post(url, touch, format="json")
    again = client.post(url, touch, format="json")
    listed = client.get(url)

    assert created.status_code == 201
    assert set(created.json()) == {
        "id",
        "campaign",
        "lead",
        "email",
        "kind",
        "occurred_at",
        "created_at",
    }
    assert created.json()["lead"] == lead.pk
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]


def test_a_touch_for_an_unknown_lead_is_a_400(marketer, campaign, api_client_for):
    response = api_client_for(marketer).post(
        f"/api/v1/campaigns/{campaign.pk}/touches/",
        {"lead": 999999, "kind": "attended", "occurred_at": WHEN},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["lead"]


def test_bulk_touches_are_idempotent(marketer, campaign, api_client_for):
    leads = [LeadFactory() for _ in range(3)]
    client = api_client_for(marketer)
    url = f"/api/v1/campaigns/{campaign.pk}/touches/bulk/"
    items = [{"lead": lead.pk, "kind": "registered", "occurred_at": WHEN} for lead in leads]

    first = client.post(url, items, format="json")
    second = client.post(url, items, format="json")

    assert first.status_code == 200
    assert first.json() == {"received": 3, "created": 3, "already_recorded": 0}
    assert second.json() == {"received": 3, "created": 0, "already_recorded": 3}
    assert CampaignTouch.objects.count() == 3


def test_bulk_errors_come_back_by_index_and_nothing_is_saved(marketer, campaign, api_client_for):
    lead = LeadFactory()
    items = [
        {"lead": lead.pk, "kind": "registered", "occurred_at": WHEN},
        {"lead": lead.pk, "kind": "teleported", "occurred_at": WHEN},
        {"lead": 999999, "kind": "visited", "occurred_at": WHEN},
        "not an object",
    ]

    response = api_client_for(marketer).post(
        f"/api/v1/campaigns/{campaign.pk}/touches/bulk/", items, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["items"]
    assert list(errors) == ["1", "3"]  # shape errors first; lead lookups after
    assert list(errors["1"]) == ["kind"]
    assert not CampaignTouch.objects.exists()
    fixed = [items[0], items[2]]
    response = api_client_for(marketer).post(
        f"/api/v1/campaigns/{campaign.pk}/touches/bulk/", fixed, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"items": {"1": {"lead": ["No lead with id 999999."]}}}


def test_bulk_needs_a_list_and_marketing(seller, marketer, campaign, api_client_for):
    url = f"/api/v1/campaigns/{campaign.pk}/touches/bulk/"

    not_a_list = api_client_for(marketer).post(url, {"lead": 1}, format="json")
    by_seller = api_client_for(seller).post(url, [], format="json")

    assert not_a_list.status_code == 400
    assert "non_field_errors" in not_a_list.json()
    assert by_seller.status_code == 403


def test_unrelated_campaigns_of_other_owners_are_listed_for_marketing(marketer, api_client_for):
    CampaignFactory()
    CampaignFactory()

    assert api_client_for(marketer).get("/api/v1/campaigns/").json()["count"] == 2


def test_a_seller_gets_403_even_with_a_bad_body(seller, campaign, api_client_for):
    client = api_client_for(seller)

    assert client.post("/api/v1/campaigns/", {}, format="json").status_code == 403
    response = client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"end_date": "x"}, format="json")
    assert response.status_code == 403
