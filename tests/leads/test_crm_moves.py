"""CRM-side lifecycle in the bulk upsert: what happened in the CRM is applied as moves."""

import datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from events.models import Event
from leads.models import Lead, LeadStageChange, Stage
from leads.services import lead_upsert_many
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm(db):
    """The integration: a service account with the marketing role."""
    user = UserFactory(username="salesforce", role=Role.MARKETER)
    user.is_service_account = True
    user.save()
    return user


def _lead(stage, seller, **fields):
    return LeadFactory(
        handed_over=True,
        owner=seller,
        stage=stage,
        source_system="sf",
        external_id=f"sf-{stage}-{Lead.objects.count()}",
        **fields,
    )


def _item(lead, **fields):
    return {"source_system": "sf", "external_id": lead.external_id, **fields}


def test_the_crm_reports_qualified_won_and_lost_and_they_become_moves(crm, seller):
    sal, won, lost = _lead(Stage.SAL, seller), _lead(Stage.SQL, seller), _lead(Stage.SQL, seller)

    result = lead_upsert_many(
        actor=crm,
        items=[
            _item(sal, stage="sql", expected_amount="12000.50", title="CTO"),
            _item(won, stage="customer", won_amount="9000", close_date="2026-11-20"),
            _item(lost, stage="lost", reason_code="no_budget"),
        ],
    )

    assert result.errors == []
    assert (result.moved, result.updated, result.unchanged) == (3, 1, 2)
    sal.refresh_from_db()
    won.refresh_from_db()
    lost.refresh_from_db()
    assert (sal.stage, sal.expected_amount, sal.title) == (Stage.SQL, Decimal("12000.50"), "CTO")
    assert (won.stage, won.won_amount) == (Stage.CUSTOMER, Decimal("9000.00"))
    assert won.close_date == datetime.date(2026, 11, 20)
    assert lost.stage == Stage.LOST
    history = LeadStageChange.objects.filter(lead__in=[sal, won, lost]).order_by("id")
    assert [(change.action, change.actor) for change in history] == [
        ("qualify", crm),
        ("win", crm),
        ("lose", crm),
    ]
    assert history[2].reason_code == "no_budget"
    moved_events = Event.objects.filter(type="lead.stage_changed", actor=crm)
    assert sorted(moved_events.values_list("object_id", flat=True)) == sorted(
        [sal.pk, won.pk, lost.pk]
    )


def test_resending_the_same_batch_moves_nothing(crm, seller):
    sal = _lead(Stage.SAL, seller)
    batch = [_item(sal, stage="sql", expected_amount="100")]
    lead_upsert_many(actor=crm, items=batch)

    again = lead_upsert_many(actor=crm, items=batch)

    assert (again.moved, again.unchanged, again.errors) == (0, 1, [])
    assert LeadStageChange.objects.filter(lead=sal).count() == 1


def test_a_move_that_is_not_possible_is_the_items_error_and_the_item_is_left_out(crm, seller):
    sal = _lead(Stage.SAL, seller, title="Old")
    mql = _lead(Stage.MQL, seller)

    result = lead_upsert_many(
        actor=crm,
        items=[
            _item(sal, stage="customer", won_amount="5", title="New"),
            _item(mql, stage="sql", expected_amount="5"),
            _item(sal, stage="mql") | {"external_id": "other", "email": "x@example.com"},
        ],
    )

    assert result.moved == 0
    messages = {error["index"]: error["errors"] for error in result.errors}
    assert "Customer cannot be reached from SAL (the lead must be SQL)" in messages[0]["stage"][0]
    assert "cannot be reached from MQL" in messages[1]["stage"][0]
    assert "A CRM reports sql, customer or lost" in messages[2]["stage"][0]
    sal.refresh_from_db()
    assert (sal.stage, sal.title) == (Stage.SAL, "Old")  # the record was not written either
    assert not Lead.objects.filter(email="x@example.com").exists()


def test_what_a_move_needs_is_checked_per_item(crm, seller):
    sal, sql = _lead(Stage.SAL, seller), _lead(Stage.SQL, seller)

    result = lead_upsert_many(
        actor=crm,
        items=[
            _item(sal, stage="sql"),
            _item(sql, stage="lost", reason_code="made_up"),
            _item(sql, stage="customer", won_amount="-3") | {"external_id": "nope"},
        ],
    )

    messages = {error["index"]: error["errors"] for error in result.errors}
    assert messages[0] == {"expected_amount": ["Required to move the lead to sql."]}
    assert messages[1] == {"reason_code": ["“made_up” is not a known reason code."]}
    assert messages[2] == {"won_amount": ["The amount cannot be negative."]}
    assert result.moved == 0


def test_a_person_cannot_report_sales_moves_through_sync(marketer, seller):
    sal = _lead(Stage.SAL, seller)

    result = lead_upsert_many(actor=marketer, items=[_item(sal, stage="sql", expected_amount="5")])

    assert "need an integration's service account" in result.errors[0]["errors"]["stage"][0]
    sal.refresh_from_db()
    assert sal.stage == Stage.SAL


def test_the_api_reports_moved(crm, seller, api_client_for):
    sql = _lead(Stage.SQL, seller)

    body = (
        api_client_for(crm, scopes=["leads:write"])
        .post(
            "/api/v1/leads/bulk-upsert/",
            {"leads": [_item(sql, stage="customer", won_amount="10")]},
            format="json",
        )
        .json()
    )

    assert body == {"created": 0, "updated": 0, "unchanged": 1, "moved": 1, "errors": []}
