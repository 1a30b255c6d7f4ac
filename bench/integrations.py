"""CRM sync benchmark: the changes feed, webhook deliveries, and Idempotency-Key's cost.

Each figure is set against the plainest way to do the same work in the same run, and
reported as a ratio, because the machine is shared and noisy:

1. Changes feed: EVENTS lead events are recorded, then read through
   GET /api/v1/changes/?limit=1000 (the real view, a bearer token) by a marketer (no
   visibility filter) and by a seller (the visibility subquery), beside a raw
   ``SELECT … WHERE position > %s ORDER BY position LIMIT 1000`` paging the same rows.
   Events per second, best of ROUNDS.
2. Webhooks: DELIVERIES deliveries sent by the real sender (signing, the SSRF check, the
   attempt log) to a receiver on 127.0.0.1, beside the same bodies POSTed with
   http.client in a loop. Deliveries per second. The receiver is another process.
3. Idempotency-Key: bulk upserts of 1,000 new leads through the API with and without a
   key, batches alternating. Leads per second from the median batch.

Everything runs in one transaction that is rolled back: the bench database is left as
it was (after-commit work — the relay, webhook subscribers — never runs here).
"""

import http.client
import socket
import statistics
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User
from bench.timing import best_of
from events import catalog, relay
from events.models import Event
from events.services import events_record_many
from integrations import services as integration_services
from integrations.models import WebhookDelivery

EVENTS = 20_000
PAGE = 1_000
ROUNDS = 3
DELIVERIES = 1_000
BATCH = 1_000
BATCHES = 10
HOST = "localhost"
PORTS = range(8400, 8500)


def _all_results(client: APIClient, cursor: str) -> list[dict]:
    results: list[dict] = []
    while True:
        body = client.get("/api/v1/changes/", {"after": cursor, "limit": PAGE}).json()
        if not body["results"]:
            return results
        results += body["results"]
        cursor = body["next"]


class _Rollback(Exception):
    pass


def run(*, leads: int) -> dict:
    results: dict = {}
    try:
        with transaction.atomic():
            results["changes_feed"] = _bench_changes_feed()
            results["webhooks"] = _bench_webhooks()
            results["idempotency_key"] = _bench_idempotency()
            raise _Rollback
    except _Rollback:
        pass
    return results


