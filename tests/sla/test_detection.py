"""Each breach kind at its edge (one minute before and after), idempotency, notifications."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from accounts.models import Notification
from leads.models import Lead
from leads.services import lead_transition, touch_log
from sla import detection, notifications, tasks
from sla.models import Breach, SLAClock
from tests.factories import LeadFactory

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
MINUTE = timedelta(minutes=1)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def detect(moment: datetime) -> list[int]:
    with at(moment):
        return detection.breaches_detect(now=moment)


def kinds() -> list[str]:
    return sorted(Breach.objects.values_list("kind", flat=True))


@pytest.fixture
def handed_over(active_version, marketer, seller):
    """An MQL handed over to ``seller`` on Monday 09:00 Berlin: decision due 17:00."""
    lead = LeadFactory(score=80, last_name="Doe")
    with at(MONDAY_9):
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    return lead


def move(lead, moment, action, actor, **kwargs):
    with at(moment):
        lead = Lead.objects.get(pk=lead.pk)
        return lead_transition(lead=lead, action=action, actor=actor, **kwargs)


def test_the_hand_over_starts_a_clock_in_business_hours(handed_over, active_version):
    clock = SLAClock.objects.get(lead=handed_over)
    assert clock.version == active_version
    assert clock.decision_due_at == datetime(2026, 11, 23, 17, 0, tzinfo=BERLIN)


def test_decision_one_minute_before_due_is_no_breach(handed_over):
    assert detect(datetime(2026, 11, 23, 16, 59, tzinfo=BERLIN)) == []
    assert kinds() == []


def test_decision_one_minute_after_due_is_a_breach_recorded_once(handed_over, seller):
    after = datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN)
    assert len(detect(after)) == 1
    breach = Breach.objects.get()
    assert (breach.kind, breach.side, breach.lead, breach.owner) == (
        "decision_late",
        "sales",
        handed_over,
        seller,
    )
    detect(after + timedelta(hours=1))  # re-run: nothing new
    assert Breach.objects.count() == 1


def test_a_decision_in_time_is_met(handed_over, seller):
    move(handed_over, datetime(2026, 11, 23, 16, 59, tzinfo=BERLIN), "accept", seller)
    detect(datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN))
    assert kinds() == []
    assert SLAClock.objects.get().decision_state == "met"


def test_a_late_decision_seen_after_the_fact_is_a_breach(handed_over, seller):
    move(handed_over, datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN), "accept", seller)
    detect(datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN))
    assert kinds() == ["decision_late"]


@pytest.fixture
def accepted(handed_over, seller):
    """Accepted Monday 10:00 Berlin: first touch due 14:00."""
    move(handed_over, datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN), "accept", seller)
    detect(datetime(2026, 11, 23, 10, 1, tzinfo=BERLIN))  # sees the decision
    return handed_over


def test_first_touch_due_counts_from_acceptance(accepted):
    assert SLAClock.objects.get().first_touch_due_at == datetime(2026, 11, 23, 14, 0, tzinfo=BERLIN)


def test_first_touch_one_minute_before_due_is_no_breach(accepted):
    detect(datetime(2026, 11, 23, 13, 59, tzinfo=BERLIN))
    assert kinds() == []


def test_first_touch_one_minute_after_due_is_a_breach(accepted):
    detect(datetime(2026, 11, 23, 14, 1, tzinfo=BERLIN))
    assert kinds() == ["first_touch_late"]
    detect(datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN))
    assert kinds() == ["first_touch_late"]


def test_a_touch_in_time_meets_the_first_touch(accepted, seller):
    with at(datetime(2026, 11, 23, 13, 59, tzinfo=BERLIN)):
        touch_log(lead=Lead.objects.get(pk=accepted.pk), actor=seller, kind="call")
    detect(datetime(2026, 11, 23, 14, 1, tzinfo=BERLIN))
    assert kinds() == []
    assert SLAClock.objects.get().first_touch_state == "met"


def _touch(lead, seller, times: int):
    for minute in range(times):
        with at(datetime(2026, 11, 23, 11, minute, tzinfo=BERLIN)):
            touch_log(lead=Lead.objects.get(pk=lead.pk), actor=seller, kind="call")


def test_recycling_with_fewer_attempts_than_agreed_is_a_breach(accepted, seller):
    _touch(accepted, seller, 2)
    move(
        accepted,
        datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN),
        "recycle",
        seller,
        reason_code="no_response",
    )
    detect(datetime(2026, 11, 24, 9, 1, tzinfo=BERLIN))
    assert kinds() == ["recycled_early"]
    assert Breach.objects.get().owner == seller  # the seller who recycled it


def test_recycling_after_enough_attempts_is_met(accepted, seller):
    _touch(accepted, seller, 3)
    move(
        accepted,
        datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN),
        "recycle",
        seller,
        reason_code="no_response",
    )
    detect(datetime(2026, 11, 24, 9, 1, tzinfo=BERLIN))
    assert kinds() == []
    assert SLAClock.objects.get().persistence_state == "met"


def test_a_rejection_without_comment_is_a_breach(handed_over, seller):
    move(
        handed_over,
        datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN),
        "reject",
        seller,
        reason_code="no_budget",
    )
    detect(datetime(2026, 11, 23, 10, 1, tzinfo=BERLIN))
    assert kinds() == ["rejection_without_comment"]


def test_a_rejection_with_comment_is_met(handed_over, seller):
    move(
        handed_over,
        datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN),
        "reject",
        seller,
        reason_code="no_budget",
        comment="Told us they froze spending until Q3.",
    )
    detect(datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN))
    assert kinds() == []


def test_a_new_hand_over_after_a_recycle_starts_a_new_clock(accepted, seller, marketer):
    move(
        accepted,
        datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN),
        "recycle",
        seller,
        reason_code="no_response",
    )
    move(accepted, datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN), "qualify", marketer, owner=seller)
    assert SLAClock.objects.filter(lead=accepted).count() == 2


def test_period_volume_and_acceptance_rate_breaches_at_the_period_edge(handed_over, seller):
    move(
        handed_over,
        datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN),
        "reject",
        seller,
        reason_code="no_budget",
        comment="Wrong country.",
    )
    # November ends at midnight Berlin time: 1 MQL of 10, 0 % accepted of 60 %.
    detect(datetime(2026, 11, 30, 23, 59, tzinfo=BERLIN))
    assert [k for k in kinds() if k in ("mql_volume", "acceptance_rate")] == []
    detect(datetime(2026, 12, 1, 0, 1, tzinfo=BERLIN))
    period_breaches = Breach.objects.filter(side="marketing").order_by("kind")
    assert [(b.kind, b.target, b.actual) for b in period_breaches] == [
        ("acceptance_rate", 60, 0),
        ("mql_volume", 10, 1),
    ]
    detect(datetime(2026, 12, 2, 0, 1, tzinfo=BERLIN))
    assert Breach.objects.filter(side="marketing").count() == 2


def test_notifications_go_out_exactly_once(
    handed_over, seller, sales_manager, django_capture_on_commit_callbacks
):
    after = datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN)
    mail.outbox.clear()
    for _ in range(2):  # the task retried, or run again
        with at(after), django_capture_on_commit_callbacks(execute=True):
            tasks.detect_breaches()
    breach = Breach.objects.get()
    recipients = set(
        Notification.objects.filter(dedupe_key=f"sla-breach:{breach.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {seller.username, sales_manager.username}
    assert len(mail.outbox) == 2
    assert notifications.breach_notify(breach_id=breach.pk) is False  # a redelivered task
    assert len(mail.outbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_record_each_breach_once(handed_over):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    after = datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            detection.breaches_detect(now=after)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()  # the proxy resolves to this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Breach.objects.filter(kind="decision_late").count() == 1
