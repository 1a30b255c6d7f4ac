"""The SLA pages: login required, server-side permissions, sign / amend / acknowledge flows."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from leads.services import lead_transition
from sla import detection, services, terms
from sla.models import Breach, BreachKind, Side, SLAVersion, VersionStatus
from tests.factories import LeadFactory
from tests.sla.conftest import sign_all

BERLIN = ZoneInfo("Europe/Berlin")
PAGES = ("sla:agreement", "sla:compliance", "sla:create")


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_agreement_without_an_sla_shows_an_empty_state(session_client_for, marketing_manager):
    response = session_client_for(marketing_manager).get(reverse("sla:agreement"))
    assert response.status_code == 200
    assert "No SLA has been written yet" in response.content.decode()


def test_agreement_shows_both_sides_signatures_and_fingerprint(
    session_client_for, seller, active_version
):
    page = session_client_for(seller).get(reverse("sla:agreement")).content.decode()
    assert "Marketing commits to" in page
    assert "Sales commits to" in page
    assert active_version.fingerprint in page
    assert "Executive sponsor" in page
    assert "New SLA" not in page  # sellers do not manage SLAs


def test_the_sign_button_shows_only_for_those_who_must_sign(
    session_client_for, draft, seller, sales_manager
):
    sign_url = reverse("sla:sign", args=[draft.pk])
    assert (
        sign_url in session_client_for(sales_manager).get(reverse("sla:agreement")).content.decode()
    )
    assert sign_url not in session_client_for(seller).get(reverse("sla:agreement")).content.decode()
    assert session_client_for(seller).get(sign_url).status_code == 403


def test_sign_confirmation_shows_the_fingerprint_and_signs(
    session_client_for, draft, sales_manager
):
    client = session_client_for(sales_manager)
    url = reverse("sla:sign", args=[draft.pk])
    fingerprint = terms.terms_fingerprint(draft)
    page = client.get(url).content.decode()
    assert fingerprint in page
    assert terms.terms_canonical_json(draft).replace('"', "&quot;") in page

    response = client.post(url, {"fingerprint": fingerprint})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.AWAITING_SIGNATURES


def test_signing_a_stale_page_signs_nothing(session_client_for, draft, sales_manager):
    response = session_client_for(sales_manager).post(
        reverse("sla:sign", args=[draft.pk]), {"fingerprint": "0" * 64}, follow=True
    )
    assert "terms changed" in response.content.decode()
    assert not draft.signatures.exists()


def test_amending_a_signed_version_from_the_page_makes_a_new_draft(
    session_client_for, active_version, sales_manager
):
    client = session_client_for(sales_manager)
    url = reverse("sla:amend", args=[active_version.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial[name] for name in form.fields if form.initial.get(name) is not None}
    data["decision_hours"] = 6
    data["holidays"] = "2026-12-25"
    data["rejection_comment_required"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert SLAVersion.objects.filter(number=2, status="draft", decision_hours=6).exists()


def test_sellers_may_not_create_or_amend(session_client_for, seller, active_version):
    client = session_client_for(seller)
    assert client.get(reverse("sla:create")).status_code == 403
    assert client.get(reverse("sla:amend", args=[active_version.pk])).status_code == 403


def test_diff_lists_changed_terms(session_client_for, seller, active_version, sales_manager):
    services.version_amend(version=active_version, actor=sales_manager, min_attempts=7)
    page = (
        session_client_for(seller)
        .get(reverse("sla:diff", args=[active_version.sla_id]) + "?from=1&to=2")
        .content.decode()
    )
    assert "Persistence before recycling" in page
    assert "3 attempts" in page
    assert "7 attempts" in page


@pytest.fixture
def breach(active_version, marketer, seller):
    lead = LeadFactory(score=80, last_name="Doe")
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=BERLIN), tick=False):
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    detection.breaches_detect(now=datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN))
    return Breach.objects.get()


def test_compliance_page_lists_breaches_with_filters(session_client_for, seller, breach):
    client = session_client_for(seller)
    page = client.get(reverse("sla:compliance")).content.decode()
    assert "Decision too late" in page
    # A sales breach wears the sales colour.
    assert '<span class="role role-seller" style="color:#fff">Sales</span>' in page
    assert "vendor/plotly/plotly.min.js" in page
    filtered = client.get(reverse("sla:compliance") + "?side=marketing").content.decode()
    assert "No breach matches these filters" in filtered


def test_breach_pages_keep_the_filters(session_client_for, marketer, active_version):
    due = datetime(2026, 1, 1, tzinfo=BERLIN)
    Breach.objects.bulk_create(
        Breach(
            kind=BreachKind.MQL_VOLUME,
            side=Side.MARKETING,
            version=active_version,
            period_start=date(2000 + n, 1, 1),
            period_end=date(2000 + n, 2, 1),
            due_at=due,
            target=10,
            actual=1,
        )
        for n in range(26)
    )
    client = session_client_for(marketer)
    first = client.get(reverse("sla:compliance") + "?side=marketing").content.decode()
    assert 'href="?side=marketing&amp;page=2"' in first
    second = client.get(reverse("sla:compliance") + "?side=marketing&page=2").content.decode()
    assert 'href="?side=marketing&amp;page=1"' in second


def test_acknowledge_from_the_page(session_client_for, seller, breach):
    client = session_client_for(seller)
    url = reverse("sla:acknowledge", args=[breach.pk])
    client.post(url, {"comment": ""})
    breach.refresh_from_db()
    assert breach.acknowledged_at is None
    client.post(
        url, {"comment": "Sick day; covered by Sophie now.", "next": "https://evil.example/"}
    )
    breach.refresh_from_db()
    assert breach.acknowledgement == "Sick day; covered by Sophie now."


def test_another_seller_cannot_see_or_acknowledge(session_client_for, other_seller, breach):
    client = session_client_for(other_seller)
    page = client.get(reverse("sla:compliance")).content.decode()
    assert "No breaches recorded" in page
    response = client.post(reverse("sla:acknowledge", args=[breach.pk]), {"comment": "x"})
    assert response.status_code == 404


def test_an_unsigned_draft_is_edited_in_place_a_signed_one_is_amended(
    session_client_for, draft, marketing_manager, sales_manager
):
    client = session_client_for(marketing_manager)
    page = client.get(reverse("sla:agreement")).content.decode()
    assert '<span class="pill warn">Draft</span>' in page
    assert "Edit draft" in page
    sign_all(draft, sales_manager)
    page = client.get(reverse("sla:agreement")).content.decode()
    assert '<span class="pill bad">Awaiting signatures</span>' in page
    assert "Edit draft" not in page
    assert "Amend (new draft)" in page


def test_the_page_says_who_still_has_to_sign(session_client_for, draft, seller, marketing_manager):
    sign_all(draft, marketing_manager)
    page = session_client_for(seller).get(reverse("sla:agreement")).content.decode()
    assert "Still to sign" in page
    assert "Sales lead" in page
