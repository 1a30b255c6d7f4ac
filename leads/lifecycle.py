"""Which lifecycle moves exist, from which stage, to which stage, and which side makes them.

Pure data and pure functions: read it next to the diagram in DOMAIN.md §2.
"""

from dataclasses import dataclass

from leads.models import Stage

MARKETING = "marketing"
SALES = "sales"


@dataclass(frozen=True)
class Move:
    action: str
    source: Stage
    target: Stage
    side: str  # the team kind that may make the move
    needs_reason: bool = False
    needs_amount: bool = False  # expected amount (qualify to SQL) or won amount (win)


MOVES = (
    Move("qualify", Stage.LEAD, Stage.MQL, MARKETING),
    Move("accept", Stage.MQL, Stage.SAL, SALES),
    Move("reject", Stage.MQL, Stage.REJECTED, SALES, needs_reason=True),
    Move("qualify", Stage.SAL, Stage.SQL, SALES),
    Move("recycle", Stage.SAL, Stage.LEAD, SALES, needs_reason=True),
    Move("recycle", Stage.REJECTED, Stage.LEAD, MARKETING, needs_reason=True),
    Move("disqualify", Stage.REJECTED, Stage.DISQUALIFIED, MARKETING),
    Move("win", Stage.SQL, Stage.CUSTOMER, SALES, needs_amount=True),
    Move("lose", Stage.SQL, Stage.LOST, SALES, needs_reason=True),
)

ACTIONS = tuple(dict.fromkeys(move.action for move in MOVES))

# The field that records the first time a lead reached a stage.
FIRST_REACHED = {
    Stage.MQL: "mql_at",
    Stage.SAL: "sal_at",
    Stage.SQL: "sql_at",
    Stage.CUSTOMER: "won_at",
}

# Stages in which the lead is sales' to work: it has an owner in sales.
SALES_STAGES = frozenset({Stage.MQL, Stage.SAL, Stage.SQL})

_MOVES_BY_KEY = {(move.action, move.source): move for move in MOVES}


def find_move(action: str, source: str) -> Move | None:
    """The move ``action`` from stage ``source``, or None when no such move exists."""
    if source not in Stage.values:
        return None
    return _MOVES_BY_KEY.get((action, Stage(source)))


def moves_from(source: str) -> list[Move]:
    return [move for move in MOVES if move.source == source]


def allowed_actions(source: str) -> list[str]:
    return [move.action for move in moves_from(source)]
