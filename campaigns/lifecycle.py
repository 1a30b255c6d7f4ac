"""Which status moves a campaign may make. Pure data: planned → active → completed, or cancelled."""

from campaigns.models import CampaignStatus

# {from status: {action: to status}}
MOVES: dict[str, dict[str, str]] = {
    CampaignStatus.PLANNED: {"start": CampaignStatus.ACTIVE, "cancel": CampaignStatus.CANCELLED},
    CampaignStatus.ACTIVE: {
        "complete": CampaignStatus.COMPLETED,
        "cancel": CampaignStatus.CANCELLED,
    },
    CampaignStatus.COMPLETED: {},
    CampaignStatus.CANCELLED: {},
}

ACTION_LABELS = {"start": "Start", "complete": "Complete", "cancel": "Cancel"}


def actions_from(status: str) -> dict[str, str]:
    """The actions available from ``status`` and where each leads."""
    return MOVES.get(status, {})


def target_of(status: str, action: str) -> str | None:
    return MOVES.get(status, {}).get(action)


def moves_from(status: str) -> list[tuple[str, str]]:
    """The (action, label) pairs of the buttons a campaign in ``status`` shows."""
    return [(action, ACTION_LABELS[action]) for action in actions_from(status)]
