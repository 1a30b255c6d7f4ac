"""What the campaign page records: spend, checklist items and review notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaigns import permissions, selectors, services
from campaigns.forms import ChecklistItemForm, ReviewForm, SpendForm
from campaigns.views.campaign import detail_with_errors
from campaigns.views.common import campaign_or_404
from smarketing.forms import add_service_errors


@login_required
@require_POST
def spend_add(request, pk: int):
    campaign = campaign_or_404(request, pk)
    if not permissions.can_edit_budget(request.user, campaign):
        raise PermissionDenied("Only marketing can record spend.")
    form = SpendForm(request.POST)
    if form.is_valid():
        try:
            services.spend_add(campaign=campaign, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Spend recorded.")
            return redirect(reverse("campaigns:detail", args=[campaign.pk]) + "#spend")
    return detail_with_errors(request, campaign, spend_form=form)


@login_required
@require_POST
def checklist_add(request, pk: int):
    campaign = campaign_or_404(request, pk)
    if not permissions.can_edit_campaign(request.user, campaign):
        raise PermissionDenied("Only marketing can edit the checklist.")
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        services.checklist_item_add(campaign=campaign, actor=request.user, **form.cleaned_data)
        messages.success(request, "Checklist item added.")
        return redirect(reverse("campaigns:detail", args=[campaign.pk]) + "#checklist")
    return detail_with_errors(request, campaign, checklist_form=form)


@login_required
@require_POST
def checklist_toggle(request, pk: int, item_pk: int):
    campaign = campaign_or_404(request, pk)
    item = selectors.checklist_item_of(campaign, item_pk)
    if item is None:
        raise Http404("No such checklist item.")
    services.checklist_item_set_done(
        item=item, actor=request.user, is_done=request.POST.get("is_done") == "1"
    )
    return redirect(reverse("campaigns:detail", args=[campaign.pk]) + "#checklist")


@login_required
@require_POST
def review_add(request, pk: int):
    campaign = campaign_or_404(request, pk)
    if not permissions.can_write_review(request.user, campaign):
        raise PermissionDenied("Only marketing and sales write in the review log.")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_add(campaign=campaign, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review note added.")
            return redirect(reverse("campaigns:detail", args=[campaign.pk]) + "#reviews")
    return detail_with_errors(request, campaign, review_form=form)
