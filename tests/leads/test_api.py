"""The leads API contract: field names, status codes and error bodies, scopes, pagination."""

from datetime import timedelta
from decimal import Decimal

import pytest
import yaml
from django.utils import timezone

from leads import services
from leads.api import LEAD_FIELDS
from leads.models import Account, Lead, LeadStageChange, Stage, Touch
from tests.factories import AccountFactory, AssignmentRuleFactory, LeadFactory

LEADS = "/api/v1/leads/"


def lead_url(lead, suffix=""):
    return f"{LEADS}{lead.pk}/{suffix}"


@pytest.fixture
def marketing_api(marketer, api_client_for):
    return api_client_for(marketer, scopes=["leads:read", "leads:write"])


@pytest.fixture
def seller_api(seller, api_client_for):
    return api_client_for(seller, scopes=["leads:read", "leads:write"])


# --- Reading -------------------------------------------------------------------------


def test_a_lead_has_exactly_the_documented_fields(marketing_api):
    lead = LeadFactory(account=AccountFactory())

    body = marketing_api.get(lead_url(lead)).json()

    assert list(body) == LEAD_FIELDS
    assert set(LEAD_FIELDS) == {
        "id", "email", "first_name", "last_name", "title", "phone", "account", "source",
        "source_system", "external_id", "segment", "region", "score", "owner", "stage",
        "mql_at", "sal_at", "sql_at", "won_at", "expected_amount", "won_amount",
        "created_at", "updated_at",
    }  # fmt: skip
    assert body["account"] == lead.account_id


def test_a_lead_the_caller_may_not_see_is_a_404(seller, other_seller, seller_api):
    theirs = LeadFactory(handed_over=True, owner=other_seller)
    mine = LeadFactory(handed_over=True, owner=seller)

    assert seller_api.get(lead_url(theirs)).status_code == 404
    assert (
        seller_api.post(lead_url(theirs, "transitions/"), {"action": "accept"}).status_code == 404
    )
    assert seller_api.get(lead_url(theirs, "history/")).status_code == 404
    assert seller_api.get(lead_url(mine)).status_code == 200
    assert [row["id"] for row in seller_api.get(LEADS).json()["results"]] == [mine.pk]


def test_cursor_pagination_walks_every_lead_once(marketing_api):
    leads = LeadFactory.create_batch(5)

    first = marketing_api.get(LEADS, {"page_size": 2}).json()
    seen = [row["id"] for row in first["results"]]
    next_url = first["next"]
    while next_url:
        page = marketing_api.get(next_url).json()
        seen += [row["id"] for row in page["results"]]
        next_url = page["next"]

    assert seen == sorted((lead.pk for lead in leads), reverse=True)
    assert "count" not in first  # cursor pages never count a million rows


