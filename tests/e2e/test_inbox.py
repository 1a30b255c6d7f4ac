"""The seller's inbox and the lead page in a real browser: htmx swaps the row, the
database moves the lead, and a move that cannot be taken back asks first."""

import pytest
from django.urls import reverse

from leads.lifecycle import find_move
from leads.models import Lead, LeadStageChange, Stage
from leads.services import lead_transition
from tests.factories import LeadFactory

# The live server reads committed data (tests/conftest.py restores the reason codes).
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_seller_accepts_an_mql_with_one_click(page_as, seller):
    lead = LeadFactory(handed_over=True, owner=seller, first_name="Nora", last_name="Garcia")
    page = page_as(seller)

    page.goto(page.url + "leads/inbox/")
    row = page.locator(f"#lead-{lead.pk}")
    row.get_by_role("button", name="Accept").click()

    # The accepted lead leaves the decision table and joins the pipeline at once.
    page.locator("#working-rows").get_by_text("Nora Garcia").wait_for()
    assert page.locator("#working-table").is_visible()
    assert Lead.objects.get(pk=lead.pk).stage == Stage.SAL
    assert LeadStageChange.objects.get(lead=lead).actor == seller
    assert page.url.endswith("/leads/inbox/")  # no page load: htmx swapped the row


def test_a_seller_rejects_with_a_reason_and_marketing_sees_it(page_as, seller, marketer):
    lead = LeadFactory(handed_over=True, owner=seller, first_name="Paula", last_name="Weber")
    page = page_as(seller)

    page.goto(page.url + "leads/inbox/")
    row = page.locator(f"#lead-{lead.pk}")
    row.locator("select[name=reason_code]").select_option("no_budget")
    row.locator("input[name=comment]").fill("Budget frozen until Q3")
    questions, posts = [], []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    # A rejection cannot be taken back, so the page asks first (lifecycle.Move.confirm):
    # answered "no", nothing is sent; answered "yes", the row is swapped.
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="Reject").click()
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="Reject").click()
    page.locator(f"#lead-{lead.pk}-done .stage-rejected").wait_for()
    assert questions == [find_move("reject", Stage.MQL).confirm] * 2
    assert len(posts) == 1
    change = LeadStageChange.objects.get(lead=lead)
    assert (change.to_stage, change.reason_code, change.comment) == (
        Stage.REJECTED,
        "no_budget",
        "Budget frozen until Q3",
    )

    marketing_page = page_as(marketer)
    marketing_page.goto(marketing_page.url + "leads/rejected/")
    assert "Budget frozen until Q3" in marketing_page.content()


def test_the_lead_page_asks_before_a_move_that_cannot_be_taken_back(page_as, seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    lead_transition(lead=lead, action="accept", actor=seller)
    lead_transition(lead=lead, action="qualify", actor=seller, amount="9000")
    page = page_as(seller)
    page.goto(page.url + f"leads/{lead.pk}/")
    win = page.locator(f"form[action='{reverse('leads:move', args=[lead.pk, 'win'])}']")
    win.locator("input[name=amount]").fill("12000")
    questions, posts = [], []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    # A plain form (no htmx): static/js/leads.js asks the Move's question.
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    win.get_by_role("button").click()
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    win.get_by_role("button").click()
    page.get_by_text("Well done").wait_for()

    assert questions == [find_move("win", Stage.SQL).confirm] * 2
    assert len(posts) == 1
    assert Lead.objects.get(pk=lead.pk).won_amount == 12000
