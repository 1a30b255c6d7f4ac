"""Pages of the leads area: thin, over leads.selectors and leads.services."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from leads import lifecycle, permissions, selectors


@login_required
def lead_detail(request, pk: int):
    """A lead, its timeline, and the actions the current user may take (only those)."""
    lead = selectors.lead_list_visible_to(request.user).filter(pk=pk).first()
    if lead is None:
        raise Http404("No such lead.")
    moves = [
        move
        for move in lifecycle.moves_from(lead.stage)
        if permissions.can_make_move(request.user, lead, move)
    ]
    return render(
        request,
        "leads/detail.html",
        {
            "lead": lead,
            "moves": moves,
            "history": selectors.lead_history(lead),
            "touches": selectors.lead_touches(lead),
        },
    )
