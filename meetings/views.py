"""Pages of the weekly meeting: thin, over meetings.services."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from meetings import permissions, services
from meetings.forms import BriefWeekForm
from meetings.models import WeeklyBrief

PAGE_SIZE = 25


@login_required
def brief_list(request):
    """Every week's brief, newest first; managers build one on demand."""
    page = Paginator(
        WeeklyBrief.objects.select_related("built_by").order_by("-week_start"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    last_week = services.week_start_of(timezone.localdate()) - timedelta(days=7)
    return render(
        request,
        "meetings/brief_list.html",
        {
            "page_obj": page,
            "can_build": permissions.can_build_brief(request.user),
            "form": BriefWeekForm(initial={"week": last_week}),
        },
    )


@login_required
@require_POST
def brief_build(request):
    if not permissions.can_build_brief(request.user):
        raise PermissionDenied("Only managers build the weekly brief.")
    form = BriefWeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a day of the week to build the brief for.")
        return redirect("meetings:briefs")
    week_start = services.week_start_of(form.cleaned_data["week"])
    services.weekly_brief_build(week_start=week_start, actor=request.user)
    messages.success(request, f"Brief of the week of {week_start:%d %b %Y} built.")
    return redirect("meetings:brief", week=f"{week_start:%Y-%m-%d}")


def _brief_or_404(week: str) -> WeeklyBrief:
    try:
        week_start = date.fromisoformat(week)
    except ValueError as error:
        raise Http404("No such week.") from error
    return get_object_or_404(WeeklyBrief, week_start=week_start)


@login_required
def brief_detail(request, week: str):
    brief = _brief_or_404(week)
    week_end = brief.week_start + timedelta(days=6)
    return render(
        request,
        "meetings/brief.html",
        {
            "brief": brief,
            "content": brief.content,
            "week_end": week_end,
            "can_build": permissions.can_build_brief(request.user),
            "is_complete": week_end < timezone.localdate(),
            "previous": WeeklyBrief.objects.filter(week_start__lt=brief.week_start)
            .order_by("-week_start")
            .first(),
            "next": WeeklyBrief.objects.filter(week_start__gt=brief.week_start)
            .order_by("week_start")
            .first(),
        },
    )


@login_required
@require_POST
def brief_send(request, week: str):
    """E-mail the brief to both teams now; people who already have it get nothing."""
    brief = _brief_or_404(week)
    sent = services.weekly_brief_send(brief_id=brief.pk, actor=request.user)
    if sent:
        messages.success(request, f"Brief e-mailed to {sent} people.")
    else:
        messages.info(request, "Everyone already has this brief; nothing was sent again.")
    return redirect("meetings:brief", week=week)
