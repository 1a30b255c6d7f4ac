"""The weekly smarketing brief: its content on a hand-built week, and exactly-once e-mail."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from celery import current_app as celery_app
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from campaigns.models import Campaign
from feedback import services as feedback_services
from leads.services import lead_transition
from meetings import services, tasks
from meetings.models import WeeklyBrief
from tests.factories import LeadFactory, UserFactory

WEEK = date(2026, 11, 9)  # a Monday


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def hand_built_week(seller, marketer, marketing_manager, give):
    """Two weeks of a small funnel, three rejections, feedback and two campaigns."""
    previous = WEEK - timedelta(days=7)
    # This week: 3 MQLs, 2 SALs, 1 SQL, 1 customer. The week before: 1 MQL, 1 SAL.
    for day in (WEEK, WEEK + timedelta(days=2), WEEK + timedelta(days=6)):
        LeadFactory(mql_at=at(day))
    LeadFactory(mql_at=at(previous), sal_at=at(previous + timedelta(days=1)))
    LeadFactory(sal_at=at(WEEK), sql_at=at(WEEK + timedelta(days=3)))
    LeadFactory(sal_at=at(WEEK + timedelta(days=1)), won_at=at(WEEK + timedelta(days=4)))
    LeadFactory(mql_at=at(WEEK + timedelta(days=7)))  # the next Monday: not counted

    with time_machine.travel(at(WEEK + timedelta(days=1)), tick=False):
        for reason in ("no_budget", "no_budget", "not_icp"):
            lead = LeadFactory(handed_over=True, owner=seller)
            lead_transition(lead=lead, action="reject", actor=seller, reason_code=reason)
        give(seller, kind="objection", text="Too expensive", tags=["Pricing"])
        give(seller, kind="objection", text="Price again", tags=["pricing", "contract"])
        answered = give(seller, kind="competitor", text="Uses Acme", competitor="Acme")
        feedback_services.feedback_transition(item=answered, action="acknowledge", actor=marketer)
    with time_machine.travel(at(previous), tick=False):
        give(seller, kind="objection", text="Old objection", tags=["legacy"])
    Campaign.objects.create(
        name="Autumn webinar",
        start_date=WEEK + timedelta(days=3),
        end_date=WEEK + timedelta(days=3),
        marketing_owner=marketing_manager,
    )
    Campaign.objects.create(
        name="Year-end push",
        start_date=WEEK + timedelta(days=8),
        end_date=WEEK + timedelta(days=30),
        marketing_owner=marketing_manager,
    )


def test_the_brief_of_a_hand_built_week(hand_built_week):
    brief = services.weekly_brief_build(week_start=WEEK)
    content = brief.content

    assert (content["week_start"], content["week_end"]) == ("2026-11-09", "2026-11-15")
    # 3 MQLs built directly plus the 3 handed over (then rejected) on Tuesday.
    assert content["funnel"] == [
        {"stage": "MQL", "this_week": 6, "previous_week": 1, "change": 5},
        {"stage": "SAL", "this_week": 2, "previous_week": 1, "change": 1},
        {"stage": "SQL", "this_week": 1, "previous_week": 0, "change": 1},
        {"stage": "Customer", "this_week": 1, "previous_week": 0, "change": 1},
    ]
    assert content["breaches"] == [
        {"side": "marketing", "this_week": 0, "previous_week": 0},
        {"side": "sales", "this_week": 0, "previous_week": 0},
    ]
    feedback = content["feedback"]
    # 3 rejections + 3 given this week; 5 of them and last week's objection still new.
    assert (feedback["received"], feedback["unanswered"], feedback["open"]) == (6, 6, 7)
    assert feedback["objections"] == 2
    assert content["rejection_reasons"] == [
        {"code": "no_budget", "label": "No budget", "count": 2},
        {"code": "not_icp", "label": "Not in the ideal-customer profile", "count": 1},
    ]
    assert [(row["name"], row["count"]) for row in content["objections"]] == [
        ("Pricing", 2),
        ("contract", 1),
    ]
    assert content["competitors"] == [{"key": "acme", "name": "Acme", "count": 1}]
    assert [row["name"] for row in content["campaigns_this_week"]] == ["Autumn webinar"]
    assert [row["name"] for row in content["campaigns_next_week"]] == ["Year-end push"]
    assert "MQL: 6 / 1 / +5" in brief.rendered
    assert "No budget: 2" in brief.rendered


def test_building_again_updates_the_same_week(hand_built_week, marketing_manager):
    services.weekly_brief_build(week_start=WEEK)
    services.weekly_brief_build(week_start=WEEK, actor=marketing_manager)
    assert WeeklyBrief.objects.get().built_by == marketing_manager


def test_a_brief_week_starts_on_a_monday(db):
    with pytest.raises(Exception, match="Monday"):
        services.weekly_brief_build(week_start=WEEK + timedelta(days=1))


def test_sellers_and_marketers_do_not_build_briefs(seller, marketer):
    from django.core.exceptions import PermissionDenied

    for user in (seller, marketer):
        with pytest.raises(PermissionDenied):
            services.weekly_brief_build(week_start=WEEK, actor=user)


def test_the_task_twice_sends_one_mail_per_recipient(
    seller, other_seller, marketer, sales_manager, executive
):
    UserFactory(username="gone", role=Role.SELLER, is_active=False)
    monday_after = at(WEEK + timedelta(days=7), 7)

    with time_machine.travel(monday_after, tick=False):
        first = tasks.send_weekly_brief.delay().get()
        second = tasks.send_weekly_brief.delay().get()

    assert (first, second) == (4, 0)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(
        user.email for user in (seller, other_seller, marketer, sales_manager)
    )
    brief = WeeklyBrief.objects.get()
    assert brief.week_start == WEEK
    assert brief.sent_at == monday_after
    assert brief.recipient_count == 4
    assert mail.outbox[0].subject == "[Smarketing] Weekly smarketing brief, 09 Nov – 15 Nov 2026"


def test_a_person_who_joins_later_gets_the_brief_on_retry(seller):
    brief = services.weekly_brief_build(week_start=WEEK)
    assert services.weekly_brief_send(brief_id=brief.pk) == 1
    UserFactory(username="newcomer", role=Role.MARKETER)
    assert services.weekly_brief_send(brief_id=brief.pk) == 1
    assert services.weekly_brief_send(brief_id=brief.pk) == 0
    assert len(mail.outbox) == 2


def test_the_command_builds_and_sends_the_week_asked_for(seller):
    call_command("weekly_brief", "--week", "2026-11-11")
    call_command("weekly_brief", "--week", "2026-11-12")
    assert WeeklyBrief.objects.get().week_start == WEEK
    assert len(mail.outbox) == 1


def test_the_command_can_build_without_sending(seller):
    call_command("weekly_brief", "--week", "2026-11-11", "--no-send")
    assert WeeklyBrief.objects.get().sent_at is None
    assert mail.outbox == []


def test_a_message_queued_under_the_old_task_name_still_sends(seller):
    """Before the move the task was feedback.tasks.send_weekly_brief (in-flight messages)."""
    old_name = celery_app.tasks["feedback.tasks.send_weekly_brief"]
    with time_machine.travel(at(WEEK + timedelta(days=7), 7), tick=False):
        assert old_name.delay().get() == 1
    assert WeeklyBrief.objects.get().week_start == WEEK
