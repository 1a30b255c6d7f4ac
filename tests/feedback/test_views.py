"""The feedback pages: who sees what, who may do what, and the navigation badge."""

import re

import pytest
from django.urls import reverse

from feedback import lifecycle, services, views
from feedback.models import FeedbackItem, Status
from tests.factories import LeadFactory

PERSONAS = ["marketer", "marketing_manager", "seller", "sales_manager", "executive", "admin_user"]


def test_pages_need_a_login(client, item):
    for url in (
        reverse("feedback:board"),
        reverse("feedback:queue"),
        reverse("feedback:themes"),
        reverse("feedback:detail", args=[item.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_feedback(request, session_client_for, item, persona):
    client = session_client_for(request.getfixturevalue(persona))
    for url in (
        reverse("feedback:board"),
        reverse("feedback:queue"),
        reverse("feedback:themes"),
        reverse("feedback:detail", args=[item.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_board_filters_counts_and_empty_state(session_client_for, marketer, give, seller):
    give(seller, kind="objection", text="Too pricey", tags=["pricing"])
    closed = give(seller, kind="praise", text="Great webinar", rating=5)
    services.feedback_transition(item=closed, action="action", actor=marketer, answer="Thanks!")
    client = session_client_for(marketer)

    page = client.get(reverse("feedback:board"), {"tag": "pricing"}).content.decode()
    assert "Too pricey" in page
    assert "Great webinar" not in page

    response = client.get(reverse("feedback:board"), {"status": "actioned"})
    assert list(response.context["page_obj"]) == [closed]
    # Counts per status ignore the status filter, so every status stays visible.
    assert [count for _status, _label, count in response.context["counts"]] == [1, 0, 1, 0]
    assert response.context["median"] is not None

    empty = client.get(reverse("feedback:board"), {"kind": "market_change"}).content.decode()
    assert "No feedback matches these filters" in empty


def test_board_shows_the_give_feedback_form_to_sales_only(session_client_for, seller, marketer):
    assert session_client_for(seller).get(reverse("feedback:board")).context["create_form"]
    assert (
        session_client_for(marketer).get(reverse("feedback:board")).context["create_form"] is None
    )


def test_a_seller_gives_feedback_about_a_lead_from_the_prefilled_form(session_client_for, seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    client = session_client_for(seller)
    url = reverse("feedback:create") + f"?lead={lead.pk}"

    form_page = client.get(url)
    assert form_page.context["form"].initial == {"lead": lead.pk, "kind": "lead_quality"}
    assert form_page.context["subject"] == lead

    response = client.post(
        url, {"kind": "lead_quality", "text": "Wrong persona", "rating": "2", "lead": lead.pk}
    )
    item = FeedbackItem.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("feedback:detail", args=[item.pk])
    assert (item.lead, item.rating, item.author) == (lead, 2, seller)


def test_invalid_feedback_is_shown_again_with_messages(session_client_for, seller):
    response = session_client_for(seller).post(
        reverse("feedback:create"), {"kind": "competitor", "text": "They use someone"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "competitor": ["Name the competitor the prospect mentioned."]
    }
    assert FeedbackItem.objects.exists() is False


def test_marketing_cannot_give_feedback_through_the_page(session_client_for, marketer):
    client = session_client_for(marketer)
    assert client.get(reverse("feedback:create")).status_code == 403
    assert (
        client.post(reverse("feedback:create"), {"kind": "other", "text": "x"}).status_code == 403
    )


def test_the_button_include_renders_safely(seller, marketer, rf):
    from django.template import Context, Template

    template = Template('{% include "feedback/_give_feedback_button.html" %}')
    request = rf.get("/")
    assert "?lead=" not in template.render(Context({"user": seller, "request": request}))
    assert 'href="/feedback/new/"' in template.render(Context({"user": seller}))
    assert template.render(Context({"user": marketer})).strip() == ""
    lead = LeadFactory()
    with_lead = Template('{% include "feedback/_give_feedback_button.html" with lead=lead %}')
    assert f"?lead={lead.pk}" in with_lead.render(Context({"user": seller, "lead": lead}))


def test_the_queue_answers_with_htmx(session_client_for, marketer, item):
    client = session_client_for(marketer)
    queue = client.get(reverse("feedback:queue"))
    assert list(queue.context["page_obj"]) == [item]

    response = client.post(
        reverse("feedback:move", args=[item.pk]),
        {"action": "decline", "answer": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Tell the seller what marketing does about it." in response.content.decode()

    response = client.post(
        reverse("feedback:move", args=[item.pk]),
        {"action": "action", "answer": "Pricing FAQ published"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="item-' in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.answer) == (Status.ACTIONED, "Pricing FAQ published")
    assert list(client.get(reverse("feedback:queue")).context["page_obj"]) == []


@pytest.mark.parametrize("persona", ["seller", "sales_manager", "executive"])
def test_only_marketing_moves_feedback_from_a_page(request, session_client_for, item, persona):
    client = session_client_for(request.getfixturevalue(persona))
    response = client.post(
        reverse("feedback:move", args=[item.pk]), {"action": "acknowledge", "answer": ""}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == Status.NEW


def test_moving_from_the_item_page_redirects_back(session_client_for, marketer, item):
    response = session_client_for(marketer).post(
        reverse("feedback:move", args=[item.pk]), {"action": "acknowledge", "answer": ""}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.ACKNOWLEDGED


def test_the_thread_on_the_item_page(session_client_for, item, marketer, other_seller):
    url = reverse("feedback:comment", args=[item.pk])
    assert session_client_for(item.author).post(url, {"text": "More detail"}).status_code == 302
    assert session_client_for(marketer).post(url, {"text": "Thanks"}).status_code == 302
    assert session_client_for(other_seller).post(url, {"text": "Me too"}).status_code == 403
    assert session_client_for(marketer).post(url, {"text": ""}).status_code == 400
    page = session_client_for(other_seller).get(reverse("feedback:detail", args=[item.pk]))
    assert [comment.text for comment in page.context["comments"]] == ["More detail", "Thanks"]


def test_unknown_item_is_a_404(session_client_for, seller):
    assert session_client_for(seller).get(reverse("feedback:detail", args=[999])).status_code == 404


def test_themes_counts_and_charts(session_client_for, marketer, give, seller):
    give(seller, kind="objection", text="a", tags=["pricing"])
    give(seller, kind="objection", text="b", tags=["pricing", "security"])
    give(seller, kind="competitor", text="c", competitor="Acme")
    response = session_client_for(marketer).get(reverse("feedback:themes"), {"months": "3"})
    assert [(row["name"], row["count"]) for row in response.context["top_objections"]] == [
        ("pricing", 2),
        ("security", 1),
    ]
    assert response.context["top_competitors"] == [{"key": "acme", "name": "Acme", "count": 1}]
    page = response.content.decode()
    assert "vendor/plotly/plotly.min.js" in page
    assert "Plotly.newPlot" in page


def test_themes_empty_state(session_client_for, marketer):
    page = session_client_for(marketer).get(reverse("feedback:themes")).content.decode()
    assert "No tagged feedback in this period." in page
    assert "Plotly.newPlot" not in page


def test_unanswered_badge_in_the_navigation_for_marketing_only(
    session_client_for, marketer, seller, item
):
    def badge(user):
        response = session_client_for(user).get(reverse("home"))
        entry = next(e for e in response.context["nav_entries"] if e["label"] == "Feedback")
        return entry.get("badge")

    assert badge(marketer) == 1
    assert not badge(seller)
    services.feedback_transition(item=item, action="acknowledge", actor=marketer)
    assert not badge(marketer)


def test_another_sellers_lead_is_not_prefilled_nor_accepted(
    session_client_for, seller, other_seller
):
    lead = LeadFactory(handed_over=True, owner=other_seller)
    client = session_client_for(seller)
    url = reverse("feedback:create") + f"?lead={lead.pk}"
    form_page = client.get(url)
    assert "lead" not in form_page.context["form"].initial
    assert form_page.context["subject"] is None

    response = client.post(url, {"kind": "lead_quality", "text": "x", "lead": lead.pk})
    assert response.status_code == 400
    assert "Choose one of your leads." in response.content.decode()
    assert FeedbackItem.objects.exists() is False


def _answer_buttons(html: str, item) -> list[tuple[str, str]]:
    """(action, label) of each answer button in the row or page of ``item``."""
    row = html[html.index(f'id="item-{item.pk}"') :]
    row = row[: row.index("</tr>")] if "</tr>" in row else row
    return re.findall(r'name="action" value="(\w+)" class="[^"]*">([^<]+)</button>', row)


def test_answer_buttons_come_from_the_lifecycle_table(session_client_for, marketer, give, seller):
    new = give(seller, text="Too pricey")
    acknowledged = give(seller, text="Uses Acme")
    services.feedback_transition(item=acknowledged, action="acknowledge", actor=marketer)
    client = session_client_for(marketer)

    queue = client.get(reverse("feedback:queue")).content.decode()
    assert _answer_buttons(queue, new) == [
        ("acknowledge", "Acknowledge"),
        ("action", "Action"),
        ("decline", "Decline"),
    ]
    assert _answer_buttons(queue, acknowledged) == [("action", "Action"), ("decline", "Decline")]
    for item in (new, acknowledged):
        expected = [(move.action, move.label) for move in lifecycle.moves_from(item.status)]
        assert _answer_buttons(queue, item) == expected
    page = client.get(reverse("feedback:detail", args=[acknowledged.pk])).content.decode()
    buttons = re.findall(r'name="action" value="(\w+)" class="([^"]*)">', page)
    assert buttons == [("action", "ok"), ("decline", "danger")]


def test_board_links_keep_the_filters(session_client_for, marketer, give, seller, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    give(seller, text="Too pricey", tags=["pricing"])
    give(seller, text="Price again", tags=["pricing"])
    client = session_client_for(marketer)

    page = client.get(reverse("feedback:board"), {"tag": "pricing"}).content.decode()
    assert 'href="?tag=pricing&amp;page=2"' in page
    page = client.get(reverse("feedback:board"), {"tag": "pricing", "page": "2"}).content.decode()
    assert 'href="?tag=pricing&amp;page=1"' in page
    # A status count counts with the other filters, so its link keeps them.
    assert 'href="?tag=pricing&amp;status=new"' in page
