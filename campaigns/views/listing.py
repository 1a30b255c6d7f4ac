"""The list and the quarter calendar: the campaigns a user may see."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from campaigns import permissions, selectors
from campaigns.forms import CampaignFilterForm

PAGE_SIZE = 25


@login_required
def campaign_list(request):
    """The campaigns the user may see, filtered, sorted and paginated."""
    form = CampaignFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    campaigns = selectors.campaign_list_for(request.user, **filters)
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/list.html",
        {
            "form": form,
            "page_obj": page,
            "campaigns": page.object_list,
            "can_create": permissions.can_edit_campaign(request.user),
            "is_filtered": bool(request.GET.dict().keys() - {"page", "sort"}),
        },
    )


@login_required
def campaign_calendar(request):
    """The quarter's campaigns as a timeline, one bar per campaign."""
    try:
        anchor = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        anchor = timezone.localdate()
    return render(
        request, "campaigns/calendar.html", selectors.campaign_calendar(request.user, anchor)
    )
