from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from accounts.roles import Role
from leads.models import Lead, LeadStageChange, Stage
from leads.services import (
    handover_owner_choose,
    lead_create,
    lead_reassign,
    lead_transition,
    lead_update,
    touch_log,
)
from smarketing.errors import Conflict, NotAllowed
from tests.factories import AssignmentRuleFactory, LeadFactory, TeamFactory, UserFactory


@pytest.fixture
def sales_team(seller):
    AssignmentRuleFactory(team=seller.team)
    return seller.team


def test_qualifying_hands_the_lead_over_to_a_seller_and_records_it(
    marketer, seller, sales_team, django_capture_on_commit_callbacks, mailoutbox
):
    lead = LeadFactory()

    with django_capture_on_commit_callbacks(execute=True):
        change = lead_transition(lead=lead, action="qualify", actor=marketer)

    lead.refresh_from_db()
    assert (lead.stage, lead.owner) == (Stage.MQL, seller)
    assert lead.mql_at == lead.handed_over_at == change.created_at
    assert (change.from_stage, change.to_stage, change.actor) == (Stage.LEAD, Stage.MQL, marketer)
    assert (change.from_owner, change.to_owner) == (None, seller)
    assert Notification.objects.get(recipient=seller).kind == "handover"
    assert mailoutbox[0].to == [seller.email]