def _client(username: str, scopes: list[str]) -> APIClient:
    user = User.objects.get(username=username)
    _token, raw = account_services.api_token_create(user=user, name="bench", scopes=scopes)
    client = APIClient(HTTP_HOST=HOST)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _bench_changes_feed() -> dict:
    relay.events_number()
    start = Event.objects.order_by("-position").values_list("position", flat=True).first() or 0
    seller = User.objects.get(username="seller")
    owned = list(seller.owned_leads.values_list("pk", flat=True)[:1000]) or [0]
    items = [
        (
            owned[number % len(owned)] if number % 4 == 0 else 10_000_000 + number,
            {"email": f"bench{number}@bench.invalid", "first_name": "Bench", "score": 50},
        )
        for number in range(EVENTS)
    ]
    events_record_many(catalog.LEAD_CREATED, items=items)
    relay.events_number()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_event")  # what autovacuum does after a burst
    from integrations.selectors import cursor_encode

    first_cursor = cursor_encode(start)

    def through_api(client: APIClient) -> int:
        # The server's side only: the answer is not parsed (a client parses it anyway,
        # and the raw SELECT's rows are not turned into objects either).
        cursor, pages = first_cursor, 0
        while True:
            body = client.get("/api/v1/changes/", {"after": cursor, "limit": PAGE}).content
            if body.startswith(b'{"results":[]'):
                return pages
            pages += 1
            cursor = body[body.rindex(b'"next":"') + 8 : -2].decode()

    def raw_select() -> int:
        position, seen = start, 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT id, type, object_kind, object_id, occurred_at, data, position "
                    "FROM events_event WHERE position > %s ORDER BY position LIMIT %s",
                    [position, PAGE],
                )
                rows = cursor.fetchall()
                if not rows:
                    return seen
                seen += len(rows)
                position = rows[-1][-1]

    marketer = _client("marketer", ["leads:read"])
    seller_client = _client("seller", ["leads:read"])
    total = raw_select()
    if through_api(marketer) != -(-total // PAGE):
        raise RuntimeError("The feed did not page through every event.")
    visible_to_seller = len(
        [item for item in _all_results(seller_client, first_cursor) if item["type"]]
    )
    raw_seconds = best_of(raw_select, repeat=ROUNDS)
    api_seconds = best_of(lambda: through_api(marketer), repeat=ROUNDS)
    seller_seconds = best_of(lambda: through_api(seller_client), repeat=ROUNDS)
    return {
        "events": total,
        "page": PAGE,
        "raw_select_events_per_s": round(total / raw_seconds),
        "feed_events_per_s": round(total / api_seconds),
        "feed_ratio": round(raw_seconds / api_seconds, 2),
        "seller_visible_events": visible_to_seller,
        "seller_feed_events_scanned_per_s": round(total / seller_seconds),
        "seller_feed_ratio": round(raw_seconds / seller_seconds, 2),
    }


# The receiver runs in its own process, as a real one would (in this process it would
# compete with the sender for the interpreter lock).
RECEIVER = """
import http.server, sys

class Receiver(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver)
server.daemon_threads = True
server.serve_forever()
"""


def _serve() -> tuple[subprocess.Popen, int]:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                continue  # taken
        process = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return process, port
            if process.poll() is not None:
                break
            time.sleep(0.05)
        process.kill()
    raise RuntimeError("no free port in 8400-8499")


def _bench_webhooks() -> dict:
    receiver, port = _serve()
    allowed = settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS
    settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1"]
    try:
        owner = User.objects.get(username="marketing_manager")
        endpoint, _secret = integration_services.endpoint_create(
            actor=owner, url=f"http://127.0.0.1:{port}/hooks", events=[catalog.LEAD_UPDATED]
        )
        events = events_record_many(
            catalog.LEAD_UPDATED,
            items=[(number + 1, {"changes": {"score": [1, 2]}}) for number in range(DELIVERIES)],
        )
        integration_services.deliveries_create(events)
        ids = list(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("pk", flat=True))
        bodies = list(WebhookDelivery.objects.filter(pk__in=ids).values_list("body", flat=True))

        started = time.perf_counter()
        outcome = integration_services.deliveries_send(ids)
        product_seconds = time.perf_counter() - started
        if outcome.get("succeeded") != len(ids):
            raise RuntimeError(f"Unexpected webhook outcome: {outcome}")

        started = time.perf_counter()
        for body in bodies:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection_.request(
                "POST", "/hooks", body=body.encode(), headers={"Content-Type": "application/json"}
            )
            connection_.getresponse().read()
            connection_.close()
        raw_seconds = time.perf_counter() - started
    finally:
        settings.WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = allowed
        receiver.terminate()
        receiver.wait(timeout=10)
    return {
        "deliveries": len(ids),
        "sender_deliveries_per_s": round(len(ids) / product_seconds),
        "raw_http_posts_per_s": round(len(bodies) / raw_seconds),
        "ratio": round(raw_seconds / product_seconds, 2),
    }


def _bench_idempotency() -> dict:
    client = _client("marketer", ["leads:read", "leads:write"])
    run_id = uuid.uuid4().hex[:8]
    timings: dict[str, list[float]] = {"with_key": [], "without_key": []}
    for batch in range(BATCHES):
        for variant in ("without_key", "with_key"):
            items = [
                {
                    "email": f"{run_id}-{variant}-{batch}-{number}@bench.invalid",
                    "first_name": "Bench",
                    "source_system": "bench-idem",
                    "external_id": f"{run_id}-{variant}-{batch}-{number}",
                    "score": number % 100,
                }
                for number in range(BATCH)
            ]
            headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if variant == "with_key" else {}
            started = time.perf_counter()
            response = client.post(
                "/api/v1/leads/bulk-upsert/", {"leads": items}, format="json", **headers
            )
            timings[variant].append(time.perf_counter() - started)
            if response.status_code != 200 or response.json()["created"] != BATCH:
                raise RuntimeError(f"bulk-upsert answered {response.status_code}")
    rates = {name: round(BATCH / statistics.median(times)) for name, times in timings.items()}
    return {
        "batches": BATCHES,
        "batch": BATCH,
        "with_key_leads_per_s": rates["with_key"],
        "without_key_leads_per_s": rates["without_key"],
        "ratio": round(rates["with_key"] / rates["without_key"], 2),
        "measured_at": timezone.now().isoformat(),
    }
