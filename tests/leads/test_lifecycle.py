"""The transition table itself, without a database: exactly the moves of DOMAIN.md §2."""

import pytest

from leads import lifecycle
from leads.models import Stage

ALLOWED = {
    ("qualify", Stage.LEAD): (Stage.MQL, "marketing"),
    ("accept", Stage.MQL): (Stage.SAL, "sales"),
    ("reject", Stage.MQL): (Stage.REJECTED, "sales"),
    ("qualify", Stage.SAL): (Stage.SQL, "sales"),
    ("recycle", Stage.SAL): (Stage.LEAD, "sales"),
    ("recycle", Stage.REJECTED): (Stage.LEAD, "marketing"),
    ("disqualify", Stage.REJECTED): (Stage.DISQUALIFIED, "marketing"),
    ("win", Stage.SQL): (Stage.CUSTOMER, "sales"),
    ("lose", Stage.SQL): (Stage.LOST, "sales"),
}


@pytest.mark.parametrize(("action", "source"), list(ALLOWED))
def test_each_allowed_move_leads_where_the_diagram_says(action, source):
    move = lifecycle.find_move(action, source)

    assert (move.target, move.side) == ALLOWED[(action, source)]


@pytest.mark.parametrize("source", Stage.values)
@pytest.mark.parametrize("action", lifecycle.ACTIONS)
def test_every_other_move_does_not_exist(action, source):
    if (action, source) in ALLOWED:
        return
    assert lifecycle.find_move(action, source) is None


def test_reasons_are_required_exactly_for_reject_recycle_and_lose():
    needing = {(m.action, m.source) for m in lifecycle.MOVES if m.needs_reason}

    assert needing == {
        ("reject", Stage.MQL),
        ("recycle", Stage.SAL),
        ("recycle", Stage.REJECTED),
        ("lose", Stage.SQL),
    }


def test_customer_and_lost_and_disqualified_are_final():
    for stage in (Stage.CUSTOMER, Stage.LOST, Stage.DISQUALIFIED):
        assert lifecycle.allowed_actions(stage) == []


def test_an_unknown_stage_has_no_moves():
    assert lifecycle.find_move("accept", "banana") is None