def test_page_size_is_capped_at_500(marketing_api):
    LeadFactory.create_batch(3)

    response = marketing_api.get(LEADS, {"page_size": 10_000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_filters_by_stage_source_external_id_email_and_owner(marketing_api, seller):
    mql = LeadFactory(handed_over=True, owner=seller, source="webinar")
    synced = LeadFactory(source_system="hubspot", external_id="hs-1", email="Ana@Example.com")
    LeadFactory(source="event")

    def ids(**params):
        return [row["id"] for row in marketing_api.get(LEADS, params).json()["results"]]

    assert ids(stage="mql") == [mql.pk]
    assert ids(source="Webinar") == [mql.pk]
    assert ids(owner=seller.pk) == [mql.pk]
    assert ids(source_system="hubspot", external_id="hs-1") == [synced.pk]
    assert ids(email="ana@example.com") == [synced.pk]


def test_updated_since_returns_only_leads_changed_since(marketing_api):
    old = LeadFactory()
    Lead.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    recent = LeadFactory()
    since = (timezone.now() - timedelta(days=1)).isoformat()

    rows = marketing_api.get(LEADS, {"updated_since": since}).json()["results"]

    assert [row["id"] for row in rows] == [recent.pk]


def test_a_bad_filter_value_is_a_400_naming_the_filter(marketing_api):
    response = marketing_api.get(LEADS, {"updated_since": "yesterday"})

    assert response.status_code == 400
    assert "updated_since" in response.json()


# --- Scopes --------------------------------------------------------------------------


def test_a_read_only_token_reads_but_cannot_write(marketer, api_client_for):
    client = api_client_for(marketer, scopes=["leads:read"])
    lead = LeadFactory()

    assert client.get(lead_url(lead)).status_code == 200
    response = client.patch(lead_url(lead), {"title": "CEO"}, format="json")
    assert response.status_code == 403
    assert "leads:write" in response.json()["detail"]
    assert client.post(f"{LEADS}bulk-upsert/", {"leads": []}, format="json").status_code == 403


def test_a_token_without_leads_scopes_cannot_read(marketer, api_client_for):
    client = api_client_for(marketer, scopes=["sla:read"])

    assert client.get(LEADS).status_code == 403


def test_no_credentials_is_a_401(client, db):
    assert client.get(LEADS).status_code in (401, 403)
    assert client.get(LEADS, HTTP_AUTHORIZATION="Bearer nope").status_code == 401


# --- Create and edit -----------------------------------------------------------------


def test_marketing_creates_a_lead_at_stage_lead(marketing_api):
    account = AccountFactory()

    response = marketing_api.post(
        LEADS, {"email": "new@example.com", "account": account.pk, "score": 80}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["stage"] == "lead"
    assert body["owner"] is None
    assert body["account"] == account.pk
    assert Lead.objects.get(pk=body["id"]).email == "new@example.com"


def test_create_with_a_company_domain_finds_or_creates_the_account(marketing_api):
    existing = AccountFactory(domain="acme.example")

    first = marketing_api.post(
        LEADS, {"email": "a@acme.example", "company": "ACME.example"}, format="json"
    )
    second = marketing_api.post(
        LEADS, {"email": "b@globex.example", "company": "Globex Corp"}, format="json"
    )

    assert first.json()["account"] == existing.pk
    assert Account.objects.get(pk=second.json()["account"]).name == "Globex Corp"


def test_create_errors_are_400_with_field_names(marketing_api):
    LeadFactory(email="taken@example.com")

    missing = marketing_api.post(LEADS, {"first_name": "Ann"}, format="json")
    taken = marketing_api.post(LEADS, {"email": "TAKEN@example.com"}, format="json")
    bad_score = marketing_api.post(LEADS, {"email": "x@example.com", "score": 101}, format="json")

    assert missing.status_code == 400
    assert list(missing.json()) == ["email"]
    assert taken.status_code == 400
    assert taken.json() == {"email": ["A lead with this email already exists."]}
    assert list(bad_score.json()) == ["score"]


def test_a_seller_may_not_create_or_edit_leads(seller, seller_api):
    lead = LeadFactory(handed_over=True, owner=seller)

    assert seller_api.post(LEADS, {"email": "s@example.com"}, format="json").status_code == 403
    assert seller_api.patch(lead_url(lead), {"title": "CEO"}, format="json").status_code == 403


def test_patch_changes_only_the_fields_sent(marketing_api):
    lead = LeadFactory(title="CTO", phone="123")

    response = marketing_api.patch(lead_url(lead), {"title": "CEO"}, format="json")

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.title, lead.phone) == ("CEO", "123")


def test_patch_cannot_set_stage_or_owner(marketing_api, seller):
    lead = LeadFactory()

    response = marketing_api.patch(
        lead_url(lead), {"stage": "customer", "owner": seller.pk}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"stage", "owner"}
    lead.refresh_from_db()
    assert lead.stage == Stage.LEAD


def test_put_is_not_offered(marketing_api):
    lead = LeadFactory()

    assert marketing_api.put(lead_url(lead), {"email": "x@example.com"}).status_code == 405


# --- Transitions ---------------------------------------------------------------------


def test_qualify_hands_over_and_answers_201_with_the_change_and_new_stage(
    marketing_api, marketer, seller, django_capture_on_commit_callbacks
):
    AssignmentRuleFactory(team=seller.team)
    lead = LeadFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_api.post(lead_url(lead, "transitions/"), {"action": "qualify"})

    assert response.status_code == 201
    body = response.json()
    assert body["stage_change"]["action"] == "qualify"
    assert body["stage_change"]["from_stage"] == "lead"
    assert body["stage_change"]["to_stage"] == "mql"
    assert body["stage_change"]["actor"] == marketer.pk
    assert body["lead"]["stage"] == "mql"
    assert body["lead"]["owner"] == seller.pk


def test_seller_accepts_and_wins_through_the_api(seller, seller_api):
    lead = LeadFactory(handed_over=True, owner=seller)

    accepted = seller_api.post(lead_url(lead, "transitions/"), {"action": "accept"})
    qualified = seller_api.post(
        lead_url(lead, "transitions/"), {"action": "qualify", "amount": "5000"}
    )
    won = seller_api.post(lead_url(lead, "transitions/"), {"action": "win", "amount": "4500.50"})

    assert [r.status_code for r in (accepted, qualified, won)] == [201, 201, 201]
    lead.refresh_from_db()
    assert lead.stage == Stage.CUSTOMER
    assert lead.expected_amount == Decimal("5000.00")
    assert lead.won_amount == Decimal("4500.50")


def test_a_move_that_does_not_exist_is_a_400(seller, seller_api):
    lead = LeadFactory(handed_over=True, owner=seller)

    response = seller_api.post(lead_url(lead, "transitions/"), {"action": "win", "amount": "1"})

    assert response.status_code == 400
    assert response.json()["code"] == "not_allowed"


def test_an_unknown_action_is_a_400_on_the_action_field(seller, seller_api):
    lead = LeadFactory(handed_over=True, owner=seller)

    response = seller_api.post(lead_url(lead, "transitions/"), {"action": "promote"})

    assert response.status_code == 400
    assert list(response.json()) == ["action"]


def test_reject_without_a_reason_code_is_a_400_naming_the_field(seller, seller_api):
    lead = LeadFactory(handed_over=True, owner=seller)

    response = seller_api.post(lead_url(lead, "transitions/"), {"action": "reject"})

    assert response.status_code == 400
    assert list(response.json()) == ["reason_code"]
    assert not LeadStageChange.objects.exists()


def test_qualify_to_sql_without_an_amount_is_a_400(seller, seller_api):
    lead = LeadFactory(handed_over=True, owner=seller)
    seller_api.post(lead_url(lead, "transitions/"), {"action": "accept"})

    response = seller_api.post(lead_url(lead, "transitions/"), {"action": "qualify"})

    assert response.status_code == 400
    assert list(response.json()) == ["amount"]


def test_the_wrong_side_gets_a_403(marketing_api, seller):
    lead = LeadFactory(handed_over=True, owner=seller)

    response = marketing_api.post(lead_url(lead, "transitions/"), {"action": "accept"})

    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.stage == Stage.MQL


def test_a_decision_on_a_lead_changed_meanwhile_is_a_409(seller, seller_api, sales_manager):
    lead = LeadFactory(handed_over=True, owner=seller)
    # Someone else decided first, while this client still showed the lead as an MQL.
    services.lead_transition(lead=Lead.objects.get(pk=lead.pk), action="accept", actor=seller)

    response = seller_api.post(
        lead_url(lead, "transitions/"),
        {"action": "reject", "reason_code": "not_icp", "from_stage": "mql"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert LeadStageChange.objects.filter(lead=lead).count() == 1


# --- History and touches -------------------------------------------------------------


def test_history_lists_every_move_oldest_first_with_the_documented_fields(
    seller, seller_api, marketing_api
):
    lead = LeadFactory(handed_over=True, owner=seller)
    seller_api.post(lead_url(lead, "transitions/"), {"action": "accept"})
    seller_api.post(
        lead_url(lead, "transitions/"),
        {"action": "recycle", "reason_code": "no_response", "comment": "Six calls."},
    )

    # Recycled to nurture, it left the seller's desk: marketing reads its history.
    assert seller_api.get(lead_url(lead, "history/")).status_code == 404
    rows = marketing_api.get(lead_url(lead, "history/")).json()

    assert [(row["action"], row["from_stage"], row["to_stage"]) for row in rows] == [
        ("accept", "mql", "sal"),
        ("recycle", "sal", "lead"),
    ]
    assert list(rows[0]) == [
        "id", "action", "from_stage", "to_stage", "actor", "reason_code", "comment", "created_at"
    ]  # fmt: skip
    assert rows[1]["reason_code"] == "no_response"
    assert rows[1]["actor"] == seller.pk


def test_the_owner_logs_and_lists_touches(seller, seller_api):
    lead = LeadFactory(handed_over=True, owner=seller)

    created = seller_api.post(lead_url(lead, "touches/"), {"kind": "call", "note": "Voicemail"})
    listed = seller_api.get(lead_url(lead, "touches/"))

    assert created.status_code == 201
    assert created.json()["kind"] == "call"
    assert [row["note"] for row in listed.json()] == ["Voicemail"]
    lead.refresh_from_db()
    assert lead.first_touch_at is not None


def test_touch_errors_are_400_and_403(seller, seller_api, marketing_api):
    lead = LeadFactory(handed_over=True, owner=seller)
    future = (timezone.now() + timedelta(days=1)).isoformat()

    bad_kind = seller_api.post(lead_url(lead, "touches/"), {"kind": "fax"})
    in_future = seller_api.post(lead_url(lead, "touches/"), {"kind": "call", "occurred_at": future})
    by_marketing = marketing_api.post(lead_url(lead, "touches/"), {"kind": "call"})

    assert (bad_kind.status_code, list(bad_kind.json())) == (400, ["kind"])
    assert (in_future.status_code, list(in_future.json())) == (400, ["occurred_at"])
    assert by_marketing.status_code == 403
    assert not Touch.objects.exists()


# --- Bulk upsert ---------------------------------------------------------------------


def test_bulk_upsert_twice_creates_once_then_changes_nothing(marketing_api):
    batch = {
        "leads": [
            {"source_system": "hubspot", "external_id": "1", "email": "a@x.example", "score": 40},
            {"source_system": "hubspot", "external_id": "2", "email": "b@x.example"},
            {"email": "c@x.example", "first_name": "Cleo"},
        ]
    }

    first = marketing_api.post(f"{LEADS}bulk-upsert/", batch, format="json")
    stamps = dict(Lead.objects.values_list("pk", "updated_at"))
    second = marketing_api.post(f"{LEADS}bulk-upsert/", batch, format="json")

    assert first.status_code == 200
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0, "moved": 0, "errors": []}
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 3, "moved": 0, "errors": []}
    assert Lead.objects.count() == 3
    assert dict(Lead.objects.values_list("pk", "updated_at")) == stamps  # no row touched


def test_bulk_upsert_reports_bad_items_by_index_and_keeps_the_good_ones(marketing_api):
    batch = {
        "leads": [
            {"email": "good@x.example"},
            {"email": "not-an-email", "score": 500},
            {"email": "good2@x.example", "stage": "lead"},
        ]
    }

    body = marketing_api.post(f"{LEADS}bulk-upsert/", batch, format="json").json()

    assert body["created"] == 2
    assert body["errors"] == [
        {
            "index": 1,
            "errors": {
                "email": ["Enter a valid email address."],
                "score": ["Ensure this value is less than or equal to 100."],
            },
        }
    ]
    assert Lead.objects.get(email="good2@x.example").stage == Stage.LEAD


def test_bulk_upsert_needs_a_list_and_at_most_1000(marketing_api):
    not_a_list = marketing_api.post(f"{LEADS}bulk-upsert/", {"leads": "x"}, format="json")
    too_many = marketing_api.post(
        f"{LEADS}bulk-upsert/",
        {"leads": [{"email": f"{i}@x.example"} for i in range(1001)]},
        format="json",
    )

    assert (not_a_list.status_code, list(not_a_list.json())) == (400, ["leads"])
    assert (too_many.status_code, list(too_many.json())) == (400, ["leads"])
    assert not Lead.objects.exists()


def test_bulk_upsert_is_marketings(seller_api):
    response = seller_api.post(
        f"{LEADS}bulk-upsert/", {"leads": [{"email": "a@x.example"}]}, format="json"
    )

    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_schema_documents_the_leads_endpoints(client, db):
    schema = client.get("/api/v1/schema/").content.decode()

    for path in (
        "/api/v1/leads/{id}/transitions/",
        "/api/v1/leads/{id}/history/",
        "/api/v1/leads/{id}/touches/",
        "/api/v1/leads/bulk-upsert/",
    ):
        assert path in schema


def test_schema_names_the_leads_enums_after_their_choices(client, db):
    """Stage is one component wherever it shows, named by ENUM_NAME_OVERRIDES, not by field."""
    schemas = yaml.safe_load(client.get("/api/v1/schema/").content)["components"]["schemas"]

    def enum_of(component, field):
        prop = schemas[component]["properties"][field]
        return (prop["allOf"][0] if "allOf" in prop else prop)["$ref"].rsplit("/", 1)[1]

    assert {
        enum_of("LeadOutput", "stage"),
        enum_of("LeadStageChangeOutput", "from_stage"),
        enum_of("LeadStageChangeOutput", "to_stage"),
        enum_of("LeadTransitionInputRequest", "from_stage"),
    } == {"LeadStageEnum"}
    assert enum_of("LeadTransitionInputRequest", "action") == "LeadMoveActionEnum"
    assert enum_of("LeadStageChangeOutput", "action") == "LeadStageChangeActionEnum"
    assert enum_of("TouchInputRequest", "kind") == enum_of("TouchOutput", "kind") == "TouchKindEnum"
    assert schemas["LeadStageEnum"]["enum"] == Stage.values
