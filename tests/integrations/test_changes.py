"""The changes feed: GET /api/v1/changes/ — shape, order, paging, scopes, visibility, 410."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from events import catalog, relay
from events.catalog import EVENT_TYPES
from events.models import Event
from events.services import event_record
from integrations import selectors, visibility
from leads.models import Stage
from leads.services import lead_create, lead_transition
from tests.factories import LeadFactory, TeamFactory, UserFactory

URL = "/api/v1/changes/"


def _all(client, **params):
    """Every result, following ``next`` until a page comes back empty."""
    results, cursor = [], None
    for _page in range(1000):
        query = dict(params)
        if cursor:
            query["after"] = cursor
        answer = client.get(URL, query)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        results += body["results"]
        if not body["results"]:
            return results, body["next"]
        cursor = body["next"]
    raise AssertionError("the feed never ended")


@pytest.mark.django_db
def test_every_catalogue_object_kind_has_a_visibility_rule():
    assert visibility.kinds_without_rule() == set()


@pytest.mark.django_db
def test_the_feed_answers_in_the_issues_shape_in_commit_order(
    marketer, seller, api_client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_create(actor=marketer, email="ana@example.com", first_name="Ana")
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    client = api_client_for(marketer, scopes=["leads:read"])

    body = client.get(URL).json()

    assert set(body) == {"results", "next"}
    assert [item["type"] for item in body["results"]] == [
        "lead.created",
        "lead.stage_changed",
        "lead.handed_over",
    ]
    first = body["results"][0]
    assert set(first) == {"cursor", "id", "type", "occurred_at", "object", "data"}
    assert first["object"] == {"kind": "lead", "id": lead.pk}
    assert first["data"]["email"] == "ana@example.com"
    assert first["id"] == str(Event.objects.get(type="lead.created").pk)
    assert body["next"] == body["results"][-1]["cursor"]
    assert not body["next"].isdigit()  # opaque
    later = client.get(URL, {"after": body["next"]}).json()
    assert later == {"results": [], "next": body["next"]}


@pytest.mark.django_db
def test_paging_with_a_limit_and_filtering_by_type(marketer, seller, api_client_for):
    with transaction.atomic():
        for number in range(7):
            lead_create(actor=marketer, email=f"p{number}@example.com")
    lead = LeadFactory(stage=Stage.LEAD)
    with transaction.atomic():
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    client = api_client_for(marketer, scopes=["leads:read"])

    everything, _next = _all(client, limit=3)
    handovers, _next = _all(client, types="lead.handed_over,lead.reassigned")

    assert len(everything) == 9
    positions = [selectors.cursor_decode(item["cursor"]) for item in everything]
    assert positions == sorted(positions)
    assert len(set(positions)) == 9
    assert [item["type"] for item in handovers] == ["lead.handed_over"]


@pytest.mark.django_db
def test_scopes_limit_the_areas_and_bad_input_is_a_clear_4xx(marketer, api_client_for):
    with transaction.atomic():
        lead_create(actor=marketer, email="s@example.com")
        event_record(catalog.FEEDBACK_CREATED, object_id=1, data={"kind": "objection"})
    leads_only = api_client_for(marketer, scopes=["leads:read"])
    feedback_only = api_client_for(marketer, scopes=["feedback:read"])

    assert [item["type"] for item in leads_only.get(URL).json()["results"]] == ["lead.created"]
    assert [item["type"] for item in feedback_only.get(URL).json()["results"]] == [
        "feedback.created"
    ]
    refused = leads_only.get(URL, {"types": "feedback.created"})
    assert refused.status_code == 403
    assert "feedback:read" in refused.json()["detail"]
    assert leads_only.get(URL, {"types": "lead.exploded"}).status_code == 400
    assert leads_only.get(URL, {"after": "not-a-cursor"}).status_code == 400
    assert leads_only.get(URL, {"limit": 0}).status_code == 400
    no_read = api_client_for(marketer, scopes=["leads:write", "webhooks:read"])
    assert no_read.get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401


@pytest.mark.django_db
def test_a_token_sees_only_events_about_objects_its_user_may_see(
    marketer, api_client_for, django_capture_on_commit_callbacks
):
    team = TeamFactory(name="North", kind="sales")
    seller = UserFactory(username="n1", role="seller", team=team)
    teammate = UserFactory(username="n2", role="seller", team=team)
    manager = UserFactory(username="nm", role="sales_manager", team=team)
    stranger = UserFactory(username="s1", role="seller", team=TeamFactory(name="South"))
    leads = {owner: LeadFactory(stage=Stage.LEAD) for owner in (seller, teammate, stranger)}
    with transaction.atomic():
        for owner, lead in leads.items():
            lead_transition(lead=lead, action="qualify", actor=marketer, owner=owner)

    def seen_by(user):
        results, _next = _all(api_client_for(user, scopes=["leads:read"]))
        return {item["object"]["id"] for item in results}

    assert seen_by(seller) == {leads[seller].pk}
    assert seen_by(manager) == {leads[seller].pk, leads[teammate].pk}
    assert seen_by(marketer) == {lead.pk for lead in leads.values()}


@pytest.mark.django_db
def test_a_cursor_older_than_the_retention_is_a_410(marketer, api_client_for, settings):
    settings.EVENTS_RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=40)
    with transaction.atomic():
        for number in range(3):
            event_record(catalog.LEAD_CREATED, object_id=number + 1, occurred_at=long_ago)
        event_record(catalog.LEAD_CREATED, object_id=99)
    relay.events_number()
    Event.objects.update(handled_at=timezone.now())
    client = api_client_for(marketer, scopes=["leads:read"])
    first = client.get(URL, {"limit": 1}).json()["next"]

    relay.events_purge()

    gone = client.get(URL, {"after": first})
    assert gone.status_code == 410
    assert gone.json()["code"] == "cursor_expired"
    assert "older than the changes feed keeps" in gone.json()["detail"]
    fresh = client.get(URL).json()["results"]
    assert [item["object"]["id"] for item in fresh] == [99]
    # A reader who had read up to the last purged event missed nothing.
    caught_up = selectors.cursor_encode(3)
    assert client.get(URL, {"after": caught_up}).status_code == 200


@pytest.mark.django_db
def test_a_session_sees_every_area(marketer, session_client_for):
    with transaction.atomic():
        event_record(catalog.CAMPAIGN_DELETED, object_id=5, data={"name": "Old"})

    body = session_client_for(marketer).get(URL).json()

    assert [item["type"] for item in body["results"]] == ["campaign.deleted"]
    assert {entry.area for entry in EVENT_TYPES.values()} >= {"leads", "sla", "campaigns"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="Concurrent writers need PostgreSQL.")
@pytest.mark.django_db(transaction=True)
def test_a_reader_paging_the_api_during_concurrent_writes_sees_every_event_once_in_order(
    marketer,
):
    writers, per_writer = 4, 25
    _token, raw = account_services.api_token_create(user=marketer, name="r", scopes=["leads:read"])
    done = threading.Event()
    seen: list[dict] = []
    failures: list[BaseException] = []

    def in_thread(target):
        def run():
            try:
                target()
            except BaseException as error:  # reported by the test below
                failures.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def writer(number):
        def write():
            for index in range(per_writer):
                lead_create(actor=marketer, email=f"w{number}-{index}@example.com")

        return write

    def reader():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        cursor = None
        while True:
            finished = done.is_set()
            query = {"limit": 7, **({"after": cursor} if cursor else {})}
            body = client.get(URL, query).json()
            seen.extend(body["results"])
            cursor = body["next"]
            if not body["results"] and finished:
                return

    read = in_thread(reader)
    threads = [in_thread(writer(number)) for number in range(writers)]
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    read.join(timeout=120)

    assert not failures
    ids = [int(item["id"]) for item in seen]
    assert len(ids) == writers * per_writer == len(set(ids))  # nothing repeated
    assert sorted(ids) == sorted(Event.objects.values_list("pk", flat=True))  # nothing skipped
    positions = [selectors.cursor_decode(item["cursor"]) for item in seen]
    assert positions == list(range(1, writers * per_writer + 1))  # commit order, no gap
