"""The two desks: sales' inbox (MQLs to decide, SALs and SQLs to work) and marketing's
queue of leads sales rejected. Their rows act with htmx (leads.views.lead_page)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from leads import permissions, selectors
from leads.views.common import page_of
from leads.views.rows import attach_moves, attach_sla_times, row_options

INBOX_PAGE_SIZE = 25  # each of the inbox's two lists
QUEUE_PAGE_SIZE = 50


def _works_the_inbox(user) -> bool:
    return user.is_sales or permissions.is_admin(user)


def _works_rejected_queue(user) -> bool:
    return user.is_marketing or permissions.is_admin(user)


@login_required
def inbox(request):
    """MQLs waiting for a decision (oldest hand-over first), then the SALs and SQLs worked."""
    if not _works_the_inbox(request.user):
        raise PermissionDenied("The inbox is sales' desk.")
    options = row_options(request.user)
    mqls = page_of(request, selectors.inbox_mqls_for(request.user), INBOX_PAGE_SIZE)
    attach_sla_times(mqls.object_list, options["now"])
    working = page_of(request, selectors.inbox_working_for(request.user), INBOX_PAGE_SIZE, "wpage")
    attach_moves([*mqls.object_list, *working.object_list], request.user)
    return render(
        request,
        "leads/inbox.html",
        {
            **options,
            "mqls": mqls,
            "working": working,
            "is_team_view": options["shows_owner"],
        },
    )


@login_required
def rejected(request):
    """Leads sales rejected, newest rejection first, for marketing to recycle or disqualify."""
    if not _works_rejected_queue(request.user):
        raise PermissionDenied("The rejected-leads queue is marketing's.")
    page = page_of(request, selectors.rejected_queue(), QUEUE_PAGE_SIZE)
    attach_moves(page.object_list, request.user)
    return render(
        request,
        "leads/rejected.html",
        {
            **row_options(request.user),
            "page_obj": page,
            "leads": page.object_list,
            "reason_labels": selectors.reason_code_labels(),
        },
    )
