"""What happens at hand-over, for the marketing and sales views: acceptance, rejection
reasons, SLA compliance per seller."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db.models import Count, Q

from kpis.selectors.groups import group_expression, group_label
from kpis.selectors.slices import ALL_LEADS, Slice, campaign_choices
from leads.models import LeadStageChange, ReasonCode
from sla import selectors as sla_selectors


class Acceptance(TypedDict):
    group: str
    mql: int
    accepted: int
    rejected: int


class RejectionReason(TypedDict):
    reason_code: str
    reason: str
    rejections: int


class SellerCompliance(TypedDict):
    owner_id: int
    handed_over: int
    met: int
    compliance: float


def acceptance_by(
    *, since: dt.datetime, until: dt.datetime, group_by: str = "source", slice: Slice = ALL_LEADS
) -> list[Acceptance]:
    """Of the MQLs handed over in the range, how many sales accepted and rejected, per group.

    Acceptance rate = accepted ÷ (accepted + rejected); MQLs still waiting count in
    neither. A lead rejected, recycled and later accepted counts as accepted.
    """
    if group_by == "campaign":
        rows: list[Acceptance] = []
        for campaign in campaign_choices():
            campaign_slice = Slice(**{**slice.__dict__, "campaign_id": campaign["id"]})
            counted = acceptance_by(
                since=since, until=until, group_by="total", slice=campaign_slice
            )
            if counted and counted[0]["mql"]:
                rows.append({**counted[0], "group": campaign["name"]})
        return rows
    rejected_ids = LeadStageChange.objects.filter(action="reject").values("lead_id")
    counts = (
        slice.leads()
        .filter(mql_at__gte=since, mql_at__lt=until)
        .values(group=group_expression(group_by, "mql_at"))
        .annotate(
            mql=Count("pk"),
            accepted=Count("pk", filter=Q(sal_at__isnull=False)),
            rejected=Count("pk", filter=Q(sal_at__isnull=True, id__in=rejected_ids)),
        )
        .order_by("-mql")
    )
    return [{**row, "group": group_label(group_by, row["group"])} for row in counts]


def rejection_reasons(
    *, since: dt.datetime, until: dt.datetime, slice: Slice = ALL_LEADS
) -> list[RejectionReason]:
    """Rejections recorded in the range, per reason code, most frequent first."""
    leads = slice.leads().values("id")
    rows = (
        LeadStageChange.objects.filter(action="reject", created_at__gte=since, created_at__lt=until)
        .filter(lead_id__in=leads)
        .values("reason_code")
        .annotate(rejections=Count("pk"))
        .order_by("-rejections", "reason_code")
    )
    labels = dict(ReasonCode.objects.values_list("code", "label"))
    return [
        {
            "reason_code": row["reason_code"],
            "reason": labels.get(row["reason_code"], row["reason_code"] or "—"),
            "rejections": row["rejections"],
        }
        for row in rows
    ]


def compliance_by_seller(
    *, since: dt.datetime, until: dt.datetime, slice: Slice = ALL_LEADS
) -> list[SellerCompliance]:
    """Per seller: MQLs handed over in the range, and how many had no sales breach."""
    breached = sla_selectors.breached_lead_ids()
    rows = (
        slice.leads()
        .filter(handed_over_at__gte=since, handed_over_at__lt=until, owner__isnull=False)
        .values("owner_id")
        .annotate(
            handed_over=Count("pk"),
            breached=Count("pk", filter=Q(id__in=breached)),
        )
        .order_by("owner_id")
    )
    return [
        {
            "owner_id": row["owner_id"],
            "handed_over": row["handed_over"],
            "met": row["handed_over"] - row["breached"],
            "compliance": (row["handed_over"] - row["breached"]) / row["handed_over"],
        }
        for row in rows
    ]
