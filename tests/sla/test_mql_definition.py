"""The MQL definition of the active SLA, enforced through lead_transition."""

import pytest
from django.core.exceptions import ValidationError

from leads.models import LeadStageChange, Stage
from leads.services import lead_transition
from sla.models import SLAClock
from tests.factories import LeadFactory


def test_without_an_active_sla_every_lead_qualifies(draft, marketer, seller):
    lead = LeadFactory(score=1, last_name="")
    lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    assert lead.stage == Stage.MQL
    assert not SLAClock.objects.exists()  # no SLA, no clock


def test_a_lead_below_the_definition_is_refused_with_clear_messages(
    active_version, marketer, seller
):
    lead = LeadFactory(score=40, last_name="")
    with pytest.raises(ValidationError) as error:
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)

    messages = error.value.message_dict
    assert messages["score"] == [
        "The SLA's MQL definition needs a score of at least 65; this lead has 40."
    ]
    assert "last name" in messages["last_name"][0]
    lead.refresh_from_db()
    assert lead.stage == Stage.LEAD
    assert not LeadStageChange.objects.exists()


def test_a_marketer_cannot_override(active_version, marketer, seller):
    lead = LeadFactory(score=40)
    with pytest.raises(ValidationError) as error:
        lead_transition(
            lead=lead, action="qualify", actor=marketer, owner=seller, override_reason="VIP"
        )
    assert "override_reason" in error.value.message_dict


def test_a_manager_overrides_with_a_reason_recorded_in_history(
    active_version, marketing_manager, seller
):
    lead = LeadFactory(score=40)
    change = lead_transition(
        lead=lead,
        action="qualify",
        actor=marketing_manager,
        owner=seller,
        override_reason="The CEO asked for a demo at the trade show.",
    )
    assert change.is_override is True
    assert change.comment == "The CEO asked for a demo at the trade show."
    assert SLAClock.objects.filter(lead=lead).exists()


def test_a_lead_meeting_the_definition_is_no_override(active_version, marketer, seller):
    lead = LeadFactory(score=65, last_name="Doe")
    change = lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    assert change.is_override is False
