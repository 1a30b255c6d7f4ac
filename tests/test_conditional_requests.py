"""ETags on single objects, API-wide: If-None-Match → 304, a stale If-Match → 412."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.viewsets import ViewSetMixin

from leads.models import Lead
from smarketing.api import ConditionalMixin
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _api_views(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_view_of_a_single_object_answers_etags():
    missing = []
    for route, callback in _api_views():
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", {}) or {}
        if not route.startswith("api/") or cls is None or not issubclass(cls, ViewSetMixin):
            continue
        if "retrieve" in actions.values() and not issubclass(cls, ConditionalMixin):
            missing.append(route)
    assert missing == []


def test_a_lead_answers_an_etag_and_304_when_unchanged(marketer, api_client_for):
    lead = LeadFactory()
    client = api_client_for(marketer)

    first = client.get(f"/api/v1/leads/{lead.pk}/")
    again = client.get(f"/api/v1/leads/{lead.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    other = client.get(f"/api/v1/leads/{lead.pk}/", HTTP_IF_NONE_MATCH='"something-else"')

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert other.status_code == 200


def test_a_patch_with_a_stale_if_match_is_a_412_and_changes_nothing(marketer, api_client_for):
    lead = LeadFactory(first_name="Ana")
    client = api_client_for(marketer)
    etag = client.get(f"/api/v1/leads/{lead.pk}/")["ETag"]
    changed = client.patch(
        f"/api/v1/leads/{lead.pk}/", {"first_name": "Ann"}, format="json", HTTP_IF_MATCH=etag
    )

    stale = client.patch(
        f"/api/v1/leads/{lead.pk}/", {"first_name": "Anne"}, format="json", HTTP_IF_MATCH=etag
    )

    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed["ETag"] == client.get(f"/api/v1/leads/{lead.pk}/")["ETag"]
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert stale["ETag"] == changed["ETag"]  # the current version, to re-read
    assert Lead.objects.get(pk=lead.pk).first_name == "Ann"


def test_without_if_match_a_patch_applies_as_before(marketer, api_client_for):
    lead = LeadFactory()

    answer = api_client_for(marketer).patch(
        f"/api/v1/leads/{lead.pk}/", {"title": "CTO"}, format="json"
    )

    assert answer.status_code == 200
    assert answer["ETag"]


def test_a_campaign_takes_if_match_too(marketer, api_client_for):
    client = api_client_for(marketer)
    campaign = client.post(
        "/api/v1/campaigns/",
        {
            "name": "Webinar",
            "type": "webinar",
            "start_date": "2026-03-01",
            "end_date": "2026-03-31",
        },
        format="json",
    ).json()
    url = f"/api/v1/campaigns/{campaign['id']}/"
    etag = client.get(url)["ETag"]

    assert (
        client.patch(url, {"name": "Big webinar"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
    assert (
        client.patch(url, {"name": "Other"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    )
