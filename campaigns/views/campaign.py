"""A campaign's page, its plan (create, edit) and its status moves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from campaigns import analytics, charts, lifecycle, permissions, selectors, services
from campaigns.forms import CampaignForm, ChecklistItemForm, MoveForm, ReviewForm, SpendForm
from campaigns.models import Campaign
from campaigns.views.common import campaign_or_404
from smarketing.errors import DomainError
from smarketing.forms import add_service_errors


@login_required
def campaign_create(request):
    if not permissions.can_edit_campaign(request.user):
        raise PermissionDenied("Only marketing can create campaigns.")
    form = CampaignForm(
        request.POST or None, initial={"marketing_owner": request.user, "budget": 0}
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user,
                target_accounts=form.cleaned_data["target_accounts"],
                **form.plan(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Campaign “{campaign}” planned.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "title": "Plan a campaign"},
        status=400 if form.errors else 200,
    )


@login_required
def campaign_edit(request, pk: int):
    campaign = campaign_or_404(request, pk)
    if not permissions.can_edit_campaign(request.user, campaign):
        raise PermissionDenied("Only marketing can edit campaigns.")
    can_edit_budget = permissions.can_edit_budget(request.user, campaign)
    form = CampaignForm(request.POST or None, instance=campaign, can_edit_budget=can_edit_budget)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                campaign=campaign,
                actor=request.user,
                target_accounts=form.cleaned_data["target_accounts"],
                **form.plan(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Campaign saved.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "campaign": campaign, "title": f"Edit {campaign}"},
        status=400 if form.errors else 200,
    )


def _detail_context(request, campaign: Campaign, **forms) -> dict:
    model = request.GET.get("model", selectors.DEFAULT_MODEL)
    if model not in selectors.MODELS:
        model = selectors.DEFAULT_MODEL
    result = analytics.campaign_result(campaign, model=model)
    monthly = analytics.spend_vs_revenue_by_month(campaign, model=model)
    user = request.user
    return {
        "campaign": campaign,
        "result": result,
        "model": model,
        "model_label": selectors.MODEL_LABELS[model],
        "models": [(key, selectors.MODEL_LABELS[key]) for key in selectors.MODELS],
        "funnel_chart": (
            charts.to_html(charts.funnel_chart(result)) if result["leads_influenced"] else None
        ),
        "money_chart": (
            charts.to_html(charts.spend_vs_revenue_chart(monthly)) if not monthly.empty else None
        ),
        "accounts": selectors.target_accounts_engagement(campaign),
        **selectors.campaign_plan_and_logs(campaign),
        "moves": lifecycle.moves_from(campaign.status),
        "can_edit": permissions.can_edit_campaign(user, campaign),
        "can_edit_budget": permissions.can_edit_budget(user, campaign),
        "can_review": permissions.can_write_review(user, campaign),
        "spend_form": forms.get("spend_form")
        or SpendForm(initial={"spent_on": timezone.localdate()}),
        "checklist_form": forms.get("checklist_form") or ChecklistItemForm(),
        "review_form": forms.get("review_form") or ReviewForm(),
        "move_form": forms.get("move_form") or MoveForm(),
        "today": timezone.localdate(),
    }


@login_required
def campaign_detail(request, pk: int):
    """Objectives vs results under the chosen attribution model, charts, plan and logs."""
    campaign = campaign_or_404(request, pk)
    return render(request, "campaigns/detail.html", _detail_context(request, campaign))


def detail_with_errors(request, campaign, **forms):
    messages.error(request, "Please correct the errors below.")
    return render(
        request, "campaigns/detail.html", _detail_context(request, campaign, **forms), status=400
    )


@login_required
@require_POST
def campaign_move(request, pk: int):
    campaign = campaign_or_404(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return detail_with_errors(request, campaign, move_form=form)
    try:
        change = services.campaign_move(
            campaign=campaign,
            actor=request.user,
            action=form.cleaned_data["action"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Campaign is now {change.get_to_status_display().lower()}.")
    return redirect("campaigns:detail", pk=campaign.pk)
