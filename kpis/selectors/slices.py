"""Slices: the filters on the leads a measure counts, and the choices the filter bar offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from django.db.models import QuerySet

from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from kpis.selectors.groups import DIMENSION_FIELD, latest_snapshot_run
from leads.models import Lead


@dataclass(frozen=True)
class Slice:
    """Filters on the leads a measure counts: segment, region, source, team, campaign, owner.

    Empty values mean "all". ``team_id`` is the owner's team (sellers are always
    sliced to their own team by ``kpis.permissions``).
    """

    segment: str = ""
    region: str = ""
    source: str = ""
    team_id: int | None = None
    campaign_id: int | None = None
    owner_id: int | None = None

    def apply(self, leads: QuerySet[Lead]) -> QuerySet[Lead]:
        if self.segment:
            leads = leads.filter(segment=self.segment)
        if self.region:
            leads = leads.filter(region=self.region)
        if self.source:
            leads = leads.filter(source=self.source)
        if self.team_id is not None:
            leads = leads.filter(owner__team_id=self.team_id)
        if self.owner_id is not None:
            leads = leads.filter(owner_id=self.owner_id)
        if self.campaign_id is not None:
            leads = leads.filter(id__in=campaign_selectors.lead_ids_touched_by(self.campaign_id))
        return leads

    def leads(self) -> QuerySet[Lead]:
        return self.apply(Lead.objects.all())

    @property
    def active(self) -> dict[str, object]:
        return {
            key: value
            for key, value in (
                ("segment", self.segment),
                ("region", self.region),
                ("source", self.source),
                ("team", self.team_id),
                ("owner", self.owner_id),
                ("campaign", self.campaign_id),
            )
            if value not in ("", None)
        }

    def snapshot_group(self) -> str | None:
        """The snapshot ``group`` that holds exactly this slice, or None when none does."""
        active = self.active
        if not active:
            return ""
        if len(active) == 1:
            ((key, value),) = active.items()
            if key in DIMENSION_FIELD:
                return f"{key}:{value}"
        return None


# Every selector's default ``slice``: all leads (frozen, so one shared instance is safe).
ALL_LEADS = Slice()


class CampaignChoice(TypedDict):
    id: int
    name: str


def campaign_choices() -> list[CampaignChoice]:
    """Campaigns as ``{"id", "name"}``, by name (the campaign filter and the campaign groups)."""
    return list(Campaign.objects.order_by("name").values("id", "name"))


def distinct_values(field_name: str) -> list[str]:
    """Distinct non-blank values of a lead attribute (segment, region, source), sorted.

    The last snapshot run lists them, so the filter bar never scans the leads table;
    without a snapshot (a fresh database), a bounded DISTINCT on the leads.
    """
    run = latest_snapshot_run()
    if run is not None and field_name in run.slices:
        return [value for value in run.slices[field_name] if value]
    return list(
        Lead.objects.exclude(**{field_name: ""})
        .order_by(field_name)
        .values_list(field_name, flat=True)
        .distinct()[:200]
    )


def kpi_slice(filters: dict[str, Any], *, forced_team_id: int | None = None) -> Slice:
    """The Slice a KPI definition's filters describe, narrowed to a forced team."""
    team = filters.get("team")
    campaign = filters.get("campaign")
    return Slice(
        segment=filters.get("segment") or "",
        region=filters.get("region") or "",
        source=filters.get("source") or "",
        team_id=forced_team_id if forced_team_id is not None else (int(team) if team else None),
        campaign_id=int(campaign) if campaign else None,
    )
