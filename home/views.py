"""Each role's home page: what it works on today, from every area's selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from leads import permissions as lead_permissions
from leads import selectors as lead_selectors


@login_required
def home(request):
    """Each role's starting point: what it works on today.

    The cards' counts are a few indexed COUNTs, only those the role's cards show.
    """
    user = request.user
    context = {"role": user.role}
    if user.is_sales:
        context["mqls_waiting"] = lead_selectors.inbox_mqls_waiting_count(user)
    if user.is_marketing:
        context["leads_to_qualify"] = lead_selectors.leads_to_qualify_count()
        context["rejected_waiting"] = lead_selectors.rejected_count()
    if lead_permissions.can_manage_reason_codes(user):
        context["manages_reason_codes"] = True
    return render(request, "home/home.html", context)
