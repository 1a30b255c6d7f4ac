"""The outbox: events commit with their change, handlers run once, positions follow commits."""

import pytest
from django.db import transaction

from accounts.models import Notification
from events import catalog, dispatch, relay
from events.models import Event, EventSequence, HandlerRun
from events.services import event_record
from leads.models import Lead, Stage
from leads.services import lead_transition
from tests.factories import LeadFactory

NOTIFY_OWNER = "leads.handlers.notify_new_owner"


@pytest.fixture
def handed_over(marketer, seller, django_capture_on_commit_callbacks):
    """A lead just qualified to MQL and handed to ``seller``, with its events committed."""
    lead = LeadFactory(stage=Stage.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    return lead


def test_an_event_outside_a_transaction_is_refused(transactional_db, marketer):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        event_record(catalog.LEAD_CREATED, object_id=1, actor=marketer)


def test_an_unknown_event_type_is_refused(db, marketer):
    with pytest.raises(LookupError, match="not a domain event"), transaction.atomic():
        event_record("lead.teleported", object_id=1, actor=marketer)


def test_a_move_records_its_events_in_its_transaction(handed_over, marketer, seller):
    events = list(Event.objects.filter(object_id=handed_over.pk).order_by("id"))

    assert [event.type for event in events] == [
        catalog.LEAD_STAGE_CHANGED,
        catalog.LEAD_HANDED_OVER,
    ]
    changed = events[0]
    assert (changed.object_kind, changed.actor) == ("lead", marketer)
    assert changed.data["from_stage"] == Stage.LEAD
    assert changed.data["to_stage"] == Stage.MQL
    assert changed.data["owner_id"] == seller.pk
    assert events[1].data["stage_change_id"] == changed.data["stage_change_id"]


def test_a_refused_move_leaves_no_event(db, seller):
    lead = LeadFactory(handed_over=True, owner=seller)

    with pytest.raises(Exception, match="reason code"):
        lead_transition(lead=lead, action="reject", actor=seller)

    assert not Event.objects.exists()


def test_a_change_rolled_back_after_recording_leaves_no_event(db, seller):
    lead = LeadFactory(handed_over=True, owner=seller)

    def accept_then_fail():
        with transaction.atomic():
            lead_transition(lead=lead, action="accept", actor=seller)
            raise ZeroDivisionError  # something later in the same transaction fails

    with pytest.raises(ZeroDivisionError):
        accept_then_fail()

    assert not Event.objects.exists()
    assert Lead.objects.get(pk=lead.pk).stage == Stage.MQL


def test_after_commit_the_events_are_numbered_dispatched_and_handled(handed_over, seller):
    events = list(Event.objects.order_by("position"))

    assert [event.position for event in events] == [1, 2]
    assert all(event.dispatched_at and event.handled_at for event in events)
    run = HandlerRun.objects.get(handler=NOTIFY_OWNER)
    assert (run.event.type, run.attempts) == (catalog.LEAD_HANDED_OVER, 1)
    assert Notification.objects.filter(recipient=seller, kind="handover").count() == 1


def test_a_redelivered_handler_run_does_nothing(handed_over, seller, mailoutbox):
    event = Event.objects.get(type=catalog.LEAD_HANDED_OVER)

    handled = dispatch.handlers_run(subscriber_name=NOTIFY_OWNER, event_ids=[event.pk])

    assert handled == 0
    assert Notification.objects.filter(recipient=seller).count() == 1
    assert len(mailoutbox) == 1


def test_a_failing_handler_keeps_its_error_and_is_retried_alone(
    handed_over, seller, monkeypatch, mailoutbox
):
    event = Event.objects.get(type=catalog.LEAD_HANDED_OVER)
    HandlerRun.objects.all().delete()
    Notification.objects.all().delete()
    mailoutbox.clear()

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("leads.notifications.notify_handover", broken)
    with pytest.raises(dispatch.HandlersFailed) as failure:
        dispatch.handlers_run(subscriber_name=NOTIFY_OWNER, event_ids=[event.pk])

    assert failure.value.event_ids == [event.pk]
    run = HandlerRun.objects.get(event=event, handler=NOTIFY_OWNER)
    assert run.done_at is None
    assert "mail server down" in run.last_error
    monkeypatch.undo()
    assert dispatch.handlers_run(subscriber_name=NOTIFY_OWNER, event_ids=[event.pk]) == 1
    assert Notification.objects.filter(recipient=seller).count() == 1
    assert HandlerRun.objects.get(pk=run.pk).attempts == 2


def test_the_sweep_relays_what_the_relay_missed(db, marketer, seller, mailoutbox, settings):
    """A write whose relay never ran (process killed after commit) is relayed by the sweep."""
    settings.EVENTS_RELAY_GRACE_SECONDS = 0
    lead = LeadFactory(stage=Stage.LEAD)
    lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)  # no commit hook
    assert Event.objects.filter(position__isnull=True).count() == 2

    result = relay.events_sweep()

    assert result["numbered"] == 2
    assert result["relayed"] == 2
    assert Notification.objects.filter(recipient=seller, kind="handover").count() == 1
    assert relay.events_sweep()["relayed"] == 0  # nothing left: nothing sent twice
    assert len(mailoutbox) == 1


def test_positions_continue_after_the_sequence_row_was_lost(db, marketer):
    EventSequence.objects.all().delete()  # a flushed database
    with transaction.atomic():
        event_record(catalog.LEAD_CREATED, object_id=7, actor=marketer)

    assert relay.events_number() == 1
    assert Event.objects.get().position == 1
    assert EventSequence.objects.get().last_position == 1


def test_purging_keeps_unhandled_events_and_remembers_how_far_it_went(db, marketer, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.EVENTS_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=40)
    with transaction.atomic():
        first = event_record(catalog.LEAD_CREATED, object_id=1, actor=marketer, occurred_at=old)
        stuck = event_record(catalog.LEAD_CREATED, object_id=2, actor=marketer, occurred_at=old)
        later = event_record(catalog.LEAD_CREATED, object_id=3, actor=marketer, occurred_at=old)
    relay.events_number()
    Event.objects.filter(pk__in=[first.pk, later.pk]).update(handled_at=timezone.now())

    assert relay.events_purge() == 1  # only the prefix before the unhandled one

    assert list(Event.objects.order_by("position").values_list("pk", flat=True)) == [
        stuck.pk,
        later.pk,
    ]
    assert EventSequence.objects.get().purged_through == 1


def test_subscribers_are_declared_for_catalogue_events_only():
    from events.registry import after_commit

    with pytest.raises(LookupError):
        after_commit("lead.vanished")(lambda event: None)


def test_an_event_without_an_actor_is_the_systems(db):
    with transaction.atomic():
        event = event_record(catalog.BREACH_CREATED, object_id=5, data={"kind": "decision_late"})

    assert Event.objects.get(pk=event.pk).actor is None


def test_an_untracked_subscriber_runs_without_bookkeeping(handed_over):
    """The dashboard cache bump repeats harmlessly, so its runs are not recorded."""
    assert not HandlerRun.objects.filter(handler="kpis.handlers.invalidate_dashboards").exists()
    assert not Event.objects.filter(handled_at__isnull=True).exists()
