"""Cached dashboard panels: computed once per generation, stale as soon as data changes."""

from django.db import transaction

from kpis.cache import bump_dashboards_generation, cached_panel, dashboards_generation
from leads.services import lead_transition
from tests.factories import LeadFactory


def test_a_panel_is_computed_once_per_generation(db):
    calls = []

    def compute():
        calls.append(1)
        return {"answer": len(calls)}

    assert cached_panel("p", ("2026-01-01",), compute) == {"answer": 1}
    assert cached_panel("p", ("2026-01-01",), compute) == {"answer": 1}
    assert cached_panel("p", ("2026-02-01",), compute) == {"answer": 2}  # other params

    bump_dashboards_generation()
    assert cached_panel("p", ("2026-01-01",), compute) == {"answer": 3}


def test_a_move_invalidates_only_when_its_transaction_commits(
    seller, django_capture_on_commit_callbacks
):
    lead = LeadFactory(handed_over=True, owner=seller)
    before = dashboards_generation()

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        lead_transition(lead=lead, action="accept", actor=seller)
    assert dashboards_generation() == before
    for callback in callbacks:
        callback()
    assert dashboards_generation() > before


def test_a_lead_move_invalidates_the_dashboards(seller, django_capture_on_commit_callbacks):
    lead = LeadFactory(handed_over=True, owner=seller)
    before = dashboards_generation()

    with django_capture_on_commit_callbacks(execute=True):
        lead_transition(lead=lead, action="accept", actor=seller)

    assert dashboards_generation() > before
