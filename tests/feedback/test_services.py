"""Giving, answering and discussing feedback: the rules and who may do what."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from feedback import services
from feedback.models import FeedbackItem, FeedbackStatusChange, Status, Tag
from smarketing.errors import Conflict, NotAllowed
from tests.factories import AccountFactory, LeadFactory


def test_a_seller_gives_feedback_it_starts_new_with_a_history_row(seller):
    item = services.feedback_create(
        author=seller,
        kind="content_request",
        text="  We need a security whitepaper.  ",
        rating=2,
        tags=["Security review", "security-review", "Pricing"],
    )

    assert item.status == Status.NEW
    assert item.text == "We need a security whitepaper."
    assert sorted(tag.slug for tag in item.tags.all()) == ["pricing", "security-review"]
    change = FeedbackStatusChange.objects.get(item=item)
    assert (change.action, change.from_status, change.to_status, change.actor) == (
        "create",
        "",
        "new",
        seller,
    )


@pytest.mark.parametrize("persona", ["marketer", "marketing_manager", "executive"])
def test_only_sales_gives_feedback(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.feedback_create(author=user, kind="other", text="Hello")
    assert FeedbackItem.objects.exists() is False


def test_sales_manager_and_admin_give_feedback(sales_manager, admin_user):
    services.feedback_create(author=sales_manager, kind="market_change", text="New regulation")
    services.feedback_create(author=admin_user, kind="other", text="Note")
    assert FeedbackItem.objects.count() == 2


def test_give_feedback_validation_points_at_fields(seller):
    with pytest.raises(ValidationError) as error:
        services.feedback_create(author=seller, kind="competitor", text=" ", rating=3)
    assert sorted(error.value.message_dict) == ["competitor", "rating", "text"]

    with pytest.raises(ValidationError) as error:
        services.feedback_create(author=seller, kind="campaign", text="x", rating=6)
    assert list(error.value.message_dict) == ["rating"]

    with pytest.raises(ValidationError) as error:
        services.feedback_create(author=seller, kind="bogus", text="x")
    assert list(error.value.message_dict) == ["kind"]
    assert FeedbackItem.objects.exists() is False


def test_feedback_is_about_one_thing(seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    with pytest.raises(ValidationError) as error:
        services.feedback_create(
            author=seller, kind="other", text="x", lead=lead, account=AccountFactory()
        )
    assert list(error.value.message_dict) == ["__all__"]


def test_a_seller_cannot_give_feedback_about_a_lead_they_cannot_see(seller, other_seller):
    lead = LeadFactory(handed_over=True, owner=other_seller)
    with pytest.raises(ValidationError) as error:
        services.feedback_create(author=seller, kind="lead_quality", text="x", lead=lead)
    assert error.value.message_dict == {"lead": ["Choose one of your leads."]}


def test_too_many_tags_is_refused(seller):
    with pytest.raises(ValidationError) as error:
        services.feedback_create(
            author=seller, kind="other", text="x", tags=[f"t{n}" for n in range(11)]
        )
    assert list(error.value.message_dict) == ["tags"]
    assert Tag.objects.exists() is False


def test_marketing_acknowledges_then_actions_and_the_author_hears_back(
    item, marketer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_transition(item=item, action="acknowledge", actor=marketer)
    assert item.status == Status.ACKNOWLEDGED
    first_response = item.answered_at
    assert item.answered_by == marketer

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_transition(
            item=item, action="action", actor=marketer, answer="New pricing page next week."
        )

    assert item.status == Status.ACTIONED
    assert item.answer == "New pricing page next week."
    assert item.answered_at == first_response  # the first response is what is timed
    assert list(
        FeedbackStatusChange.objects.filter(item=item).values_list("from_status", "to_status")
    ) == [("", "new"), ("new", "acknowledged"), ("acknowledged", "actioned")]
    assert Notification.objects.filter(recipient=item.author, kind="feedback_answer").count() == 2
    assert [message.to for message in mail.outbox] == [[item.author.email]] * 2


def test_declining_needs_an_answer(item, marketer):
    with pytest.raises(ValidationError) as error:
        services.feedback_transition(item=item, action="decline", actor=marketer, answer="  ")
    assert list(error.value.message_dict) == ["answer"]
    item.refresh_from_db()
    assert item.status == Status.NEW
    assert item.status_changes.count() == 1


@pytest.mark.parametrize("persona", ["seller", "sales_manager", "executive"])
def test_only_marketing_answers(request, item, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.feedback_transition(item=item, action="decline", actor=user, answer="No")
    item.refresh_from_db()
    assert item.status == Status.NEW


def test_admin_answers(item, admin_user):
    services.feedback_transition(
        item=item, action="decline", actor=admin_user, answer="Out of scope"
    )
    assert item.status == Status.DECLINED


def test_a_closed_item_cannot_move_again(item, marketer):
    services.feedback_transition(item=item, action="decline", actor=marketer, answer="No")
    with pytest.raises(NotAllowed):
        services.feedback_transition(item=item, action="action", actor=marketer, answer="Yes")


def test_two_marketers_answering_at_once_one_gets_a_conflict(item, marketer, marketing_manager):
    stale_copy = FeedbackItem.objects.get(pk=item.pk)
    services.feedback_transition(item=item, action="action", actor=marketer, answer="Done")

    with pytest.raises(Conflict):
        services.feedback_transition(
            item=stale_copy, action="decline", actor=marketing_manager, answer="No"
        )

    item.refresh_from_db()
    assert (item.status, item.answer, item.answered_by) == ("actioned", "Done", marketer)
    assert item.status_changes.count() == 2


def test_answer_by_target_status(item, marketer):
    services.feedback_answer(item=item, actor=marketer, status="declined", answer="Not now")
    assert item.status == Status.DECLINED
    with pytest.raises(ValidationError):
        services.feedback_answer(item=item, actor=marketer, status="new")


def test_the_author_and_marketing_comment_others_do_not(
    item, marketer, other_seller, executive, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_comment_add(item=item, author=item.author, text="More context: EU.")
        services.feedback_comment_add(item=item, author=marketer, text="Which price point?")
    for outsider in (other_seller, executive):
        with pytest.raises(PermissionDenied):
            services.feedback_comment_add(item=item, author=outsider, text="Me too")
    assert list(item.comments.values_list("text", flat=True)) == [
        "More context: EU.",
        "Which price point?",
    ]
    # The author hears about marketing's comment, not about their own.
    assert Notification.objects.filter(recipient=item.author, kind="feedback_comment").count() == 1


def test_empty_comment_is_refused(item):
    with pytest.raises(ValidationError) as error:
        services.feedback_comment_add(item=item, author=item.author, text=" ")
    assert list(error.value.message_dict) == ["text"]
