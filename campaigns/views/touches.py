"""A campaign's touches: the list, and recording one or a CSV of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from campaigns import permissions, selectors, services
from campaigns.forms import TouchCsvForm, TouchForm
from campaigns.models import CampaignTouch
from campaigns.views.common import campaign_or_404
from smarketing.forms import add_service_errors


@login_required
def campaign_touches(request, pk: int):
    """The campaign's touches, newest first, with the forms to add one or a CSV of them."""
    campaign = campaign_or_404(request, pk)
    can_edit = permissions.can_edit_campaign(request.user, campaign)
    touch_form, csv_form, status = TouchForm(), TouchCsvForm(), 200
    item_errors: list[tuple[int, dict]] = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only marketing can record campaign touches.")
        if "file" in request.FILES or request.POST.get("form") == "csv":
            csv_form = TouchCsvForm(request.POST, request.FILES)
            if csv_form.is_valid():
                try:
                    outcome = services.campaign_touches_record_many(
                        campaign=campaign, actor=request.user, items=csv_form.cleaned_data["file"]
                    )
                except services.TouchItemsInvalid as error:
                    item_errors = sorted(error.item_errors.items())[:50]
                    csv_form.add_error(
                        "file",
                        f"{len(error.item_errors)} row(s) are invalid; nothing was saved.",
                    )
                else:
                    messages.success(
                        request,
                        f"{outcome['created']} touch(es) recorded, "
                        f"{outcome['already_recorded']} already there.",
                    )
                    return redirect("campaigns:touches", pk=campaign.pk)
        else:
            touch_form = TouchForm(request.POST)
            if touch_form.is_valid():
                lead = selectors.lead_by_email(touch_form.cleaned_data["lead_email"])
                if lead is None:
                    touch_form.add_error("lead_email", "No lead with this e-mail.")
                else:
                    try:
                        _touch, created = services.campaign_touch_record(
                            campaign=campaign,
                            lead=lead,
                            actor=request.user,
                            kind=touch_form.cleaned_data["kind"],
                            occurred_at=touch_form.cleaned_data["occurred_at"],
                        )
                    except ValidationError as error:
                        add_service_errors(touch_form, error)
                    else:
                        messages.success(
                            request,
                            "Touch recorded." if created else "That touch was already there.",
                        )
                        return redirect("campaigns:touches", pk=campaign.pk)
        status = 400
    page = Paginator(selectors.campaign_touches(campaign, request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "campaigns/touches.html",
        {
            "campaign": campaign,
            "page_obj": page,
            "touches": page.object_list,
            "can_edit": can_edit,
            "touch_form": touch_form,
            "csv_form": csv_form,
            "kinds": CampaignTouch.Kind.values,
            # Row numbers as in the file: the header is line 1.
            "item_errors": [(index + 2, errors) for index, errors in item_errors],
        },
        status=status,
    )
