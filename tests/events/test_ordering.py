"""Commit order on PostgreSQL: a reader paging on position never skips or repeats an event.

Ids come from a sequence at INSERT, so a transaction that inserts first but commits last
holds a lower id than events a reader has already passed. Positions are given after
commit by one serialised step (events.relay.events_number), so that cannot happen to them.
These tests use real concurrent connections (threads), so they run on PostgreSQL only.
"""

import threading

import pytest
from django.db import connection, transaction

from events import catalog, relay
from events.models import Event
from events.services import event_record

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrent writers need PostgreSQL; SQLite serialises them.",
    ),
    pytest.mark.django_db(transaction=True),
]


def _in_thread(target):
    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_an_event_committed_late_gets_a_later_position_than_one_already_read():
    inserted = threading.Event()
    release = threading.Event()
    ids = {}

    def slow_writer():
        with transaction.atomic():
            ids["slow"] = event_record(catalog.LEAD_CREATED, object_id=1).pk
            inserted.set()
            release.wait(timeout=10)  # holds its transaction open

    slow = _in_thread(slow_writer)
    assert inserted.wait(timeout=10)
    with transaction.atomic():
        ids["fast"] = event_record(catalog.LEAD_CREATED, object_id=2).pk
    relay.events_number()
    first_page = list(Event.objects.filter(position__gt=0).values_list("pk", "position"))
    release.set()
    slow.join(timeout=10)
    relay.events_number()

    assert ids["slow"] < ids["fast"]  # the id order is not the commit order…
    assert first_page == [(ids["fast"], 1)]  # …so a reader saw only the committed one,
    slow_event = Event.objects.get(pk=ids["slow"])
    assert slow_event.position == 2  # …and the late one comes after it, not before.


def test_a_reader_paging_during_concurrent_writes_sees_every_event_once_in_order():
    writers, per_writer = 4, 60
    done = threading.Event()
    seen: list[tuple[int, int]] = []

    def writer(number):
        def write():
            for index in range(per_writer):
                with transaction.atomic():
                    event_record(catalog.LEAD_CREATED, object_id=number * 1000 + index)
                relay.events_number()

        return write

    def reader():
        cursor = 0
        while True:
            finished = done.is_set()
            relay.events_number()
            page = list(
                Event.objects.filter(position__gt=cursor)
                .order_by("position")
                .values_list("pk", "position")[:25]
            )
            seen.extend(page)
            if page:
                cursor = page[-1][1]
            elif finished:
                return

    read = _in_thread(reader)
    threads = [_in_thread(writer(number)) for number in range(writers)]
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    read.join(timeout=60)

    positions = [position for _pk, position in seen]
    assert positions == list(range(1, writers * per_writer + 1))  # no gap, no repeat
    every_event = sorted(Event.objects.values_list("pk", flat=True))
    assert sorted(pk for pk, _position in seen) == every_event
