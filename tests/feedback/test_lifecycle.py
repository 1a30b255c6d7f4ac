"""The status table itself, without a database."""

import pytest

from feedback import lifecycle
from feedback.models import Status


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [
        ("acknowledge", "new", "acknowledged"),
        ("action", "new", "actioned"),
        ("action", "acknowledged", "actioned"),
        ("decline", "new", "declined"),
        ("decline", "acknowledged", "declined"),
    ],
)
def test_allowed_moves(action, source, target):
    move = lifecycle.find_move(action, source)
    assert move is not None
    assert move.target == target
    assert lifecycle.find_move_to(target, source) == move


@pytest.mark.parametrize(
    ("action", "source"),
    [
        ("acknowledge", "acknowledged"),
        ("acknowledge", "actioned"),
        ("action", "actioned"),
        ("action", "declined"),
        ("decline", "declined"),
        ("decline", "actioned"),
        ("reopen", "declined"),
        ("acknowledge", "nonsense"),
    ],
)
def test_forbidden_moves(action, source):
    assert lifecycle.find_move(action, source) is None


def test_closing_needs_an_answer_acknowledging_does_not():
    assert lifecycle.find_move("acknowledge", Status.NEW).needs_answer is False
    assert all(move.needs_answer for move in lifecycle.MOVES if move.action != "acknowledge")


def test_final_statuses_have_no_way_out():
    assert lifecycle.moves_from(Status.ACTIONED) == []
    assert lifecycle.moves_from(Status.DECLINED) == []
