"""The seller's inbox in a real browser: htmx swaps the row, the database moves the lead."""

import pytest

from leads.models import Lead, LeadStageChange, Stage
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
    row.get_by_role("button", name="Reject").click()

    page.locator(f"#lead-{lead.pk}-done .stage-rejected").wait_for()
    change = LeadStageChange.objects.get(lead=lead)
    assert (change.to_stage, change.reason_code, change.comment) == (
        Stage.REJECTED,
        "no_budget",
        "Budget frozen until Q3",
    )

    marketing_page = page_as(marketer)
    marketing_page.goto(marketing_page.url + "leads/rejected/")
    assert "Budget frozen until Q3" in marketing_page.content()
