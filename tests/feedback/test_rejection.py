"""Every MQL rejection is lead-quality feedback to marketing."""

from django.db import connection

from feedback import services
from feedback.models import FeedbackItem, FeedbackStatusChange, Kind, Status
from leads.models import LeadStageChange, Stage
from leads.services import lead_transition
from tests.factories import LeadFactory


def test_rejecting_an_mql_creates_lead_quality_feedback(seller):
    lead = LeadFactory(handed_over=True, owner=seller)

    change = lead_transition(
        lead=lead, action="reject", actor=seller, reason_code="no_budget", comment="Frozen budget"
    )

    item = FeedbackItem.objects.get()
    assert (item.kind, item.status, item.author, item.lead, item.reason_code, item.text) == (
        Kind.LEAD_QUALITY,
        Status.NEW,
        seller,
        lead,
        "no_budget",
        "Frozen budget",
    )
    assert item.stage_change == change
    assert item.created_at == change.created_at
    assert FeedbackStatusChange.objects.filter(item=item).count() == 1


def test_a_rejection_without_comment_says_the_reason(seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    lead_transition(lead=lead, action="reject", actor=seller, reason_code="not_icp")
    assert FeedbackItem.objects.get().text == "Rejected: Not in the ideal-customer profile"


def test_recording_a_rejection_twice_creates_one_item(seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    change = lead_transition(lead=lead, action="reject", actor=seller, reason_code="no_budget")

    again = services.feedback_record_rejection(change=change)

    assert FeedbackItem.objects.get() == again
    assert FeedbackStatusChange.objects.count() == 1


def test_accepting_creates_no_feedback(seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    lead_transition(lead=lead, action="accept", actor=seller)
    assert FeedbackItem.objects.exists() is False


def test_backfill_covers_bulk_inserted_rejections_once(seller, django_assert_max_num_queries):
    leads = [LeadFactory(handed_over=True, owner=seller, stage=Stage.REJECTED) for _ in range(3)]
    LeadStageChange.objects.bulk_create(
        [
            LeadStageChange(
                lead=lead,
                action="reject",
                from_stage="mql",
                to_stage="rejected",
                actor=seller,
                reason_code="bad_timing",
                comment="" if index else "Call back in Q3",
            )
            for index, lead in enumerate(leads)
        ]
    )

    with django_assert_max_num_queries(2):
        created = services.rejection_feedback_backfill()

    assert created == 3
    assert sorted(FeedbackItem.objects.values_list("text", flat=True)) == [
        "Call back in Q3",
        "Rejected: Bad timing",
        "Rejected: Bad timing",
    ]
    assert FeedbackStatusChange.objects.count() == 3
    assert services.rejection_feedback_backfill() == 0
    assert FeedbackItem.objects.count() == 3
    assert connection.vendor in ("sqlite", "postgresql")


def test_recycling_a_rejected_lead_actions_its_rejection_feedback(
    seller, marketer, django_capture_on_commit_callbacks
):
    lead = LeadFactory(handed_over=True, owner=seller)
    lead_transition(lead=lead, action="reject", actor=seller, reason_code="bad_timing")

    with django_capture_on_commit_callbacks(execute=True):
        lead_transition(
            lead=lead,
            action="recycle",
            actor=marketer,
            reason_code="bad_timing",
            comment="Nurture until Q3.",
        )

    item = FeedbackItem.objects.get()
    assert (item.status, item.answered_by) == (Status.ACTIONED, marketer)
    assert (
        item.answer
        == "Recycled to nurture; marketing will qualify it again later. Nurture until Q3."
    )
    assert list(item.status_changes.values_list("to_status", flat=True)) == ["new", "actioned"]


def test_disqualifying_a_rejected_lead_closes_only_open_feedback(seller, marketer):
    lead = LeadFactory(handed_over=True, owner=seller)
    lead_transition(lead=lead, action="reject", actor=seller, reason_code="not_icp")
    item = FeedbackItem.objects.get()
    services.feedback_transition(item=item, action="decline", actor=marketer, answer="Fits ICP.")

    lead_transition(lead=lead, action="disqualify", actor=marketer)

    item.refresh_from_db()
    assert item.status == Status.DECLINED
    assert item.answer == "Fits ICP."
    assert lead.stage == Stage.DISQUALIFIED
