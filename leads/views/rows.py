"""The rows of the inbox and the rejected queue, which act one lead at a time with htmx.

A POST carrying ``row`` answers with that row's new state (or a short "done" row when
the lead left the list); these are what a row needs to be drawn, on its page or alone.
"""

from django.utils import timezone

from leads import permissions, selectors
from leads.models import TouchKind

# Rows the inbox and the rejected queue re-render after an htmx action.
ROW_TEMPLATES = {
    "mql": "leads/_row_mql.html",
    "working": "leads/_row_working.html",
    "rejected": "leads/_row_rejected.html",
}

# Where a row's form goes back to when the browser posted it without htmx.
ROW_PAGES = {"mql": "leads:inbox", "working": "leads:inbox", "rejected": "leads:rejected"}


def attach_sla_times(leads, now) -> None:
    """Give each MQL its waiting time and the time left to its decision deadline.

    The deadline is the lead's own ``decision_due_at`` (the SLA sets it at the
    hand-over); a lead without one has no deadline (``due_at`` None).
    """
    for lead in leads:
        lead.waited = now - lead.handed_over_at if lead.handed_over_at else None
        lead.due_at = lead.decision_due_at
        lead.time_left = lead.due_at - now if lead.due_at else None
        lead.is_overdue = lead.time_left is not None and lead.time_left.total_seconds() < 0
        if lead.is_overdue:
            lead.overdue_by = -lead.time_left


def attach_moves(leads, user) -> None:
    """Give each lead the moves ``user`` may make on it: its row's buttons (no query)."""
    for lead in leads:
        lead.allowed_moves = permissions.moves_allowed(user, lead)


def row_options(user) -> dict:
    """What every inbox or queue row needs: fetched once per page, not once per row."""
    options = {
        "reason_codes": list(selectors.reason_codes_active()),
        "touch_kinds": TouchKind.choices,
        "shows_owner": selectors.inbox_shows_owner(user),
        "now": timezone.now(),
    }
    if options["shows_owner"]:
        options["sellers"] = list(selectors.sellers_for_reassignment(user))
    return options
