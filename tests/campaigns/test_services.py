"""Campaign services: validation, status moves, budgets, review log and touches."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, CampaignStatusChange, CampaignTouch, SpendEntry
from smarketing.errors import Conflict, NotAllowed
from tests.campaigns.factories import CampaignFactory
from tests.factories import LeadFactory

WHEN = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def plan(**overrides):
    fields = {
        "name": "Q1 webinar",
        "type": "webinar",
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 1, 31),
        "budget": 1000,
    }
    return {**fields, **overrides}


def test_marketing_plans_a_campaign(marketer):
    campaign = services.campaign_create(actor=marketer, **plan())

    assert campaign.status == Campaign.Status.PLANNED
    assert campaign.marketing_owner == marketer


def test_an_end_before_the_start_is_a_field_error(marketer):
    with pytest.raises(ValidationError) as error:
        services.campaign_create(actor=marketer, **plan(end_date=date(2025, 12, 1)))

    assert list(error.value.message_dict) == ["end_date"]
    assert not Campaign.objects.exists()


def test_a_negative_budget_is_a_field_error(marketer):
    with pytest.raises(ValidationError) as error:
        services.campaign_create(actor=marketer, **plan(budget=-5))

    assert "budget" in error.value.message_dict


def test_the_database_refuses_an_end_before_the_start_too(marketer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            marketing_owner=marketer, start_date=date(2026, 2, 1), end_date=date(2026, 1, 1)
        )


def test_the_sales_coowner_must_be_in_sales(marketer, marketing_manager):
    with pytest.raises(ValidationError) as error:
        services.campaign_create(actor=marketer, sales_coowner=marketing_manager, **plan())

    assert list(error.value.message_dict) == ["sales_coowner"]


def test_sellers_and_executives_cannot_plan_or_edit(seller, executive, marketer):
    for person in (seller, executive):
        with pytest.raises(PermissionDenied):
            services.campaign_create(actor=person, **plan())
    campaign = CampaignFactory(marketing_owner=marketer)
    with pytest.raises(PermissionDenied):
        services.campaign_update(campaign=campaign, actor=seller, budget=99)
    campaign.refresh_from_db()
    assert campaign.budget == 0


def test_only_marketing_records_spend(campaign, seller, marketer):
    with pytest.raises(PermissionDenied):
        services.spend_add(campaign=campaign, actor=seller, spent_on=date(2026, 1, 2), amount=10)
    with pytest.raises(ValidationError):
        services.spend_add(campaign=campaign, actor=marketer, spent_on=date(2026, 1, 2), amount=-1)
    services.spend_add(campaign=campaign, actor=marketer, spent_on=date(2026, 1, 2), amount=10)

    assert SpendEntry.objects.count() == 1


def test_status_moves_follow_the_table_and_leave_a_row(campaign, marketer):
    services.campaign_move(campaign=campaign, actor=marketer, action="start")
    with pytest.raises(NotAllowed):
        services.campaign_move(campaign=campaign, actor=marketer, action="start")
    services.campaign_move(campaign=campaign, actor=marketer, action="complete")

    assert list(CampaignStatusChange.objects.values_list("from_status", "to_status")) == [
        (Campaign.Status.PLANNED, Campaign.Status.ACTIVE),
        (Campaign.Status.ACTIVE, Campaign.Status.COMPLETED),
    ]
    with pytest.raises(NotAllowed):
        services.campaign_move(campaign=campaign, actor=marketer, action="cancel")


def test_a_second_move_from_a_stale_copy_gets_a_conflict(campaign, marketer):
    stale = Campaign.objects.get(pk=campaign.pk)
    services.campaign_move(campaign=campaign, actor=marketer, action="start")

    with pytest.raises(Conflict):
        services.campaign_move(campaign=stale, actor=marketer, action="cancel")

    assert CampaignStatusChange.objects.count() == 1


def test_sellers_write_in_the_review_log_executives_do_not(campaign, seller, executive):
    services.review_add(campaign=campaign, actor=seller, held_on=date(2026, 2, 1), text="Good")
    with pytest.raises(PermissionDenied):
        services.review_add(campaign=campaign, actor=executive, held_on=date(2026, 2, 1), text="x")
    with pytest.raises(ValidationError):
        services.review_add(campaign=campaign, actor=seller, held_on=date(2026, 2, 1), text=" ")


def test_a_campaign_with_touches_is_cancelled_not_deleted(campaign, marketer):
    services.campaign_touch_record(
        campaign=campaign, lead=LeadFactory(), kind=CampaignTouch.Kind.VISITED, occurred_at=WHEN
    )

    with pytest.raises(NotAllowed):
        services.campaign_delete(campaign=campaign, actor=marketer)


def test_recording_the_same_touch_twice_keeps_one(campaign, marketer):
    lead = LeadFactory()

    first, created = services.campaign_touch_record(
        campaign=campaign,
        lead=lead,
        kind=CampaignTouch.Kind.ATTENDED,
        occurred_at=WHEN,
        actor=marketer,
    )
    again, created_again = services.campaign_touch_record(
        campaign=campaign,
        lead=lead,
        kind=CampaignTouch.Kind.ATTENDED,
        occurred_at=WHEN,
        actor=marketer,
    )

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert CampaignTouch.objects.count() == 1


def test_a_touch_in_the_future_or_of_an_unknown_kind_is_refused(campaign, marketer):
    lead = LeadFactory()
    with pytest.raises(ValidationError) as error:
        services.campaign_touch_record(
            campaign=campaign,
            lead=lead,
            kind="teleported",
            occurred_at=timezone.now() + timedelta(days=1),
            actor=marketer,
        )

    assert set(error.value.message_dict) == {"kind", "occurred_at"}


def test_a_lead_created_from_a_campaign_gets_it_as_first_touch(campaign, marketer):
    lead = services.campaign_lead_create(
        campaign=campaign,
        actor=marketer,
        email="new@example.com",
        kind=CampaignTouch.Kind.REGISTERED,
    )

    touch = CampaignTouch.objects.get(lead=lead)
    assert (touch.campaign, touch.kind, touch.occurred_at) == (
        campaign,
        CampaignTouch.Kind.REGISTERED,
        lead.created_at,
    )


def test_bulk_touches_are_idempotent(campaign, marketer):
    one, two = LeadFactory(email="one@example.com"), LeadFactory()
    items = [
        {"email": "ONE@example.com", "kind": "registered", "occurred_at": WHEN},
        {"lead": two.pk, "kind": "attended", "occurred_at": WHEN},
        {"lead": two.pk, "kind": "attended", "occurred_at": WHEN},  # a duplicate in the batch
    ]

    first = services.campaign_touches_record_many(campaign=campaign, actor=marketer, items=items)
    second = services.campaign_touches_record_many(campaign=campaign, actor=marketer, items=items)

    assert first == {"received": 3, "created": 2, "already_recorded": 1}
    assert second == {"received": 3, "created": 0, "already_recorded": 3}
    assert set(CampaignTouch.objects.values_list("lead_id", flat=True)) == {one.pk, two.pk}


def test_bulk_touches_report_errors_by_index_and_save_nothing(campaign, marketer):
    lead = LeadFactory()
    items = [
        {"lead": lead.pk, "kind": "attended", "occurred_at": WHEN},
        {"email": "nobody@example.com", "kind": "attended", "occurred_at": WHEN},
        {"lead": lead.pk, "kind": "flew", "occurred_at": "yesterday"},
    ]

    with pytest.raises(services.TouchItemsInvalid) as error:
        services.campaign_touches_record_many(campaign=campaign, actor=marketer, items=items)

    assert sorted(error.value.item_errors) == [1, 2]
    assert list(error.value.item_errors[1]) == ["email"]
    assert set(error.value.item_errors[2]) == {"kind", "occurred_at"}
    assert not CampaignTouch.objects.exists()