def test_the_owner_is_notified_only_after_commit(
    marketer, seller, sales_team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lead_transition(lead=LeadFactory(), action="qualify", actor=marketer)

    assert not Notification.objects.exists()
    for callback in callbacks:  # the notice, and the dashboards' cache generation
        callback()
    assert Notification.objects.get(recipient=seller).kind == "handover"


def test_a_full_journey_keeps_every_first_reached_time(marketer, seller, sales_team):
    lead = LeadFactory()
    lead_transition(lead=lead, action="qualify", actor=marketer)
    lead_transition(lead=lead, action="accept", actor=seller)
    lead_transition(lead=lead, action="qualify", actor=seller, amount="12000")
    lead_transition(lead=lead, action="win", actor=seller, amount="11500.50")

    lead.refresh_from_db()
    assert lead.stage == Stage.CUSTOMER
    assert lead.expected_amount == Decimal("12000.00")
    assert lead.won_amount == Decimal("11500.50")
    assert lead.mql_at < lead.sal_at < lead.sql_at < lead.won_at
    assert lead.decided_at == lead.sal_at
    assert lead.close_date is not None
    assert list(lead.stage_changes.values_list("action", flat=True)) == [
        "qualify",
        "accept",
        "qualify",
        "win",
    ]


def test_recycling_keeps_the_first_mql_time_but_starts_a_new_hand_over(
    marketer, seller, sales_team
):
    lead = LeadFactory()
    lead_transition(lead=lead, action="qualify", actor=marketer)
    first_mql_at = lead.mql_at
    lead_transition(lead=lead, action="reject", actor=seller, reason_code="bad_timing")
    lead_transition(lead=lead, action="recycle", actor=marketer, reason_code="bad_timing")
    assert lead.owner is None

    lead_transition(lead=lead, action="qualify", actor=marketer)

    lead.refresh_from_db()
    assert lead.mql_at == first_mql_at
    assert lead.handed_over_at > first_mql_at


@pytest.mark.parametrize("action", ["reject"])
def test_reject_requires_a_reason_code(seller, action):
    lead = LeadFactory(handed_over=True, owner=seller)

    with pytest.raises(ValidationError) as error:
        lead_transition(lead=lead, action=action, actor=seller)

    assert list(error.value.message_dict) == ["reason_code"]
    lead.refresh_from_db()
    assert lead.stage == Stage.MQL
    assert not lead.stage_changes.exists()


def test_an_unknown_reason_code_is_refused(seller):
    lead = LeadFactory(handed_over=True, owner=seller)

    with pytest.raises(ValidationError) as error:
        lead_transition(lead=lead, action="reject", actor=seller, reason_code="too_cheap")

    assert "not a known reason code" in error.value.message_dict["reason_code"][0]


@pytest.mark.parametrize(
    ("amount", "message"), [(None, "required"), ("-5", "negative"), ("abc", "number")]
)
def test_win_requires_a_sensible_amount(seller, amount, message):
    lead = LeadFactory(handed_over=True, owner=seller, stage=Stage.SQL)

    with pytest.raises(ValidationError) as error:
        lead_transition(lead=lead, action="win", actor=seller, amount=amount)

    assert message in error.value.message_dict["amount"][0]
    assert Lead.objects.get(pk=lead.pk).stage == Stage.SQL


def test_a_move_that_does_not_exist_is_not_allowed(seller):
    lead = LeadFactory(handed_over=True, owner=seller, stage=Stage.SAL)

    with pytest.raises(NotAllowed):
        lead_transition(lead=lead, action="accept", actor=seller)


@pytest.mark.parametrize(
    ("role", "stage", "action", "extra"),
    [
        (Role.SELLER, Stage.LEAD, "qualify", {}),
        (Role.MARKETER, Stage.MQL, "accept", {}),
        (Role.EXECUTIVE, Stage.MQL, "accept", {}),
        (Role.SELLER, Stage.REJECTED, "disqualify", {}),
        (Role.MARKETER, Stage.SQL, "win", {"amount": "10"}),
    ],
)
def test_each_side_makes_only_its_own_moves(seller, role, stage, action, extra):
    lead = LeadFactory(stage=stage, owner=seller if stage != Stage.LEAD else None)
    actor = UserFactory(role=role)

    with pytest.raises(PermissionDenied):
        lead_transition(lead=lead, action=action, actor=actor, **extra)

    assert not LeadStageChange.objects.exists()


def test_another_seller_cannot_decide_on_my_mql(seller, other_seller):
    lead = LeadFactory(handed_over=True, owner=seller)

    with pytest.raises(PermissionDenied):
        lead_transition(lead=lead, action="accept", actor=other_seller)


def test_a_sales_manager_can_decide_for_a_seller_of_the_team(seller, sales_manager):
    lead = LeadFactory(handed_over=True, owner=seller)

    lead_transition(lead=lead, action="accept", actor=sales_manager)

    assert Lead.objects.get(pk=lead.pk).stage == Stage.SAL


def test_second_decision_on_the_same_mql_gets_a_conflict(seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    stale_copy = Lead.objects.get(pk=lead.pk)

    lead_transition(lead=lead, action="accept", actor=seller)
    with pytest.raises(Conflict):
        lead_transition(lead=stale_copy, action="reject", actor=seller, reason_code="no_budget")

    assert LeadStageChange.objects.get().to_stage == Stage.SAL


def test_a_move_from_a_stage_the_user_no_longer_sees_is_a_conflict(seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    lead_transition(lead=lead, action="accept", actor=seller)  # another tab, a moment ago

    # The page still showed an MQL; "qualify" exists from SAL, but the user never saw it.
    with pytest.raises(Conflict, match="it is now SAL"):
        lead_transition(
            lead=lead, action="qualify", actor=seller, expected_stage=Stage.MQL, amount="10"
        )

    assert Lead.objects.get(pk=lead.pk).stage == Stage.SAL
    assert LeadStageChange.objects.filter(lead=lead).count() == 1
    change = lead_transition(
        lead=lead, action="qualify", actor=seller, expected_stage=Stage.SAL, amount="10"
    )
    assert change.to_stage == Stage.SQL


def test_round_robin_takes_turns_and_skips_unavailable_and_inactive_sellers(db):
    team = TeamFactory(name="Sales EMEA", kind="sales")
    AssignmentRuleFactory(team=team, region="EMEA")
    anna, ben, cara, dan = (UserFactory(role=Role.SELLER, team=team) for _ in range(4))
    ben.is_available = False
    ben.save()
    dan.is_active = False
    dan.save()

    turns = [handover_owner_choose(segment="", region="emea") for _ in range(4)]

    assert turns == [anna, cara, anna, cara]


def test_the_most_specific_assignment_rule_wins(db):
    catch_all = TeamFactory(name="Sales", kind="sales")
    enterprise = TeamFactory(name="Enterprise", kind="sales")
    AssignmentRuleFactory(team=catch_all)
    AssignmentRuleFactory(team=enterprise, segment="enterprise")
    generalist = UserFactory(role=Role.SELLER, team=catch_all)
    specialist = UserFactory(role=Role.SELLER, team=enterprise)

    assert handover_owner_choose(segment="Enterprise", region="NA") == specialist
    assert handover_owner_choose(segment="smb", region="NA") == generalist


def test_qualifying_without_any_available_seller_is_a_clear_error(marketer):
    lead = LeadFactory()

    with pytest.raises(ValidationError) as error:
        lead_transition(lead=lead, action="qualify", actor=marketer)

    assert "No available seller" in error.value.message_dict["owner"][0]
    assert Lead.objects.get(pk=lead.pk).stage == Stage.LEAD


def test_explicit_owner_at_hand_over_must_be_a_seller(marketer):
    with pytest.raises(ValidationError):
        lead_transition(lead=LeadFactory(), action="qualify", actor=marketer, owner=marketer)


def test_reassignment_is_recorded_in_history(seller, other_seller, sales_manager):
    lead = LeadFactory(handed_over=True, owner=seller)

    change = lead_reassign(lead=lead, actor=sales_manager, new_owner=other_seller)

    assert Lead.objects.get(pk=lead.pk).owner == other_seller
    assert (change.action, change.from_owner, change.to_owner) == ("reassign", seller, other_seller)
    assert change.from_stage == change.to_stage == Stage.MQL


def test_a_reassignment_of_a_lead_changed_since_it_was_seen_is_a_conflict(
    seller, other_seller, sales_manager
):
    lead = LeadFactory(handed_over=True, owner=seller)
    third = UserFactory(role=Role.SELLER)
    lead_reassign(lead=lead, actor=sales_manager, new_owner=other_seller)  # another manager

    with pytest.raises(Conflict, match="owned by"):
        lead_reassign(lead=lead, actor=sales_manager, new_owner=third, expected_owner_id=seller.pk)
    lead_transition(lead=lead, action="accept", actor=other_seller)
    with pytest.raises(Conflict, match="it is now SAL"):
        lead_reassign(lead=lead, actor=sales_manager, new_owner=third, expected_stage=Stage.MQL)

    assert Lead.objects.get(pk=lead.pk).owner == other_seller
    assert LeadStageChange.objects.filter(lead=lead, action="reassign").count() == 1


def test_a_seller_cannot_reassign(seller, other_seller):
    lead = LeadFactory(handed_over=True, owner=seller)

    with pytest.raises(PermissionDenied):
        lead_reassign(lead=lead, actor=seller, new_owner=other_seller)


def test_the_first_touch_is_the_earliest_attempt(seller):
    from datetime import timedelta

    from django.utils import timezone

    lead = LeadFactory(handed_over=True, owner=seller, stage=Stage.SAL)
    now = timezone.now()
    touch_log(lead=lead, actor=seller, kind="call", occurred_at=now - timedelta(hours=1))
    touch_log(lead=lead, actor=seller, kind="email", occurred_at=now - timedelta(hours=3))
    touch_log(lead=lead, actor=seller, kind="meeting")

    assert Lead.objects.get(pk=lead.pk).first_touch_at == now - timedelta(hours=3)


def test_duplicate_email_is_reported_on_the_email_field(marketer):
    lead_create(actor=marketer, email="Ana@Example.com")

    with pytest.raises(ValidationError) as error:
        lead_create(actor=marketer, email="ana@example.COM")

    assert "already exists" in error.value.message_dict["email"][0]
    assert Lead.objects.count() == 1


def test_score_above_100_is_refused(marketer):
    with pytest.raises(ValidationError) as error:
        lead_create(actor=marketer, email="a@example.com", score=101)

    assert "score" in str(error.value.message_dict)


def test_sellers_cannot_create_or_edit_leads(seller):
    with pytest.raises(PermissionDenied):
        lead_create(actor=seller, email="a@example.com")
    lead = LeadFactory(handed_over=True, owner=seller)
    with pytest.raises(PermissionDenied):
        lead_update(lead=lead, actor=seller, title="CEO")


def test_stage_cannot_be_edited_directly(marketer):
    lead = LeadFactory()

    with pytest.raises(ValidationError) as error:
        lead_update(lead=lead, actor=marketer, stage=Stage.CUSTOMER)

    assert "stage" in error.value.message_dict
