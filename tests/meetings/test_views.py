"""The weekly brief pages: who reads, who builds and sends, and the old addresses."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from meetings import services
from meetings.models import WeeklyBrief

PERSONAS = ["marketer", "marketing_manager", "seller", "sales_manager", "executive", "admin_user"]


def test_brief_pages_need_a_login(client, db):
    services.weekly_brief_build(week_start=date(2026, 11, 9))
    for url in (reverse("meetings:briefs"), reverse("meetings:brief", args=["2026-11-09"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_briefs(request, session_client_for, persona):
    services.weekly_brief_build(week_start=date(2026, 11, 9))
    client = session_client_for(request.getfixturevalue(persona))
    assert client.get(reverse("meetings:briefs")).status_code == 200
    page = client.get(reverse("meetings:brief", args=["2026-11-09"]))
    assert page.status_code == 200
    assert "Weekly smarketing brief" in page.content.decode()


def test_managers_build_and_send_the_brief_from_the_page(
    session_client_for, marketing_manager, seller
):
    client = session_client_for(marketing_manager)
    response = client.post(reverse("meetings:brief_build"), {"week": "2026-11-11"})
    assert response.status_code == 302
    assert response.url == reverse("meetings:brief", args=["2026-11-09"])
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["brief"].week_start == date(2026, 11, 9)

    send = reverse("meetings:brief_send", args=["2026-11-09"])
    client.post(send)
    client.post(send)
    assert len(mail.outbox) == 2  # the manager and the seller, once each
    assert WeeklyBrief.objects.get().sent_at is not None
    assert reverse("meetings:brief", args=["2026-11-09"]) in mail.outbox[0].body


@pytest.mark.parametrize("persona", ["marketer", "seller", "executive"])
def test_only_managers_build_or_send_briefs(request, session_client_for, persona):
    client = session_client_for(request.getfixturevalue(persona))
    assert client.post(reverse("meetings:brief_build"), {"week": "2026-11-11"}).status_code == 403
    services.weekly_brief_build(week_start=date(2026, 11, 9))
    assert client.post(reverse("meetings:brief_send", args=["2026-11-09"])).status_code == 403
    assert client.get(reverse("meetings:brief", args=["2026-11-09"])).status_code == 200
    assert mail.outbox == []


def test_unknown_brief_week_is_a_404(session_client_for, seller):
    client = session_client_for(seller)
    assert client.get(reverse("meetings:brief", args=["2026-11-09"])).status_code == 404
    assert client.get(reverse("meetings:brief", args=["not-a-date"])).status_code == 404


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/feedback/briefs/", "/meetings/briefs/"),
        ("/feedback/briefs/?page=2", "/meetings/briefs/?page=2"),
        ("/feedback/briefs/2026-11-09/", "/meetings/briefs/2026-11-09/"),
    ],
)
def test_the_old_brief_addresses_redirect_for_good(client, db, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response.url == new


def test_a_form_posted_to_an_old_address_is_redirected_with_its_method(
    session_client_for, marketing_manager
):
    client = session_client_for(marketing_manager)
    response = client.post("/feedback/briefs/build/", {"week": "2026-11-11"})
    assert response.status_code == 308
    assert response.url == reverse("meetings:brief_build")
    response = client.post("/feedback/briefs/2026-11-09/send/")
    assert response.status_code == 308
    assert response.url == reverse("meetings:brief_send", args=["2026-11-09"])


def test_the_feedback_pages_and_home_link_to_the_briefs(session_client_for, marketer, seller):
    briefs = reverse("meetings:briefs")
    for user, url in ((marketer, reverse("feedback:board")), (seller, reverse("home"))):
        page = session_client_for(user).get(url).content.decode()
        assert f'href="{briefs}"' in page, url
    # The brief list is a tab of the feedback pages, shown as the current one.
    page = session_client_for(seller).get(briefs).content.decode()
    assert f'class="button small primary" href="{briefs}"' in page
