"""Pages of the campaigns area: thin, over campaigns.selectors, analytics and services."""

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from campaigns import analytics, charts, lifecycle, permissions, selectors, services
from campaigns.forms import (
    CampaignFilterForm,
    CampaignForm,
    ChecklistItemForm,
    ComparisonForm,
    MoveForm,
    ReviewForm,
    SpendForm,
    TouchCsvForm,
    TouchForm,
)
from campaigns.models import Campaign
from smarketing.errors import DomainError
from smarketing.forms import add_service_errors

PAGE_SIZE = 25


def _campaign_or_404(request, pk: int) -> Campaign:
    campaign = selectors.campaign_visible_to(request.user, pk)
    if campaign is None:
        # 404, not 403: a seller must not learn that an unrelated campaign exists.
        raise Http404("No such campaign.")
    return campaign


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
    campaign = _campaign_or_404(request, pk)
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
    campaign = _campaign_or_404(request, pk)
    return render(request, "campaigns/detail.html", _detail_context(request, campaign))


def _detail_with_errors(request, campaign, **forms):
    messages.error(request, "Please correct the errors below.")
    return render(
        request, "campaigns/detail.html", _detail_context(request, campaign, **forms), status=400
    )


@login_required
@require_POST
def campaign_move(request, pk: int):
    campaign = _campaign_or_404(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _detail_with_errors(request, campaign, move_form=form)
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


@login_required
@require_POST
def spend_add(request, pk: int):
    campaign = _campaign_or_404(request, pk)
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
    return _detail_with_errors(request, campaign, spend_form=form)


@login_required
@require_POST
def checklist_add(request, pk: int):
    campaign = _campaign_or_404(request, pk)
    if not permissions.can_edit_campaign(request.user, campaign):
        raise PermissionDenied("Only marketing can edit the checklist.")
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        services.checklist_item_add(campaign=campaign, actor=request.user, **form.cleaned_data)
        messages.success(request, "Checklist item added.")
        return redirect(reverse("campaigns:detail", args=[campaign.pk]) + "#checklist")
    return _detail_with_errors(request, campaign, checklist_form=form)


@login_required
@require_POST
def checklist_toggle(request, pk: int, item_pk: int):
    campaign = _campaign_or_404(request, pk)
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
    campaign = _campaign_or_404(request, pk)
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
    return _detail_with_errors(request, campaign, review_form=form)


@login_required
def campaign_touches(request, pk: int):
    """The campaign's touches, newest first, with the forms to add one or a CSV of them."""
    campaign = _campaign_or_404(request, pk)
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
            # Row numbers as in the file: the header is line 1.
            "item_errors": [(index + 2, errors) for index, errors in item_errors],
        },
        status=status,
    )


COMPARISON_COLUMNS = [
    ("name", "Campaign"),
    ("type", "Type"),
    ("status", "Status"),
    ("start_date", "Start"),
    ("end_date", "End"),
    ("spend", "Spend"),
    ("mqls", "MQLs"),
    ("sqls", "SQLs"),
    ("customers", "Customers"),
    ("pipeline", "Pipeline"),
    ("revenue", "Revenue"),
    ("cost_per_mql", "Cost per MQL"),
    ("cost_per_sql", "Cost per SQL"),
    ("cost_per_customer", "Cost per customer"),
    ("roi", "ROI"),
]


@login_required
def campaign_comparison(request):
    """Campaigns side by side for a period: cost per SQL and ROI, sortable, CSV export."""
    today = timezone.localdate()
    form = ComparisonForm(
        request.GET
        or {
            "since": date(today.year, 1, 1),
            "until": today,
            "model": selectors.DEFAULT_MODEL,
            "sort": analytics.COMPARISON_DEFAULT_SORT,
        }
    )
    rows, totals = [], None
    if form.is_valid():
        data = form.cleaned_data
        rows, totals = analytics.campaign_comparison(
            selectors.campaigns_running_between(request.user, data["since"], data["until"]),
            since=data["since"],
            until=data["until"],
            model=data["model"],
            sort=data["sort"],
        )
        if request.GET.get("format") == "csv":
            return _comparison_csv(rows, data)
    return render(
        request,
        "campaigns/comparison.html",
        {
            "form": form,
            "rows": rows,
            "totals": totals,
        },
        status=200 if form.is_valid() else 400,
    )


def _comparison_csv(rows: list[dict], data: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"campaigns-{data['since']}-{data['until']}-{data['model']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([key for key, _label in COMPARISON_COLUMNS])
    for row in rows:
        writer.writerow(
            ["" if row[key] is None else row[key] for key, _label in COMPARISON_COLUMNS]
        )
    return response
