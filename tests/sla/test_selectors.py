"""The read contracts other areas call, against numbers worked out by hand."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from leads.models import Lead
from leads.services import lead_transition, touch_log
from sla import detection, selectors
from tests.factories import LeadFactory

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=BERLIN), tick=False)


def test_compliance_counts_and_breached_leads(active_version, marketer, seller):
    on_time, late = LeadFactory(score=80, last_name="A"), LeadFactory(score=80, last_name="B")
    with at(2026, 11, 23, 9):
        for lead in (on_time, late):
            lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    with at(2026, 11, 23, 10):
        lead_transition(lead=Lead.objects.get(pk=on_time.pk), action="accept", actor=seller)
    with at(2026, 11, 23, 10, 30):
        touch_log(lead=Lead.objects.get(pk=on_time.pk), actor=seller, kind="call")
    detection.breaches_detect(now=datetime(2026, 11, 23, 17, 1, tzinfo=BERLIN))

    monday = datetime(2026, 11, 23, tzinfo=BERLIN)
    tuesday = datetime(2026, 11, 24, tzinfo=BERLIN)
    five_pm = datetime(2026, 11, 23, 17, tzinfo=BERLIN)
    # Sales: decision met (on_time), first touch met (on_time), decision breached (late).
    assert selectors.compliance_by_side(since=monday, until=tuesday) == {
        "marketing": None,
        "sales": 0.6667,
    }
    assert selectors.breach_counts_by_side(since=monday, until=tuesday) == {
        "marketing": 0,
        "sales": 1,
    }
    assert list(Lead.objects.filter(id__in=selectors.breached_lead_ids())) == [late]
    assert selectors.decision_due_by_lead([on_time.pk, late.pk, 999]) == {
        on_time.pk: five_pm,
        late.pk: five_pm,
    }
    (row,) = selectors.compliance_by_seller(since=monday, until=tuesday)
    assert (row["seller"], row["met"], row["breached"]) == (seller, 2, 1)


def test_without_clocks_nothing_is_due(db):
    assert selectors.decision_due_by_lead([]) == {}
    assert selectors.compliance_by_side(
        since=datetime(2026, 1, 1, tzinfo=BERLIN), until=datetime(2026, 2, 1, tzinfo=BERLIN)
    ) == {"marketing": None, "sales": None}


def test_at_risk_by_pace(active_version, marketer, seller):
    lead = LeadFactory(score=80, last_name="A")
    with at(2026, 11, 23, 9):
        lead_transition(lead=lead, action="qualify", actor=marketer, owner=seller)
    # Halfway through November, no MQL yet against a target of 10: at risk.
    (row,) = selectors.at_risk_targets(now=datetime(2026, 11, 16, tzinfo=BERLIN))
    assert row["mqls"] == 0
    assert row["volume_at_risk"] is True
