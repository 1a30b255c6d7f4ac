"""Real races on PostgreSQL: two database connections (threads) act on the same data at once.

SQLite serialises every writer on one file lock, so a race cannot happen there: these
tests are skipped on SQLite and run in CI, which uses PostgreSQL.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.roles import Role
from leads.models import Lead, LeadStageChange, Stage
from leads.services import lead_transition, lead_upsert_many
from smarketing.errors import Conflict
from tests.factories import LeadFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Races need two real concurrent connections; SQLite serialises writers. "
        "Run with DATABASE_URL=postgres://… (CI does).",
    ),
    # Each thread has its own connection, so the data must be committed, not wrapped in
    # the test's transaction; conftest restores the reason codes the flush removes.
    pytest.mark.django_db(transaction=True),
]


def _run_in_threads(*targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)


def test_two_people_deciding_the_same_mql_at_once_exactly_one_wins():
    seller = UserFactory(role=Role.SELLER)
    manager = UserFactory(role=Role.SALES_MANAGER)
    lead = LeadFactory(handed_over=True, owner=seller)
    both_have_read = threading.Barrier(2, timeout=10)
    outcomes = {}

    def decide(who, actor, action, **extra):
        try:
            seen = Lead.objects.get(pk=lead.pk)  # both read the lead as an MQL…
            both_have_read.wait()  # …before either writes
            lead_transition(lead=seen, action=action, actor=actor, **extra)
            outcomes[who] = "moved"
        except Conflict:
            outcomes[who] = "conflict"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[who] = repr(error)
        finally:
            connection.close()

    _run_in_threads(
        lambda: decide("seller", seller, "accept"),
        lambda: decide("manager", manager, "reject", reason_code="not_icp"),
    )

    assert sorted(outcomes.values()) == ["conflict", "moved"], outcomes
    change = LeadStageChange.objects.get(lead=lead)  # exactly one history row
    lead.refresh_from_db()
    assert lead.stage == change.to_stage
    assert lead.stage in (Stage.SAL, Stage.REJECTED)


def test_a_concurrent_insert_of_the_same_key_is_neither_a_duplicate_nor_an_error():
    marketer = UserFactory(role=Role.MARKETER)
    item = {"source_system": "hubspot", "external_id": "42", "email": "race@x.example"}
    first_inserted = threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = lead_upsert_many(actor=marketer, items=[item]).as_dict()
                first_inserted.set()
                _wait_until_someone_waits_for_a_lock()
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(timeout=10)
            # Our lookup cannot see the uncommitted row: the insert waits on the unique
            # index, fails when the first commits, and the retry finds the row.
            outcomes["second"] = lead_upsert_many(actor=marketer, items=[item]).as_dict()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes["second"] = repr(error)
        finally:
            connection.close()

    _run_in_threads(first, second)

    assert outcomes["first"]["created"] == 1
    assert outcomes["second"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "moved": 0,
        "errors": [],
    }
    assert Lead.objects.filter(external_id="42").count() == 1


def test_an_api_decision_racing_a_committed_move_gets_a_409(api_client_for):
    seller = UserFactory(role=Role.SELLER)
    manager = UserFactory(role=Role.SALES_MANAGER)
    lead = LeadFactory(handed_over=True, owner=seller)
    client = api_client_for(manager, scopes=["leads:read", "leads:write"])
    accepted = threading.Event()
    outcomes = {}

    def seller_accepts():
        try:
            with transaction.atomic():
                lead_transition(lead=Lead.objects.get(pk=lead.pk), action="accept", actor=seller)
                accepted.set()
                # Commit only once the API request is blocked on our row: it has read the
                # lead as an MQL and is trying to move it.
                _wait_until_someone_waits_for_a_lock()
        finally:
            connection.close()

    def manager_rejects_through_the_api():
        try:
            accepted.wait(timeout=10)
            response = client.post(
                f"/api/v1/leads/{lead.pk}/transitions/",
                {"action": "reject", "reason_code": "not_icp"},
                format="json",
            )
            outcomes["status"], outcomes["body"] = response.status_code, response.json()
        finally:
            connection.close()

    _run_in_threads(seller_accepts, manager_rejects_through_the_api)

    assert outcomes["status"] == 409, outcomes
    assert outcomes["body"]["code"] == "conflict"
    assert list(LeadStageChange.objects.filter(lead=lead).values_list("action", flat=True)) == [
        "accept"
    ]


def _wait_until_someone_waits_for_a_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_stat_activity is read once per transaction and then cached: clear the
            # snapshot, or a poll inside a transaction never sees the other one start
            # waiting.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            # Only this test database: other suites may share the server.
            cursor.execute(
                "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid) "
                "WHERE NOT granted AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("The second upsert never waited for the first one's insert.")
