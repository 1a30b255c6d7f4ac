"""lead_upsert_many: matching, idempotency, per-item errors, set-based writes, permissions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from leads.models import Account, Lead, Stage
from leads.services import MAX_BATCH, lead_upsert_many
from tests.factories import AccountFactory, LeadFactory, UserFactory


def test_new_items_are_created_at_stage_lead_without_owner(marketer):
    result = lead_upsert_many(
        actor=marketer,
        items=[{"source_system": "sf", "external_id": "00Q1", "email": "a@x.example"}],
    )

    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 0, 0, [])
    lead = Lead.objects.get()
    assert (lead.stage, lead.owner, lead.external_id) == (Stage.LEAD, None, "00Q1")


def test_resending_the_same_batch_changes_nothing(marketer):
    items = [
        {"source_system": "sf", "external_id": "1", "email": "a@x.example", "score": "55"},
        {"email": "B@x.example", "first_name": "Bo"},
    ]
    lead_upsert_many(actor=marketer, items=items)
    stamps = dict(Lead.objects.values_list("pk", "updated_at"))

    result = lead_upsert_many(actor=marketer, items=items)

    assert result.as_dict() == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "moved": 0,
        "errors": [],
    }
    assert dict(Lead.objects.values_list("pk", "updated_at")) == stamps


def test_changed_items_are_updated_and_only_the_fields_sent(marketer):
    lead = LeadFactory(source_system="sf", external_id="1", title="CTO", phone="123")

    result = lead_upsert_many(
        actor=marketer, items=[{"source_system": "sf", "external_id": "1", "title": "CEO"}]
    )

    assert (result.updated, result.unchanged) == (1, 0)
    lead.refresh_from_db()
    assert (lead.title, lead.phone) == ("CEO", "123")


def test_matching_by_email_is_case_insensitive(marketer):
    lead = LeadFactory(email="Ana@Example.com")

    result = lead_upsert_many(actor=marketer, items=[{"email": "ana@example.COM", "title": "VP"}])

    assert result.updated == 1
    assert Lead.objects.get().pk == lead.pk


def test_a_lead_entered_by_hand_is_adopted_by_its_crm_id(marketer):
    lead = LeadFactory(email="ana@example.com")

    result = lead_upsert_many(
        actor=marketer,
        items=[{"source_system": "hubspot", "external_id": "77", "email": "ana@example.com"}],
    )

    assert (result.created, result.updated) == (0, 1)
    lead.refresh_from_db()
    assert (lead.source_system, lead.external_id) == ("hubspot", "77")


def test_an_email_owned_by_another_synced_lead_is_an_error_not_a_duplicate(marketer):
    LeadFactory(email="ana@example.com", source_system="hubspot", external_id="1")

    result = lead_upsert_many(
        actor=marketer,
        items=[{"source_system": "hubspot", "external_id": "2", "email": "ana@example.com"}],
    )

    assert result.errors == [
        {"index": 0, "errors": {"email": ["A lead with this email already exists."]}}
    ]
    assert Lead.objects.count() == 1


def test_bad_items_are_reported_by_index_and_good_ones_land(marketer):
    items = [
        {"email": "ok@x.example"},
        {"email": "nope", "score": "lots"},
        {"first_name": "No key"},
        {"email": "ok2@x.example", "account": 999_999},
        {"email": "ok3@x.example", "favourite_colour": "blue"},
        "not an object",
        {"email": "ok4@x.example", "stage": "lead", "owner": 1, "id": 5},
        {"email": "ok5@x.example", "stage": "customer"},
    ]

    result = lead_upsert_many(actor=marketer, items=items)

    assert result.created == 2
    assert result.errors[:-1] == [
        {
            "index": 1,
            "errors": {
                "email": ["Enter a valid email address."],
                "score": ["“lots” value must be an integer."],
            },
        },
        {
            "index": 2,
            "errors": {"email": ["An email or an external id is required to find the lead."]},
        },
        {"index": 3, "errors": {"account": ["No account with this id."]}},
        {"index": 4, "errors": {"favourite_colour": ["Unknown field."]}},
        {"index": 5, "errors": {"non_field_errors": ["Each lead must be an object."]}},
    ]
    # Read-only fields a client echoes back are ignored, and so is the stage the lead
    # is in; a stage the CRM reports that cannot be reached is the item's error.
    lead = Lead.objects.get(email="ok4@x.example")
    assert (lead.stage, lead.owner_id) == (Stage.LEAD, None)
    assert result.errors[-1]["index"] == 7
    assert "cannot be reached from Lead" in result.errors[-1]["errors"]["stage"][0]
    assert not Lead.objects.filter(email="ok5@x.example").exists()


def test_an_item_sent_twice_in_one_batch_lands_once_the_last_one_wins(marketer):
    items = [
        {"source_system": "sf", "external_id": "1", "email": "a@x.example", "title": "old"},
        {"source_system": "sf", "external_id": "1", "email": "a@x.example", "title": "new"},
        {"email": "b@x.example"},
        {"email": "B@x.example", "title": "later"},
    ]

    result = lead_upsert_many(actor=marketer, items=items)

    assert result.created == 2
    assert [error["index"] for error in result.errors] == [0, 2]
    assert "item 1" in result.errors[0]["errors"]["external_id"][0]
    assert Lead.objects.get(external_id="1").title == "new"
    assert Lead.objects.get(email__iexact="b@x.example").title == "later"


def test_two_new_keys_with_one_email_create_one_lead(marketer):
    items = [
        {"source_system": "sf", "external_id": "1", "email": "same@x.example"},
        {"source_system": "sf", "external_id": "2", "email": "same@x.example"},
    ]

    result = lead_upsert_many(actor=marketer, items=items)

    assert result.created == 1
    assert result.errors == [
        {"index": 1, "errors": {"email": ["A lead with this email already exists."]}}
    ]


def test_company_finds_the_account_by_domain_or_name_or_creates_it(marketer):
    acme = AccountFactory(name="Acme", domain="acme.example")

    lead_upsert_many(
        actor=marketer,
        items=[
            {"email": "a@x.example", "company": "ACME.example"},
            {"email": "b@x.example", "company": "Initech"},
            {"email": "c@x.example", "company": "initech"},
        ],
    )

    assert Lead.objects.get(email="a@x.example").account == acme
    initech = Lead.objects.get(email="b@x.example").account
    assert initech.name == "Initech"
    assert Lead.objects.get(email="c@x.example").account == initech
    assert Account.objects.count() == 2


def test_the_batch_is_set_based_not_one_query_per_row(marketer):
    LeadFactory.create_batch(20, source_system="sf", external_id=factory_ids())
    items = [{"source_system": "sf", "external_id": f"x{i}", "title": "VP"} for i in range(20)]
    items += [{"email": f"new{i}@x.example"} for i in range(30)]

    with CaptureQueriesContext(connection) as queries:
        result = lead_upsert_many(actor=marketer, items=items)

    assert (result.created, result.updated) == (30, 20)
    # Savepoint + two lookups + one insert + one update (+ release): not 50 of anything.
    assert len(queries) <= 8


def factory_ids():
    import factory

    return factory.Sequence(lambda n: f"x{n % 20}")


@pytest.mark.parametrize("role", [Role.SELLER, Role.SALES_MANAGER, Role.EXECUTIVE])
def test_only_marketing_and_admins_sync(db, role):
    user = UserFactory(role=role)

    with pytest.raises(PermissionDenied):
        lead_upsert_many(actor=user, items=[{"email": "a@x.example"}])

    assert not Lead.objects.exists()


def test_a_marketing_service_account_and_an_admin_may_sync(admin_user):
    service = UserFactory(role=Role.MARKETER, is_service_account=True)

    assert lead_upsert_many(actor=service, items=[{"email": "a@x.example"}]).created == 1
    assert lead_upsert_many(actor=admin_user, items=[{"email": "b@x.example"}]).created == 1


def test_more_than_the_maximum_batch_is_refused(marketer):
    with pytest.raises(ValidationError) as error:
        lead_upsert_many(actor=marketer, items=[{"email": "a@x.example"}] * (MAX_BATCH + 1))

    assert list(error.value.message_dict) == ["leads"]


def test_a_new_lead_needs_an_email_even_with_an_external_id(marketer):
    result = lead_upsert_many(
        actor=marketer,
        items=[
            {"source_system": "sf", "external_id": "1"},
            {"source_system": "sf", "external_id": "2"},
        ],
    )

    assert result.errors == [
        {"index": 0, "errors": {"email": ["This field is required."]}},
        {"index": 1, "errors": {"email": ["This field is required."]}},
    ]


def test_an_existing_lead_found_by_external_id_needs_no_email(marketer):
    lead = LeadFactory(source_system="sf", external_id="1", segment="SMB")

    result = lead_upsert_many(
        actor=marketer, items=[{"source_system": "sf", "external_id": "1", "segment": "Enterprise"}]
    )

    assert result.updated == 1
    lead.refresh_from_db()
    assert lead.segment == "Enterprise"


def test_the_account_of_an_existing_lead_changes_by_company(marketer):
    lead = LeadFactory(email="a@x.example", account=AccountFactory(name="Old"))

    result = lead_upsert_many(actor=marketer, items=[{"email": "a@x.example", "company": "New Co"}])

    assert result.updated == 1
    lead.refresh_from_db()
    assert lead.account.name == "New Co"
