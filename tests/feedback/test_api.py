"""The feedback API contract: status codes, field names, 400 bodies, scopes."""

import pytest

from feedback import services
from feedback.models import FeedbackItem, Status
from tests.factories import LeadFactory

LIST = "/api/v1/feedback/"

OUTPUT_FIELDS = {
    "id",
    "kind",
    "status",
    "author",
    "author_name",
    "lead",
    "campaign",
    "account",
    "rating",
    "text",
    "competitor",
    "tags",
    "reason_code",
    "stage_change",
    "answer",
    "answered_by",
    "answered_at",
    "status_changed_at",
    "created_at",
    "updated_at",
    "url",
}


def test_a_seller_gives_feedback(api_client_for, seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    response = api_client_for(seller).post(
        LIST,
        {"kind": "lead_quality", "text": "Student", "rating": 1, "lead": lead.pk, "tags": ["fit"]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == OUTPUT_FIELDS
    assert (body["status"], body["author"], body["lead"], body["tags"]) == (
        "new",
        seller.pk,
        lead.pk,
        ["fit"],
    )


def test_invalid_feedback_is_a_400_with_field_messages(api_client_for, seller):
    client = api_client_for(seller)
    response = client.post(LIST, {"kind": "nonsense", "rating": 9}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "text", "rating"}

    response = client.post(LIST, {"kind": "praise", "text": "x", "lead": 999999}, format="json")
    assert response.status_code == 400
    assert response.json() == {"lead": ["Choose one of your leads."]}

    response = client.post(LIST, {"kind": "competitor", "text": "x"}, format="json")
    assert response.json() == {"competitor": ["Name the competitor the prospect mentioned."]}
    assert FeedbackItem.objects.exists() is False


def test_another_sellers_lead_looks_unknown(api_client_for, seller, other_seller):
    lead = LeadFactory(handed_over=True, owner=other_seller)
    response = api_client_for(seller).post(
        LIST, {"kind": "lead_quality", "text": "x", "lead": lead.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"lead": ["Choose one of your leads."]}


def test_marketing_may_not_give_feedback(api_client_for, marketer):
    response = api_client_for(marketer).post(LIST, {"kind": "other", "text": "x"}, format="json")
    assert response.status_code == 403


def test_list_filters_and_retrieve(api_client_for, executive, give, seller, marketer):
    objection = give(seller, kind="objection", text="Too pricey", tags=["pricing"])
    praise = give(seller, kind="praise", text="Great leads", rating=5)
    services.feedback_transition(item=praise, action="action", actor=marketer, answer="Thanks")
    client = api_client_for(executive, scopes=["feedback:read"])

    body = client.get(LIST).json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [praise.pk, objection.pk]
    assert [row["id"] for row in client.get(LIST, {"status": "new"}).json()["results"]] == [
        objection.pk
    ]
    assert [row["id"] for row in client.get(LIST, {"tag": "pricing"}).json()["results"]] == [
        objection.pk
    ]
    assert client.get(LIST, {"kind": "praise", "author": seller.pk}).json()["count"] == 1
    detail = client.get(f"{LIST}{praise.pk}/").json()
    assert (detail["answer"], detail["answered_by"]) == ("Thanks", marketer.pk)
    assert client.get(f"{LIST}999999/").status_code == 404


def test_marketing_answers(api_client_for, marketer, item):
    response = api_client_for(marketer).post(
        f"{LIST}{item.pk}/answer/", {"status": "actioned", "answer": "Done"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["answer"]) == ("actioned", "Done")


def test_answer_errors(api_client_for, marketer, seller, item):
    client = api_client_for(marketer)
    url = f"{LIST}{item.pk}/answer/"

    response = client.post(url, {"status": "declined"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["answer"]

    response = client.post(url, {"status": "new"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]

    assert (
        client.post(url, {"status": "declined", "answer": "No"}, format="json").status_code == 200
    )
    response = client.post(url, {"status": "actioned", "answer": "Yes"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_allowed"

    response = api_client_for(seller).post(
        url, {"status": "actioned", "answer": "x"}, format="json"
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == Status.DECLINED


def test_comments(api_client_for, marketer, other_seller, item):
    url = f"{LIST}{item.pk}/comments/"
    author = api_client_for(item.author)

    response = author.post(url, {"text": "Context"}, format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"id", "item", "author", "author_name", "text", "created_at"}
    assert api_client_for(marketer).post(url, {"text": "Thanks"}, format="json").status_code == 201
    assert api_client_for(other_seller).post(url, {"text": "x"}, format="json").status_code == 403
    assert author.post(url, {"text": ""}, format="json").json() == {
        "text": ["This field may not be blank."]
    }
    assert [row["text"] for row in author.get(url).json()] == ["Context", "Thanks"]
    assert author.get(f"{LIST}999999/comments/").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "scopes"),
    [
        ("get", "", ["leads:read"]),
        ("post", "", ["feedback:read"]),
        ("post", "{pk}/answer/", ["feedback:read"]),
        ("post", "{pk}/comments/", ["feedback:read"]),
    ],
)
def test_token_scopes(api_client_for, marketer, item, method, path, scopes):
    client = api_client_for(marketer, scopes=scopes)
    response = getattr(client, method)(LIST + path.format(pk=item.pk), {}, format="json")
    assert response.status_code == 403


def test_anonymous_is_401(client, item):
    assert client.get(LIST).status_code in (401, 403)
