"""The SLA API: contract, status codes, scopes and permissions on every endpoint."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from leads.services import lead_transition
from sla import detection, terms
from sla.models import Breach
from tests.factories import LeadFactory

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def breach(active_version, marketer, seller):
    lead = LeadFactory(score=80, last_name="Doe")
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=BERLIN), tick=False):
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    detection.breaches_detect(now=datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN))
    return Breach.objects.get()


def sign_url(version):
    return f"/api/v1/slas/{version.sla_id}/versions/{version.number}/sign/"


def test_slas_list_versions_and_terms(api_client_for, seller, active_version):
    response = api_client_for(seller, scopes=["sla:read"]).get("/api/v1/slas/")
    assert response.status_code == 200
    sla = response.json()["results"][0]
    version = sla["versions"][0]
    assert version["status"] == "active"
    assert version["terms"]["decision_hours"] == 8
    assert version["fingerprint"] == version["current_fingerprint"]
    assert [s["role"] for s in version["signatures"]] == [
        "marketing_lead",
        "sales_lead",
        "executive_sponsor",
    ]


def test_reading_needs_the_read_scope(api_client_for, seller, active_version):
    response = api_client_for(seller, scopes=["leads:read"]).get("/api/v1/slas/")
    assert response.status_code == 403


def test_sign_through_the_api(api_client_for, marketing_manager, draft):
    client = api_client_for(marketing_manager, scopes=["sla:write"])
    response = client.post(
        sign_url(draft), {"fingerprint": terms.terms_fingerprint(draft)}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_signatures"


def test_sign_needs_the_write_scope(api_client_for, marketing_manager, draft):
    client = api_client_for(marketing_manager, scopes=["sla:read"])
    response = client.post(
        sign_url(draft), {"fingerprint": terms.terms_fingerprint(draft)}, format="json"
    )
    assert response.status_code == 403


def test_sign_without_fingerprint_is_a_400(api_client_for, marketing_manager, draft):
    response = api_client_for(marketing_manager).post(sign_url(draft), {}, format="json")
    assert response.status_code == 400
    assert "fingerprint" in response.json()


def test_sign_a_stale_fingerprint_is_a_409(api_client_for, marketing_manager, draft):
    response = api_client_for(marketing_manager).post(
        sign_url(draft), {"fingerprint": "0" * 64}, format="json"
    )
    assert response.status_code == 409


def test_a_seller_may_not_sign(api_client_for, seller, draft):
    response = api_client_for(seller).post(
        sign_url(draft), {"fingerprint": terms.terms_fingerprint(draft)}, format="json"
    )
    assert response.status_code == 403


def test_signing_an_active_version_is_a_400(api_client_for, marketing_manager, active_version):
    response = api_client_for(marketing_manager).post(
        sign_url(active_version),
        {"fingerprint": terms.terms_fingerprint(active_version)},
        format="json",
    )
    assert response.status_code == 400


def test_signing_an_unknown_version_is_a_404(api_client_for, marketing_manager, draft):
    response = api_client_for(marketing_manager).post(
        f"/api/v1/slas/{draft.sla_id}/versions/99/sign/", {"fingerprint": "x"}, format="json"
    )
    assert response.status_code == 404


def test_breaches_list_with_filters(api_client_for, seller, breach):
    client = api_client_for(seller, scopes=["sla:read"])
    assert client.get("/api/v1/breaches/").json()["count"] == 1
    assert client.get("/api/v1/breaches/?side=marketing").json()["count"] == 0
    assert client.get("/api/v1/breaches/?kind=decision_late&period=2026-11").json()["count"] == 1
    assert client.get("/api/v1/breaches/?period=2026-Q4&acknowledged=no").json()["count"] == 1
    assert client.get("/api/v1/breaches/?acknowledged=yes").json()["count"] == 0


def test_bad_filters_are_a_400(api_client_for, seller, breach):
    response = api_client_for(seller).get("/api/v1/breaches/?kind=nope&period=Nov")
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "period"}


def test_another_sellers_breach_is_a_404(api_client_for, other_seller, breach):
    client = api_client_for(other_seller)
    assert client.get("/api/v1/breaches/").json()["count"] == 0
    assert client.get(f"/api/v1/breaches/{breach.pk}/").status_code == 404
    response = client.post(
        f"/api/v1/breaches/{breach.pk}/acknowledge/", {"comment": "x"}, format="json"
    )
    assert response.status_code == 404


def test_acknowledge_with_a_comment(api_client_for, seller, breach):
    client = api_client_for(seller)
    url = f"/api/v1/breaches/{breach.pk}/acknowledge/"
    assert client.post(url, {"comment": ""}, format="json").status_code == 400
    response = client.post(url, {"comment": "Was at the trade show."}, format="json")
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "seller"
    assert client.post(url, {"comment": "again"}, format="json").status_code == 409


def test_acknowledge_needs_the_write_scope(api_client_for, seller, breach):
    client = api_client_for(seller, scopes=["sla:read"])
    response = client.post(
        f"/api/v1/breaches/{breach.pk}/acknowledge/", {"comment": "x"}, format="json"
    )
    assert response.status_code == 403


def test_marketing_may_not_acknowledge_a_sales_breach(api_client_for, marketer, breach):
    response = api_client_for(marketer).post(
        f"/api/v1/breaches/{breach.pk}/acknowledge/", {"comment": "x"}, format="json"
    )
    assert response.status_code == 403


def test_anonymous_is_refused(client, breach):
    assert client.get("/api/v1/breaches/").status_code in (401, 403)
    assert client.get("/api/v1/slas/").status_code in (401, 403)
