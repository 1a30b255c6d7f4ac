"""Writes for feedback. (Filled in by the feedback issue; the leads lifecycle calls the hook.)"""

from leads.models import LeadStageChange


def feedback_record_rejection(*, change: LeadStageChange) -> None:
    """Every MQL rejection is lead-quality feedback to marketing."""
    return
