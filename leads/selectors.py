"""Reads for leads: every list starts from what the user may see."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.roles import Role
from leads import permissions
from leads.models import Lead, LeadImport, LeadStageChange, ReasonCode, Stage, Touch


def lead_list_visible_to(user: User) -> QuerySet[Lead]:
    """The leads ``user`` may see: all for marketing and leadership, own or team for sales."""
    leads = Lead.objects.select_related("owner", "account")
    if permissions.sees_all_leads(user):
        return leads
    if user.role == Role.SALES_MANAGER and user.team_id is not None:
        return leads.filter(owner__team_id=user.team_id)
    return leads.filter(owner=user)


def lead_import_list_visible_to(user: User) -> QuerySet[LeadImport]:
    """CSV imports ``user`` may see: their own; every one for an admin."""
    imports = LeadImport.objects.all()
    return imports if permissions.is_admin(user) else imports.filter(created_by=user)


def lead_history(lead: Lead) -> QuerySet[LeadStageChange]:
    """Every stage change and reassignment of ``lead``, oldest first."""
    return lead.stage_changes.select_related("actor", "from_owner", "to_owner").order_by(
        "created_at", "id"
    )


def lead_touches(lead: Lead) -> QuerySet[Touch]:
    return lead.touches.select_related("actor").order_by("occurred_at", "id")


def reason_codes_active() -> QuerySet[ReasonCode]:
    return ReasonCode.objects.filter(is_active=True).order_by("position", "label")


def sellers_available() -> QuerySet[User]:
    """People who can own handed-over leads."""
    return User.objects.filter(role__in=[Role.SELLER, Role.SALES_MANAGER], is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# --- Browser pages (inbox, rejected queue, lead page, home cards) ----------------------


def _sales_desk(user: User) -> QuerySet[Lead]:
    """The leads whose sales work ``user`` sees on the inbox: own, the team's, or all (admin).

    A sales manager works the whole team's desk; an admin sees every seller's.
    """
    if permissions.is_admin(user):
        return Lead.objects.filter(owner__isnull=False)
    if user.role == Role.SALES_MANAGER and user.team_id is not None:
        return Lead.objects.filter(owner__team_id=user.team_id)
    return Lead.objects.filter(owner=user)


def inbox_shows_owner(user: User) -> bool:
    """Whether the inbox lists other people's leads, so it needs an owner column."""
    return permissions.is_admin(user) or user.role == Role.SALES_MANAGER


def inbox_mqls_for(user: User) -> QuerySet[Lead]:
    """MQLs waiting for a decision on ``user``'s desk, oldest hand-over first.

    Served by lead_owner_stage_handover_idx (owner, stage, handed_over_at).
    """
    related = ["account", "owner"] if inbox_shows_owner(user) else ["account"]
    return (
        _sales_desk(user)
        .filter(stage=Stage.MQL)
        .select_related(*related)
        .order_by("handed_over_at", "id")
    )


def inbox_working_for(user: User) -> QuerySet[Lead]:
    """SALs and SQLs on ``user``'s desk, the ones changed longest ago first."""
    related = ["account", "owner"] if inbox_shows_owner(user) else ["account"]
    return (
        _sales_desk(user)
        .filter(stage__in=[Stage.SAL, Stage.SQL])
        .select_related(*related)
        .order_by("stage_changed_at", "id")
    )


def inbox_mqls_waiting_count(user: User) -> int:
    """How many MQLs wait for a decision on ``user``'s desk (the home card)."""
    return _sales_desk(user).filter(stage=Stage.MQL).count()


def sellers_for_reassignment(user: User) -> QuerySet[User]:
    """Who ``user`` may hand a lead to: active sellers of their team (any team for an admin)."""
    sellers = User.objects.filter(
        role__in=[Role.SELLER, Role.SALES_MANAGER], is_active=True
    ).order_by("first_name", "last_name", "username")
    if permissions.is_admin(user) or user.team_id is None:
        return sellers
    return sellers.filter(team_id=user.team_id)


def rejected_queue() -> QuerySet[Lead]:
    """Rejected leads waiting for marketing, newest rejection first, with their rejections.

    Each lead carries ``rejections`` (newest first): the seller's reason code and comment.
    One extra query per page, whatever its size. Served by lead_stage_changed_idx.
    """
    rejections = (
        LeadStageChange.objects.filter(action=LeadStageChange.Action.REJECT)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    return (
        Lead.objects.filter(stage=Stage.REJECTED)
        .select_related("account")
        .prefetch_related(Prefetch("stage_changes", queryset=rejections, to_attr="rejections"))
        .order_by("-stage_changed_at", "-id")
    )


def rejected_count() -> int:
    return Lead.objects.filter(stage=Stage.REJECTED).count()


HOME_COUNT_CAP = 10_000


def leads_to_qualify_count(cap: int = HOME_COUNT_CAP) -> int:
    """Leads at stage ``lead`` (marketing's nurture pool), counted up to ``cap`` + 1.

    The pool can hold most of a million leads; a home card only needs to say "10,000+",
    so the COUNT stops early (COUNT over a LIMIT subquery) instead of reading them all.
    """
    return Lead.objects.filter(stage=Stage.LEAD).values("pk")[: cap + 1].count()


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a lead's timeline: a stage change (or reassignment) or a touch."""

    at: datetime
    change: LeadStageChange | None = None
    touch: Touch | None = None


def lead_timeline(lead: Lead) -> list[TimelineEntry]:
    """Every stage change and every touch of ``lead``, merged, oldest first (two queries)."""
    entries = [TimelineEntry(at=change.created_at, change=change) for change in lead_history(lead)]
    entries += [TimelineEntry(at=touch.occurred_at, touch=touch) for touch in lead_touches(lead)]
    # Stable sort: on equal times a stage change stays before a touch logged with it.
    return sorted(entries, key=lambda entry: entry.at)


def reason_code_labels() -> dict[str, str]:
    """Every reason code (active or not) to its label, for showing history rows."""
    return dict(ReasonCode.objects.values_list("code", "label"))
