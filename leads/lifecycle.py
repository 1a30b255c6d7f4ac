"""Which lifecycle moves exist, and everything each one needs: pure data and pure functions.

Read it next to the diagram in DOMAIN.md §2. The service (leads.services.moves), the forms
and the buttons of every page are built from this table; no template or view lists the
moves by hand.
"""

from dataclasses import dataclass

from leads.models import ChangeAction, Stage

MARKETING = "marketing"
SALES = "sales"

# Which amount a move records on the lead.
EXPECTED_AMOUNT = "expected_amount"
WON_AMOUNT = "won_amount"

# How a move's button looks: "ok" moves the lead forward, "danger" takes it off the path.
OK, DANGER, NEUTRAL = "ok", "danger", "neutral"


@dataclass(frozen=True)
class Move:
    action: ChangeAction
    source: Stage
    target: Stage
    side: str  # the team kind that may make the move
    label: str  # the button and the form title
    needs_reason: bool = False
    # The amount the move records (EXPECTED_AMOUNT or WON_AMOUNT), required; "" for none.
    amount: str = ""
    # Whether the form offers a comment ("expected" for a rejection: marketing reads it).
    takes_comment: bool = True
    # Reaching MQL: an owner in sales is chosen and the SLA clock starts.
    is_handover: bool = False
    # Asked before the move is made, for moves that cannot be taken back.
    confirm: str = ""
    tone: str = NEUTRAL

    @property
    def amount_label(self) -> str:
        return {EXPECTED_AMOUNT: "Expected amount", WON_AMOUNT: "Won amount"}.get(self.amount, "")


MOVES = (
    Move(
        ChangeAction.QUALIFY,
        Stage.LEAD,
        Stage.MQL,
        MARKETING,
        "Qualify to MQL",
        is_handover=True,
        tone=OK,
    ),
    Move(ChangeAction.ACCEPT, Stage.MQL, Stage.SAL, SALES, "Accept", takes_comment=False, tone=OK),
    Move(
        ChangeAction.REJECT,
        Stage.MQL,
        Stage.REJECTED,
        SALES,
        "Reject",
        needs_reason=True,
        confirm="Reject this MQL? It goes back to marketing with your reason.",
        tone=DANGER,
    ),
    Move(
        ChangeAction.QUALIFY,
        Stage.SAL,
        Stage.SQL,
        SALES,
        "Qualify to SQL",
        amount=EXPECTED_AMOUNT,
        tone=OK,
    ),
    Move(
        ChangeAction.RECYCLE,
        Stage.SAL,
        Stage.LEAD,
        SALES,
        "Recycle",
        needs_reason=True,
        tone=DANGER,
    ),
    Move(ChangeAction.RECYCLE, Stage.REJECTED, Stage.LEAD, MARKETING, "Recycle", needs_reason=True),
    Move(
        ChangeAction.DISQUALIFY,
        Stage.REJECTED,
        Stage.DISQUALIFIED,
        MARKETING,
        "Disqualify",
        confirm="Disqualify this lead for good?",
        tone=DANGER,
    ),
    Move(
        ChangeAction.WIN,
        Stage.SQL,
        Stage.CUSTOMER,
        SALES,
        "Win",
        amount=WON_AMOUNT,
        takes_comment=False,
        confirm="Mark this deal as won? The revenue counts from today.",
        tone=OK,
    ),
    Move(
        ChangeAction.LOSE,
        Stage.SQL,
        Stage.LOST,
        SALES,
        "Lose",
        needs_reason=True,
        confirm="Mark this deal as lost?",
        tone=DANGER,
    ),
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
# Stages that end the lead's way down the waterfall (a close date is recorded).
CLOSED_STAGES = frozenset({Stage.CUSTOMER, Stage.LOST})

_MOVES_BY_KEY: dict[tuple[str, str], Move] = {(move.action, move.source): move for move in MOVES}


def find_move(action: str, source: str) -> Move | None:
    """The move ``action`` from stage ``source``, or None when no such move exists."""
    if source not in Stage.values:
        return None
    return _MOVES_BY_KEY.get((action, Stage(source)))


def find_move_to(target: str, source: str) -> Move | None:
    """The move from ``source`` that reaches ``target`` (there is at most one)."""
    return next((move for move in MOVES if move.source == source and move.target == target), None)


def moves_from(source: str) -> list[Move]:
    return [move for move in MOVES if move.source == source]


def allowed_actions(source: str) -> list[str]:
    return [move.action for move in moves_from(source)]
