"""Webhooks end to end, against a real HTTP receiver on 127.0.0.1 that verifies signatures
with the ``standardwebhooks`` library, fails, times out and succeeds."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from accounts.models import Notification
from events import catalog
from events.models import Event
from integrations import services
from integrations.models import WebhookDelivery, WebhookEndpoint
from leads.models import Stage
from leads.services import lead_create, lead_transition
from tests.factories import LeadFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint_for(receiver):
    def make(owner, events=(catalog.LEAD_CREATED,)):
        endpoint, secret = services.endpoint_create(
            actor=owner, url=receiver.url, events=list(events), description="test"
        )
        receiver.secrets.append(secret)
        return endpoint

    return make


@pytest.fixture
def make_lead(marketer, django_capture_on_commit_callbacks):
    """Create a lead through the service; its events commit and reach the subscribers."""
    counter = iter(range(1, 10_000))

    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return lead_create(actor=marketer, email=f"wh{next(counter)}@example.com", **fields)

    return make


def _send_due(moment):
    """What the sweep does at ``moment``: send the deliveries that are due."""
    with time_machine.travel(moment, tick=False):
        return services.deliveries_send(services.deliveries_due())


def test_a_delivery_is_signed_and_the_receiver_verifies_it(
    marketing_manager, endpoint_for, make_lead, receiver
):
    endpoint = endpoint_for(marketing_manager)

    lead = make_lead(first_name="Ana")

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.verified
    event = Event.objects.get(type=catalog.LEAD_CREATED, object_id=lead.pk)
    assert got.headers["webhook-id"] == f"msg_{event.pk}"
    assert got.headers["content-type"] == "application/json"
    body = json.loads(got.body)
    assert body["type"] == "lead.created"
    assert body["id"] == str(event.pk)
    assert body["object"] == {"kind": "lead", "id": lead.pk}
    assert body["data"]["first_name"] == "Ana"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200
    assert attempt.response_excerpt == "answer 200"


def test_a_tampered_body_fails_verification(marketing_manager, endpoint_for, make_lead, receiver):
    endpoint_for(marketing_manager)
    make_lead()
    got = receiver.received[0]

    with pytest.raises(WebhookVerificationError):
        Webhook(receiver.secrets[0]).verify(got.body.replace("wh", "xx"), got.headers)


def test_failures_and_a_timeout_are_retried_with_backoff_and_the_same_webhook_id(
    marketing_manager, endpoint_for, make_lead, receiver, settings
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    receiver.slow_seconds = 1.0
    receiver.plan = [500, "timeout", 200]
    endpoint = endpoint_for(marketing_manager)

    make_lead()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    first_wait = delivery.next_attempt_at - delivery.last_attempt_at
    _send_due(delivery.next_attempt_at)
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - delivery.last_attempt_at
    _send_due(delivery.next_attempt_at)
    delivery.refresh_from_db()

    assert timedelta(seconds=27) <= first_wait <= timedelta(seconds=33)  # 30 s ± jitter
    assert timedelta(seconds=108) <= second_wait <= timedelta(seconds=132)  # 2 min ± jitter
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 3
    log = list(delivery.attempt_log.order_by("attempted_at"))
    assert [attempt.status_code for attempt in log] == [500, None, 200]
    assert "No answer within 0.5 s" in log[1].error
    assert len({got.headers["webhook-id"] for got in receiver.received}) == 1
    assert len({got.body for got in receiver.received}) == 1
    assert all(got.verified for got in receiver.received)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # a success clears the failing streak


def test_a_day_of_failures_disables_the_endpoint_tells_the_owner_and_enabling_sends_the_queue(
    marketing_manager, endpoint_for, make_lead, receiver, django_capture_on_commit_callbacks
):
    receiver.default = 503
    endpoint = endpoint_for(marketing_manager)
    make_lead()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    started = delivery.first_attempt_at

    for _round in range(services.MAX_ATTEMPTS):
        delivery.refresh_from_db()
        endpoint.refresh_from_db()
        if not endpoint.is_active:
            break
        _send_due(delivery.next_attempt_at)

    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at - started >= timedelta(hours=21)  # "over about a day"
    assert delivery.status == WebhookDelivery.Status.PENDING  # waits for the endpoint
    notice = Notification.objects.get(recipient=marketing_manager, kind="webhook_disabled")
    assert endpoint.url in notice.message
    assert any("Webhook disabled" in message.subject for message in mail.outbox)
    attempts_so_far = len(receiver.received)

    # While disabled, new events queue up and nothing is sent.
    with time_machine.travel(endpoint.disabled_at + timedelta(minutes=5), tick=False):
        make_lead()
        assert services.deliveries_due() == []
    assert len(receiver.received) == attempts_so_far

    receiver.default = 200
    back = endpoint.disabled_at + timedelta(minutes=10)
    with (
        time_machine.travel(back, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = services.endpoint_enable(endpoint=endpoint, actor=marketing_manager)

    assert sent == 2
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert len(receiver.received) == attempts_so_far + 2
    assert all(got.verified for got in receiver.received)


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
    marketing_manager, endpoint_for, make_lead, receiver
):
    endpoint = endpoint_for(marketing_manager)
    old_secret = receiver.secrets[0]

    new_secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=marketing_manager)
    make_lead()
    during = receiver.received[-1]
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        make_lead()
        after = receiver.received[-1]
        verify_after_with_new = Webhook(new_secret).verify(after.body, after.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old_secret).verify(after.body, after.headers)

    assert new_secret != old_secret
    assert new_secret.startswith("whsec_")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old_secret).verify(during.body, during.headers)  # either secret works meanwhile
    Webhook(new_secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert verify_after_with_new["type"] == "lead.created"


def test_webhooks_only_carry_events_about_objects_the_owner_may_see(
    endpoint_for, receiver, marketer, django_capture_on_commit_callbacks
):
    team = TeamFactory(name="North", kind="sales")
    manager = UserFactory(username="north_manager", role="sales_manager", team=team)
    ours = UserFactory(username="north_seller", role="seller", team=team)
    theirs = UserFactory(username="south_seller", role="seller", team=TeamFactory(name="South"))
    endpoint_for(manager, events=[catalog.LEAD_STAGE_CHANGED])
    mine, other = LeadFactory(stage=Stage.LEAD), LeadFactory(stage=Stage.LEAD)

    with django_capture_on_commit_callbacks(execute=True):
        lead_transition(lead=mine, action="qualify", actor=marketer, owner=ours)
        lead_transition(lead=other, action="qualify", actor=marketer, owner=theirs)

    assert [json.loads(got.body)["object"]["id"] for got in receiver.received] == [mine.pk]


def test_a_redelivered_batch_creates_no_second_delivery(marketing_manager, endpoint_for, make_lead):
    endpoint_for(marketing_manager)
    make_lead()
    events = list(Event.objects.all())

    services.deliveries_create(events)

    assert WebhookDelivery.objects.count() == 1


def test_private_addresses_are_refused_unless_allowed(marketing_manager, settings):
    for url in (
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/x",
        "http://127.0.0.2/x",
    ):
        with pytest.raises(Exception, match="private, loopback or link-local"):
            services.endpoint_create(actor=marketing_manager, url=url, events=["lead.created"])
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    with pytest.raises(Exception, match="https://"):
        services.endpoint_create(
            actor=marketing_manager, url="http://127.0.0.1:8400/x", events=["lead.created"]
        )


# --- The API ------------------------------------------------------------------------------


def test_the_api_creates_shows_the_secret_once_and_lists_deliveries(
    marketing_manager, api_client_for, receiver, make_lead, django_capture_on_commit_callbacks
):
    client = api_client_for(marketing_manager, scopes=["webhooks:read", "webhooks:write"])

    created = client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["lead.created"], "description": "CRM"},
        format="json",
    )
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    receiver.secrets.append(secret)
    endpoint_id = created.json()["id"]
    shown = client.get(f"/api/v1/webhooks/{endpoint_id}/").json()
    assert "secret" not in shown
    assert shown["secret_hint"] == secret[:10] + "…"

    make_lead()
    log = client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries/").json()
    assert log["results"][0]["status"] == "succeeded"
    assert log["results"][0]["last_status_code"] == 200
    assert log["results"][0]["attempt_log"][0]["response_excerpt"] == "answer 200"
    delivery_id = log["results"][0]["id"]

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry/")
    assert again.status_code == 202
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]

    rotated = client.post(f"/api/v1/webhooks/{endpoint_id}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    disabled = client.patch(f"/api/v1/webhooks/{endpoint_id}/", {"is_active": False}, format="json")
    assert disabled.json()["is_active"] is False
    assert client.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 204


def test_the_api_refuses_people_who_are_not_managers_and_bad_input(
    marketer, marketing_manager, api_client_for
):
    assert (
        api_client_for(marketer)
        .post("/api/v1/webhooks/", {"url": "https://x.example", "events": ["lead.created"]})
        .status_code
        == 403
    )
    client = api_client_for(marketing_manager)
    bad = client.post(
        "/api/v1/webhooks/", {"url": "http://10.1.2.3/", "events": ["lead.exploded"]}, format="json"
    )
    assert bad.status_code == 400
    assert "events" in bad.json()
    no_scope = api_client_for(marketing_manager, scopes=["leads:read"])
    assert no_scope.get("/api/v1/webhooks/").status_code == 403


def test_someone_elses_endpoint_is_a_404(
    marketing_manager, sales_manager, api_client_for, receiver
):
    endpoint, _secret = services.endpoint_create(
        actor=marketing_manager, url=receiver.url, events=["lead.created"]
    )
    client = api_client_for(sales_manager)

    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404


# --- The pages ----------------------------------------------------------------------------


def test_the_pages_create_show_the_log_and_send_again(
    marketing_manager,
    seller,
    session_client_for,
    receiver,
    make_lead,
    django_capture_on_commit_callbacks,
):
    assert session_client_for(seller).get(reverse("integrations:webhooks")).status_code == 403
    client = session_client_for(marketing_manager)
    empty = client.get(reverse("integrations:webhooks"))
    assert "No webhook endpoints yet" in empty.content.decode()

    created = client.post(
        reverse("integrations:webhook_create"),
        {"url": receiver.url, "events": ["lead.created"], "description": "CRM"},
    )
    assert created.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in created.content.decode()  # shown once, on this answer
    receiver.secrets.append(endpoint.secret)
    assert endpoint.secret not in client.get(reverse("integrations:webhooks")).content.decode()

    make_lead()
    page = client.get(reverse("integrations:webhook_detail", args=[endpoint.pk]))
    html = page.content.decode()
    assert "Delivery log" in html
    assert "answer 200" in html
    assert "Send again" in html
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("integrations:delivery_retry", args=[endpoint.pk, delivery.pk]))
    assert sent.status_code == 302
    assert len(receiver.received) == 2

    bad = client.post(
        reverse("integrations:webhook_edit", args=[endpoint.pk]),
        {"url": "http://192.168.1.1/", "events": ["lead.created"]},
    )
    assert bad.status_code == 400
    assert "private" in bad.content.decode()
    client.post(reverse("integrations:webhook_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    rotated = client.post(reverse("integrations:webhook_rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret in rotated.content.decode()
