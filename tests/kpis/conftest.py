"""A small hand-built world whose funnel numbers are worked out by hand in the tests.

Two sales teams: "Sales" (the ``seller`` persona) and "Sales B" (``seller_b``).
The leads' first-reached timestamps are set directly: these tests are about reading
history that would take months of moves to produce (moves themselves are tested in
tests/leads). All times are UTC and at noon, except L3's, which sits at the January /
February boundary on purpose.

    lead  owner     source  segment  mql        sal          sql     won/lost
    L1    seller    web     smb      Jan 10     Jan 11       Feb 5   won Mar 1 (1000)
    L2    seller    event   smb      Jan 20     Feb 2        -       -
    L3    seller_b  web     ent      Jan 31 23:30 -          -       -
    L4    seller_b  event   ent      Feb 3      Feb 4 18:00  Feb 10  open SQL (500)
    L5    seller    web     smb      Jan 15     Mar 3        -       - (rejected Jan 16,
                                                                     recycled, handed over
                                                                     again Mar 2)
    L6    seller    web     ent      Feb 20     Feb 21       Feb 22  lost, closed Mar 10
    L7    -         web     smb      never an MQL
April has no events at all.
"""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.roles import Role
from leads.models import LeadStageChange, ReasonCode, Stage
from tests.factories import LeadFactory, TeamFactory, UserFactory

UTC = dt.UTC


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def seller_b(db):
    return UserFactory(
        username="seller_b", role=Role.SELLER, team=TeamFactory(name="Sales B", kind="sales")
    )


@pytest.fixture
def world(db, seller, seller_b):
    reason, _created = ReasonCode.objects.get_or_create(
        code="no_budget", defaults={"label": "No budget"}
    )
    leads = {
        "L1": LeadFactory(
            owner=seller,
            source="web",
            segment="smb",
            region="emea",
            stage=Stage.CUSTOMER,
            mql_at=at(1, 10),
            handed_over_at=at(1, 10),
            decided_at=at(1, 11),
            first_touch_at=at(1, 10, 14),
            sal_at=at(1, 11),
            sql_at=at(2, 5),
            won_at=at(3, 1),
            expected_amount=Decimal("1000"),
            won_amount=Decimal("1000"),
            close_date=dt.date(2026, 3, 1),
        ),
        "L2": LeadFactory(
            owner=seller,
            source="event",
            segment="smb",
            region="emea",
            stage=Stage.SAL,
            mql_at=at(1, 20),
            handed_over_at=at(1, 20),
            decided_at=at(2, 2),
            sal_at=at(2, 2),
        ),
        "L3": LeadFactory(
            owner=seller_b,
            source="web",
            segment="ent",
            region="na",
            stage=Stage.MQL,
            mql_at=at(1, 31, 23, 30),
            handed_over_at=at(1, 31, 23, 30),
        ),
        "L4": LeadFactory(
            owner=seller_b,
            source="event",
            segment="ent",
            region="na",
            stage=Stage.SQL,
            mql_at=at(2, 3),
            handed_over_at=at(2, 3),
            decided_at=at(2, 4, 18),
            first_touch_at=at(2, 5),
            sal_at=at(2, 4, 18),
            sql_at=at(2, 10),
            expected_amount=Decimal("500"),
        ),
        "L5": LeadFactory(
            owner=seller,
            source="web",
            segment="smb",
            region="emea",
            stage=Stage.SAL,
            mql_at=at(1, 15),
            handed_over_at=at(3, 2),
            decided_at=at(3, 3),
            sal_at=at(3, 3),
        ),
        "L6": LeadFactory(
            owner=seller,
            source="web",
            segment="ent",
            region="emea",
            stage=Stage.LOST,
            mql_at=at(2, 20),
            handed_over_at=at(2, 20),
            decided_at=at(2, 21),
            sal_at=at(2, 21),
            sql_at=at(2, 22),
            expected_amount=Decimal("800"),
            close_date=dt.date(2026, 3, 10),
        ),
        "L7": LeadFactory(source="web", segment="smb", stage=Stage.LEAD),
    }
    # L5's first hand-over was rejected on Jan 16 (then recycled and handed over again).
    LeadStageChange.objects.create(
        lead=leads["L5"],
        action="reject",
        from_stage=Stage.MQL,
        to_stage=Stage.REJECTED,
        actor=seller,
        reason_code=reason.code,
        created_at=at(1, 16),
    )
    return leads


@pytest.fixture
def q1_range():
    """[Jan 1, May 1) 2026 in UTC: January to April, April empty."""
    return at(1, 1, 0), at(5, 1, 0)
