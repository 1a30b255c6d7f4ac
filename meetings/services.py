"""Writes for the weekly meeting: build the brief of a week and e-mail it to both teams."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification, User
from accounts.notifications import Notice, notify
from accounts.roles import Role
from meetings import permissions, selectors
from meetings.models import WeeklyBrief


def week_start_of(day: date) -> date:
    """The Monday of the week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


@transaction.atomic
def weekly_brief_build(*, week_start: date, actor: User | None = None) -> WeeklyBrief:
    """Build (or rebuild) the agenda of the week starting ``week_start`` and store it.

    One row per week (unique on week_start), so building again updates the same page.
    """
    if week_start.weekday() != 0:
        raise ValidationError({"week": _("A week starts on a Monday.")})
    if actor is not None and not permissions.can_build_brief(actor):
        raise PermissionDenied(_("Only managers build the weekly brief."))
    content = selectors.brief_agenda(week_start=week_start)
    rendered = render_to_string("meetings/brief_email.txt", {"brief": content})
    brief, _created = WeeklyBrief.objects.update_or_create(
        week_start=week_start,
        defaults={
            "content": content,
            "rendered": rendered,
            "built_at": timezone.now(),
            "built_by": actor,
        },
    )
    return brief


def brief_recipients() -> list[User]:
    """Both teams: every active person in marketing and in sales."""
    return list(
        User.objects.filter(
            is_active=True,
            is_service_account=False,
            role__in=[Role.MARKETER, Role.MARKETING_MANAGER, Role.SELLER, Role.SALES_MANAGER],
        )
        .exclude(email="")
        .order_by("id")
    )


def brief_dedupe_key(brief: WeeklyBrief) -> str:
    return f"weekly_brief:{brief.week_start:%Y-%m-%d}"


def weekly_brief_send(*, brief_id: int, actor: User | None = None) -> int:
    """E-mail the brief to both teams; returns how many people got it now.

    Exactly once per person and week, even when the task is retried or a manager
    presses the button twice: notify()'s Notification row, unique on (recipient,
    dedupe key), is the claim. sent_at records the first complete sending.
    """
    if actor is not None and not permissions.can_build_brief(actor):
        raise PermissionDenied(_("Only managers send the weekly brief."))
    brief = WeeklyBrief.objects.get(pk=brief_id)
    week_end = brief.week_start + timedelta(days=6)
    notice = Notice(
        kind="weekly_brief",
        subject=_("Weekly smarketing brief, %(start)s – %(end)s")
        % {"start": f"{brief.week_start:%d %b}", "end": f"{week_end:%d %b %Y}"},
        message=brief.rendered,
        url=reverse("meetings:brief", args=[f"{brief.week_start:%Y-%m-%d}"]),
        dedupe_key=brief_dedupe_key(brief),
    )
    newly = notify(recipients=brief_recipients(), notice=notice)
    total = Notification.objects.filter(dedupe_key=notice.dedupe_key).count()
    WeeklyBrief.objects.filter(pk=brief.pk).update(recipient_count=total)
    WeeklyBrief.objects.filter(Q(pk=brief.pk), Q(sent_at__isnull=True)).update(
        sent_at=timezone.now()
    )
    return len(newly)


def weekly_brief_for_task(*, week_start: str | None = None) -> WeeklyBrief:
    """The brief the periodic task sends: last week's by default (it runs on Mondays).

    Built unless it was already sent, so a retry sends exactly what was built first.
    """
    if week_start:
        monday = week_start_of(date.fromisoformat(week_start))
    else:
        monday = week_start_of(timezone.localdate()) - timedelta(days=7)
    brief = WeeklyBrief.objects.filter(week_start=monday, sent_at__isnull=False).first()
    return brief or weekly_brief_build(week_start=monday)
