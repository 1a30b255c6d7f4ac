"""Pages of the feedback area: thin, over feedback.selectors and feedback.services."""

from datetime import date, datetime, time, timedelta
from typing import TypedDict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from feedback import charts, lifecycle, permissions, selectors, services
from feedback.filters import FeedbackFilter
from feedback.forms import CommentForm, FeedbackCreateForm, FeedbackMoveForm
from feedback.models import FeedbackItem, Kind, Status
from leads import selectors as lead_selectors
from leads.models import Account, Lead
from smarketing.errors import DomainError
from smarketing.forms import add_service_errors

PAGE_SIZE = 25


def _create_form(request, data=None) -> FeedbackCreateForm:
    """The give-feedback form, prefilled from ?lead=, ?campaign= or ?account=."""
    initial: dict[str, int | str] = {}
    for name in ("lead", "campaign", "account"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    visible_leads = lead_selectors.lead_list_visible_to(request.user)
    if initial.get("lead") and not visible_leads.filter(pk=initial["lead"]).exists():
        del initial["lead"]  # not theirs: open an empty form rather than a broken one
    if initial.get("campaign"):
        initial.setdefault("kind", Kind.CAMPAIGN)
    elif initial.get("lead"):
        initial.setdefault("kind", Kind.LEAD_QUALITY)
    form = FeedbackCreateForm(data, initial=initial, leads=visible_leads)
    subject_given = (data or initial).get("lead") or (data or initial).get("account")
    if subject_given:
        # About a lead or an account already: a campaign choice would only contradict it.
        form.fields["campaign"].widget = forms.HiddenInput()
    return form


@login_required
def board(request):
    """Every feedback item, filtered; counts per status; the median time to answer."""
    items = selectors.feedback_items()
    feedback_filter = FeedbackFilter(request.GET or None, queryset=items)
    filtered = feedback_filter.qs if feedback_filter.is_bound else items
    # Counts per status follow every filter except the status filter itself.
    without_status = request.GET.copy()
    without_status.pop("status", None)
    count_filter = FeedbackFilter(without_status or None, queryset=FeedbackItem.objects.all())
    counted = count_filter.qs if count_filter.is_bound else FeedbackItem.objects.all()
    counts = selectors.status_counts(counted)
    page = Paginator(filtered.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "feedback/board.html",
        {
            "filter": feedback_filter,
            "page_obj": page,
            "counts": [(status, label, counts[status]) for status, label in Status.choices],
            "total": sum(counts.values()),
            "median": selectors.median_time_to_answer(),
            "unanswered": selectors.unanswered_count(),
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
            "create_form": _create_form(request)
            if permissions.can_give_feedback(request.user)
            else None,
        },
    )


@login_required
def create(request):
    """Give feedback; reached from the board and from the lead, inbox and campaign pages."""
    if not permissions.can_give_feedback(request.user):
        raise PermissionDenied("Only sales gives feedback; marketing answers it.")
    form = _create_form(request, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.feedback_create(author=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Thank you: marketing sees your feedback now.")
                return redirect("feedback:detail", pk=item.pk)
        status = 400
    subject: Lead | Campaign | Account | None = None
    lead_id = form["lead"].value() if "lead" not in form.errors else None
    if lead_id and str(lead_id).isdigit():
        subject = lead_selectors.lead_list_visible_to(request.user).filter(pk=lead_id).first()
    campaign_id = form["campaign"].value()
    if subject is None and campaign_id and str(campaign_id).isdigit():
        subject = Campaign.objects.filter(pk=campaign_id).first()
    account_id = form["account"].value()
    if subject is None and account_id and str(account_id).isdigit():
        subject = Account.objects.filter(pk=account_id).first()
    return render(
        request, "feedback/create.html", {"form": form, "subject": subject}, status=status
    )


@login_required
def detail(request, pk: int):
    """One item: what was said, marketing's answer, its history and its thread."""
    item = get_object_or_404(selectors.feedback_items(), pk=pk)
    return _render_detail(request, item)


def _render_detail(request, item, *, move_form=None, comment_form=None, status=200):
    user = request.user
    return render(
        request,
        "feedback/detail.html",
        {
            "item": item,
            "history": selectors.item_history(item),
            "comments": selectors.item_comments(item),
            "moves": lifecycle.moves_from(item.status) if permissions.can_answer(user) else [],
            "move_form": move_form or FeedbackMoveForm(),
            "comment_form": comment_form or CommentForm(),
            "can_comment": permissions.can_comment(user, item),
        },
        status=status,
    )


@login_required
@require_POST
def move(request, pk: int):
    """Acknowledge, action or decline, with an answer. From the queue (htmx) or the item page."""
    item = get_object_or_404(selectors.feedback_items(), pk=pk)
    form = FeedbackMoveForm(request.POST)
    error_message = None
    if form.is_valid():
        try:
            services.feedback_transition(
                item=item,
                action=form.cleaned_data["action"],
                actor=request.user,
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            error_message = " ".join(error.messages)
        except DomainError as error:
            form.add_error(None, error.message)
            error_message = error.message
    else:
        error_message = "Choose what to do with it."
    if request.htmx:
        item = selectors.feedback_items().get(pk=pk)
        return render(
            request,
            "feedback/_queue_row.html",
            {"item": item, "error": error_message, "posted_answer": request.POST.get("answer", "")},
        )
    if error_message:
        return _render_detail(request, item, move_form=form, status=400)
    messages.success(request, f"Feedback {item.get_status_display().lower()}.")
    return redirect("feedback:detail", pk=item.pk)


@login_required
@require_POST
def comment(request, pk: int):
    item = get_object_or_404(selectors.feedback_items(), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_comment_add(
                item=item, author=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(reverse("feedback:detail", args=[item.pk]) + "#thread")
    return _render_detail(request, item, comment_form=form, status=400)


@login_required
def queue(request):
    """Marketing's queue: unanswered and acknowledged feedback, oldest first."""
    page = Paginator(selectors.feedback_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/queue.html",
        {
            "page_obj": page,
            "can_answer": permissions.can_answer(request.user),
            "median": selectors.median_time_to_answer(),
            "unanswered": selectors.unanswered_count(),
        },
    )


THEME_PERIODS = {"3": 3, "6": 6, "12": 12}


class ThemeWindow(TypedDict):
    since: datetime
    until: datetime


@login_required
def themes(request):
    """What prospects say: top tags, objections and competitors per month and campaign."""
    months = THEME_PERIODS.get(request.GET.get("months", "6"), 6)
    today = timezone.localdate()
    first_month = date(today.year, today.month, 1)
    for _step in range(months - 1):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    since = timezone.make_aware(datetime.combine(first_month, time.min))
    until = timezone.now() + timedelta(seconds=1)
    window: ThemeWindow = {"since": since, "until": until}
    tags = selectors.top_tags(**window, limit=15)
    objections_by_month = selectors.tags_by_month(**window, kind=Kind.OBJECTION)
    competitors_by_month = selectors.competitors_by_month(**window)
    return render(
        request,
        "feedback/themes.html",
        {
            "months": months,
            "periods": THEME_PERIODS,
            "since": first_month,
            "top_tags": tags,
            "top_objections": selectors.top_tags(**window, kind=Kind.OBJECTION, limit=10),
            "top_competitors": selectors.top_competitors(**window, limit=10),
            "objections_by_campaign": selectors.tags_by_campaign(**window, kind=Kind.OBJECTION),
            "competitors_by_campaign": selectors.competitors_by_campaign(**window),
            "tags_chart": charts.top_tags_chart(tags) if tags else None,
            "objections_chart": charts.by_month_chart(objections_by_month, "Objections per month")
            if objections_by_month
            else None,
            "competitors_chart": charts.by_month_chart(
                competitors_by_month, "Competitor mentions per month"
            )
            if competitors_by_month
            else None,
        },
    )
