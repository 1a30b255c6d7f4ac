"""The KPI API contract: shapes, 400s with field messages, scopes and team scoping."""

import datetime as dt

import pytest

from kpis import services
from kpis.models import KpiDefinition, KpiTarget

FUNNEL = "/api/v1/kpis/funnel/"
RANGE = {"from": "2026-01-01", "to": "2026-05-01"}
KEYS = {"group", "mql", "sal", "sql", "customer", "mql_to_sal", "sal_to_sql", "sql_to_customer"}


def test_funnel_answers_exactly_the_documented_shape(world, executive, api_client_for):
    response = api_client_for(executive, scopes=["kpis:read"]).get(
        FUNNEL, {**RANGE, "group_by": "month", "view": "cohort"}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"from", "to", "view", "group_by", "rows", "total"}
    assert (body["from"], body["to"], body["view"], body["group_by"]) == (
        "2026-01-01",
        "2026-05-01",
        "cohort",
        "month",
    )
    assert all(set(row) == KEYS for row in body["rows"])
    assert set(body["total"]) == KEYS
    assert body["rows"][0] == {
        "group": "2026-01",
        "mql": 4,
        "sal": 3,
        "sql": 1,
        "customer": 1,
        "mql_to_sal": 0.75,
        "sal_to_sql": pytest.approx(1 / 3),
        "sql_to_customer": 1.0,
    }
    # An empty month: zero counts and null rates, never a division by zero.
    assert body["rows"][3] == {
        "group": "2026-04",
        "mql": 0,
        "sal": 0,
        "sql": 0,
        "customer": 0,
        "mql_to_sal": None,
        "sal_to_sql": None,
        "sql_to_customer": None,
    }
    assert body["total"] == {
        "group": "total",
        "mql": 6,
        "sal": 5,
        "sql": 3,
        "customer": 1,
        "mql_to_sal": pytest.approx(5 / 6),
        "sal_to_sql": pytest.approx(3 / 5),
        "sql_to_customer": pytest.approx(1 / 3),
    }


def test_funnel_period_view_and_other_groupings(world, executive, api_client_for):
    client = api_client_for(executive, scopes=["kpis:read"])

    period = client.get(FUNNEL, {**RANGE, "view": "period"}).json()
    by_source = client.get(FUNNEL, {**RANGE, "group_by": "source"}).json()

    assert [row["sal"] for row in period["rows"]] == [1, 3, 1, 0]
    assert {row["group"]: row["mql"] for row in by_source["rows"]} == {"web": 4, "event": 2}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01", "to": "2026-05-01"}, "from"),
        ({"from": "2026-01-01", "to": "yesterday"}, "to"),
        ({**RANGE, "group_by": "planet"}, "group_by"),
        ({**RANGE, "view": "sideways"}, "view"),
        ({"from": "2026-05-01", "to": "2026-05-01"}, "to"),
        ({"from": "2026-05-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_funnel_rejects_bad_parameters_with_field_messages(
    executive, api_client_for, params, field
):
    response = api_client_for(executive, scopes=["kpis:read"]).get(FUNNEL, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_token_without_the_kpis_scope_gets_403(executive, api_client_for):
    response = api_client_for(executive, scopes=["leads:read"]).get(FUNNEL, RANGE)

    assert response.status_code == 403


def test_anonymous_callers_get_401_or_403(client):
    assert client.get(FUNNEL, RANGE).status_code in (401, 403)


def test_a_seller_sees_only_the_team_numbers_whatever_the_team_asked(
    world, seller, seller_b, api_client_for
):
    client = api_client_for(seller, scopes=["kpis:read"])

    own = client.get(FUNNEL, RANGE).json()["total"]
    other_team = client.get(FUNNEL, {**RANGE, "team": seller_b.team_id}).json()["total"]

    assert (own["mql"], own["sal"], own["sql"], own["customer"]) == (4, 4, 2, 1)
    assert other_team == own


def test_velocity_endpoint(world, executive, api_client_for):
    response = api_client_for(executive, scopes=["kpis:read"]).get(
        "/api/v1/kpis/velocity/", {**RANGE, "stage_from": "mql", "stage_to": "sal"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["total"]["count"] == 5
    assert body["total"]["median_hours"] == pytest.approx(30)
    assert body["speed_to_lead"]["decision"]["median_hours"] == pytest.approx(24)
    assert body["speed_to_lead"]["first_touch"]["count"] == 2


def test_velocity_stages_must_go_forward(executive, api_client_for):
    response = api_client_for(executive, scopes=["kpis:read"]).get(
        "/api/v1/kpis/velocity/", {"stage_from": "sql", "stage_to": "mql"}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["stage_to"]


def test_sla_compliance_endpoint(world, executive, api_client_for):
    response = api_client_for(executive, scopes=["kpis:read"]).get(
        "/api/v1/kpis/sla-compliance/", RANGE
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"from", "to", "marketing", "sales", "speed_to_lead_effect"}
    assert {row["group"] for row in body["speed_to_lead_effect"]} == {"met", "breached"}


def test_kpi_list_has_definitions_targets_and_actuals(
    world, executive, marketing_manager, sales_manager, api_client_for
):
    kpi = services.kpi_definition_create(
        actor=executive,
        name="New customers",
        measure="new_customers",
        period="month",
        owners=[marketing_manager, sales_manager],
    )
    services.kpi_target_set(actor=executive, kpi=kpi, period_start=dt.date(2026, 3, 1), value=2)

    response = api_client_for(executive, scopes=["kpis:read"]).get("/api/v1/kpis/")

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["name"] == "New customers"
    assert item["unit"] == "count"
    assert {owner["team_kind"] for owner in item["owners"]} == {"marketing", "sales"}
    assert item["targets"] == [{"period_start": "2026-03-01", "target": 2.0, "actual": 1.0}]
    assert set(item["current"]) == {"period_start", "period_end", "target", "actual", "attainment"}
    assert KpiTarget.objects.count() == 1
    assert KpiDefinition.objects.count() == 1
