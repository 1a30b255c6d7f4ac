"""Every lead the user may see: filtered, sorted and paginated (leads.filters)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from leads import permissions, selectors
from leads.filters import LeadPageFilter
from leads.models import Stage
from leads.views.common import page_of

PAGE_SIZE = 50


@login_required
def lead_list(request):
    """Every lead the user may see, filtered, sorted and paginated; filters survive paging."""
    filterset = LeadPageFilter(
        request.GET, queryset=selectors.lead_list_visible_to(request.user), request=request
    )
    filterset.form.fields["owner"].empty_label = "Anyone"
    page = page_of(request, filterset.qs, PAGE_SIZE)
    # The export takes the list's filters (not its page or sort: it is every lead, by id).
    export_query = request.GET.copy()
    for name in ("page", "sort"):
        export_query.pop(name, None)
    return render(
        request,
        "leads/list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "leads": page.object_list,
            "sort": filterset.sort_key(),
            "sort_default": LeadPageFilter.SORT_DEFAULT,
            "is_filtered": filterset.is_filtered(),
            "can_create": permissions.can_edit_lead(request.user),
            "stages": Stage.choices,
            "selected_stages": request.GET.getlist("stage"),
            "export_query": export_query.urlencode(),
        },
    )
