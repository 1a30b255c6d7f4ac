"""Writes for SLAs. (Filled in by the SLA issue; the leads lifecycle calls these hooks.)"""

from datetime import datetime

from accounts.models import User
from leads.models import Lead


def mql_definition_check(*, lead: Lead, actor: User, override_reason: str = "") -> bool:
    """Refuse (ValidationError) to qualify ``lead`` to MQL if it misses the active MQL definition.

    Returns True when a manager's override was used. Until an SLA is active, every lead
    meets the definition.
    """
    return False


def sla_clock_start(*, lead: Lead, handed_over_at: datetime) -> None:
    """Record which SLA version judges this hand-over, and its due times."""
    return
