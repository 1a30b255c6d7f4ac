"""Idempotency-Key on the API's writes: replay, 422 for another request, 409 while running."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from accounts.idempotency import idempotency_keys_purge
from accounts.models import ApiToken, IdempotencyKey
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
LEADS = "/api/v1/leads/"


def _post(client, body, key="key-1", url=LEADS):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_replays_the_first_answer_without_acting_again(
    marketer, api_client_for
):
    client = api_client_for(marketer)
    first = _post(client, {"email": "ana@example.com"})

    second = _post(client, {"email": "ana@example.com"})

    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Lead.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(marketer, api_client_for):
    client = api_client_for(marketer)
    _post(client, {"email": "ana@example.com"})

    other = _post(client, {"email": "bob@example.com"})

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Lead.objects.count() == 1


def test_keys_belong_to_one_caller(marketer, marketing_manager, api_client_for):
    mine, theirs = api_client_for(marketer), api_client_for(marketing_manager)

    assert _post(mine, {"email": "a@example.com"}).status_code == 201
    assert _post(theirs, {"email": "b@example.com"}).status_code == 201
    assert Lead.objects.count() == 2


def test_an_error_is_not_kept_so_a_corrected_retry_can_use_the_key(marketer, api_client_for):
    client = api_client_for(marketer)

    bad = _post(client, {"email": "not an email"})
    good = _post(client, {"email": "ok@example.com"})

    assert bad.status_code == 400
    assert good.status_code == 201
    assert IdempotencyKey.objects.count() == 1


def test_keys_expire_after_a_day(marketer, api_client_for):
    client = api_client_for(marketer)
    _post(client, {"email": "a@example.com"})

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        again = _post(client, {"email": "b@example.com"})
        purged = idempotency_keys_purge()

    assert again.status_code == 201
    assert Lead.objects.count() == 2
    assert purged == 0  # the fresh key stays; the expired one was replaced
    with time_machine.travel(timezone.now() + timedelta(hours=50)):
        assert idempotency_keys_purge() == 1


def test_a_patch_and_a_bulk_upsert_replay_too(marketer, api_client_for):
    client = api_client_for(marketer)
    lead = LeadFactory(first_name="Ana")
    patch = client.patch(
        f"{LEADS}{lead.pk}/", {"first_name": "Ann"}, format="json", HTTP_IDEMPOTENCY_KEY="p"
    )
    again = client.patch(
        f"{LEADS}{lead.pk}/", {"first_name": "Ann"}, format="json", HTTP_IDEMPOTENCY_KEY="p"
    )
    batch = {"leads": [{"email": "x@example.com", "source_system": "crm", "external_id": "1"}]}
    first = _post(client, batch, key="b", url=f"{LEADS}bulk-upsert/")
    replay = _post(client, batch, key="b", url=f"{LEADS}bulk-upsert/")

    assert patch.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["created"] == 1
    assert replay.json() == first.json()  # not "unchanged": the first answer, replayed


def test_a_session_user_has_keys_too(marketer, session_client_for):
    client = session_client_for(marketer)
    answers = [
        client.post(
            LEADS,
            {"email": "s@example.com"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="s",
        )
        for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert Lead.objects.count() == 1


def test_a_malformed_key_is_a_400(marketer, api_client_for):
    answer = _post(api_client_for(marketer), {"email": "a@example.com"}, key="x" * 300)
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="Row locks need PostgreSQL.")
@pytest.mark.django_db(transaction=True)
def test_the_same_key_while_the_first_request_runs_is_a_409(marketer, api_client_for):
    client = api_client_for(marketer)
    token = ApiToken.objects.get(user=marketer)
    started, release = threading.Event(), threading.Event()

    def first_request_still_running():
        # What the first request's transaction holds while its view works: the key's row,
        # inserted and not committed yet.
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    scope=f"token:{token.pk}", key="busy", fingerprint="x", response_status=0
                )
                started.set()
                release.wait(timeout=10)
                transaction.set_rollback(True)
        finally:
            connection.close()

    thread = threading.Thread(target=first_request_still_running)
    thread.start()
    assert started.wait(timeout=10)
    try:
        busy = _post(client, {"email": "a@example.com"}, key="busy")
    finally:
        release.set()
        thread.join(timeout=10)
    after = _post(client, {"email": "a@example.com"}, key="busy")

    assert busy.status_code == 409
    assert busy.json()["code"] == "idempotency_key_in_use"
    assert busy["Retry-After"] == "1"
    assert after.status_code == 201  # the first one died: the key is free again
