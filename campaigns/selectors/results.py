"""A campaign's results, computed by the database.

Every result is an aggregate (GROUP BY, window functions, subqueries) and returns one
row per campaign, or per month, or per converted lead of one campaign: never the
touches themselves. analytics.py shapes those rows with pandas.

Attribution (DOMAIN.md §4): a lead's credit for a stage is shared among its touches
that happened strictly before it first reached that stage: pipeline (its expected
amount) at SQL, revenue (its won amount) at customer. Models: first touch, last touch,
linear, U-shaped (40 % first, 40 % last, 20 % shared by the middle ones; one touch
gets 100 %, two touches 50/50). A lead's credits always sum to one.
"""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, TypedDict, cast

from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum

from campaigns.models import Campaign, CampaignTouch, SpendEntry
from leads.models import Account, Lead, LeadStageChange, ReasonCode, Stage

MODELS = ("first_touch", "last_touch", "linear", "u_shaped")
DEFAULT_MODEL: Final = "u_shaped"
MODEL_LABELS = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "u_shaped": "U-shaped (40/20/40)",
}

# The credit one touch gets, by its position among the lead's n counted touches.
CREDIT_SQL = {
    "first_touch": "CASE WHEN position = 1 THEN 1.0 ELSE 0.0 END",
    "last_touch": "CASE WHEN position = touches THEN 1.0 ELSE 0.0 END",
    "linear": "1.0 / touches",
    "u_shaped": (
        "CASE WHEN touches = 1 THEN 1.0 WHEN touches = 2 THEN 0.5"
        " WHEN position = 1 OR position = touches THEN 0.4"
        " ELSE 0.2 / (touches - 2) END"
    ),
}

# What each attributed measure credits: the lead's amount, at the stage that earns it.
CREDITED = {
    "pipeline": ("sql_at", "expected_amount"),
    "revenue": ("won_at", "won_amount"),
}


# Ids of the campaigns to report on (None: all of them).
CampaignIds = Sequence[int] | None
# A bound of the period (None: open).
Moment = datetime | None
# What the raw queries below pass as parameters: ids and adapted timestamps.
SqlParam = int | str | datetime | None


class StageCounts(TypedDict):
    """Per campaign: leads touched, and leads that reached each stage after a touch."""

    campaign_id: int
    leads: int
    mqls: int
    mqls_accepted: int
    mqls_rejected: int
    sals: int
    sqls: int
    customers: int


class SourcedCount(TypedDict):
    campaign_id: int
    sourced: int


# A sum computed in raw SQL: a Decimal on PostgreSQL, a float on SQLite; None for no rows.
SqlAmount = Decimal | float | None


class AttributedAmounts(TypedDict):
    """Per campaign: the amount credited under each attribution model (MODELS)."""

    campaign_id: int
    first_touch: SqlAmount
    last_touch: SqlAmount
    linear: SqlAmount
    u_shaped: SqlAmount


class AttributedLead(TypedDict):
    lead_id: int
    reached_at: datetime
    amount: SqlAmount


class SpendTotal(TypedDict):
    campaign_id: int
    spend: Decimal | None


class SpendDay(TypedDict):
    spent_on: date
    amount: Decimal | None


class ReasonCount(TypedDict):
    code: str
    label: str
    count: int


def day_of(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _period(field: str, since: Moment, until: Moment) -> Q:
    condition = Q()
    if since is not None:
        condition &= Q(**{f"{field}__gte": since})
    if until is not None:
        condition &= Q(**{f"{field}__lt": until})
    return condition


def stage_counts(
    *, campaign_ids: CampaignIds = None, since: Moment = None, until: Moment = None
) -> list[StageCounts]:
    """Per campaign: leads touched, and leads that reached each stage after a touch.

    A lead counts for a stage (influenced) when one of the campaign's touches happened
    before the lead first reached it; with a period, when it reached it in the period.
    """
    touches = CampaignTouch.objects.all()
    if campaign_ids is not None:
        touches = touches.filter(campaign_id__in=list(campaign_ids))
    rejected = LeadStageChange.objects.filter(lead_id=OuterRef("lead_id"), to_stage=Stage.REJECTED)

    def reached(stage_field: str) -> Q:
        return (
            Q(**{f"lead__{stage_field}__isnull": False})
            & Q(occurred_at__lt=F(f"lead__{stage_field}"))
            & _period(f"lead__{stage_field}", since, until)
        )

    return list(
        touches.values("campaign_id")
        .annotate(
            leads=Count("lead_id", distinct=True, filter=_period("occurred_at", since, until)),
            mqls=Count("lead_id", distinct=True, filter=reached("mql_at")),
            mqls_accepted=Count(
                "lead_id", distinct=True, filter=reached("mql_at") & Q(lead__sal_at__isnull=False)
            ),
            mqls_rejected=Count(
                "lead_id",
                distinct=True,
                filter=reached("mql_at") & Q(lead__sal_at__isnull=True) & Q(Exists(rejected)),
            ),
            sals=Count("lead_id", distinct=True, filter=reached("sal_at")),
            sqls=Count("lead_id", distinct=True, filter=reached("sql_at")),
            customers=Count("lead_id", distinct=True, filter=reached("won_at")),
        )
        .order_by("campaign_id")
    )


def _in_list(column: str, values: Sequence[int]) -> tuple[str, list[SqlParam]]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _adapt(moment: datetime) -> SqlParam:
    return connection.ops.adapt_datetimefield_value(moment)


def _tables() -> dict[str, str]:
    return {"touch": CampaignTouch._meta.db_table, "lead": Lead._meta.db_table}


def sourced_sql(
    *, campaign_ids: CampaignIds = None, since: Moment = None, until: Moment = None
) -> tuple[str, list[SqlParam]]:
    """SQL: per campaign, leads whose first touch of all was this campaign's."""
    where, params = ["1 = 1"], list[SqlParam]()
    outer, outer_params = ["position = 1"], list[SqlParam]()
    if campaign_ids is not None:
        clause, values = _in_list("campaign_id", campaign_ids)
        where.append(f"t.lead_id IN (SELECT lead_id FROM {_tables()['touch']} WHERE {clause})")
        params += values
        clause, values = _in_list("campaign_id", campaign_ids)
        outer.append(clause)
        outer_params += values
    if since is not None:
        outer.append("occurred_at >= %s")
        outer_params.append(_adapt(since))
    if until is not None:
        outer.append("occurred_at < %s")
        outer_params.append(_adapt(until))
    sql = f"""
        SELECT campaign_id, COUNT(*) AS sourced
        FROM (
            SELECT t.campaign_id, t.occurred_at,
                   ROW_NUMBER() OVER (PARTITION BY t.lead_id ORDER BY t.occurred_at, t.id)
                       AS position
            FROM {_tables()["touch"]} t
            WHERE {" AND ".join(where)}
        ) ranked
        WHERE {" AND ".join(outer)}
        GROUP BY campaign_id
    """
    return sql, params + outer_params


def _credited_touches_sql(
    measure: str, *, campaign_ids: CampaignIds, since: Moment, until: Moment
) -> tuple[str, list[SqlParam]]:
    """The CTE ``credited``: counted touches with their position among the lead's."""
    stage_at, amount = CREDITED[measure]
    tables = _tables()
    where = [f"l.{stage_at} IS NOT NULL", f"t.occurred_at < l.{stage_at}"]
    params: list[SqlParam] = []
    if since is not None:
        where.append(f"l.{stage_at} >= %s")
        params.append(_adapt(since))
    if until is not None:
        where.append(f"l.{stage_at} < %s")
        params.append(_adapt(until))
    if campaign_ids is not None:
        # Only the leads these campaigns touched; their other touches still count,
        # because a lead's credit is shared with every campaign that touched it.
        clause, values = _in_list("campaign_id", campaign_ids)
        where.append(f"t.lead_id IN (SELECT lead_id FROM {tables['touch']} WHERE {clause})")
        params += values
    sql = f"""
        WITH credited AS (
            SELECT t.campaign_id, t.lead_id, l.{stage_at} AS reached_at,
                   COALESCE(l.{amount}, 0) AS amount,
                   ROW_NUMBER() OVER (PARTITION BY t.lead_id ORDER BY t.occurred_at, t.id)
                       AS position,
                   COUNT(*) OVER (PARTITION BY t.lead_id) AS touches
            FROM {tables["touch"]} t
            JOIN {tables["lead"]} l ON l.id = t.lead_id
            WHERE {" AND ".join(where)}
        )
    """
    return sql, params


def attribution_sql(
    measure: str, *, campaign_ids: CampaignIds = None, since: Moment = None, until: Moment = None
) -> tuple[str, list[SqlParam]]:
    """SQL: per campaign, the amount credited under each model, and the credits."""
    cte, params = _credited_touches_sql(
        measure, campaign_ids=campaign_ids, since=since, until=until
    )
    columns = ",\n".join(
        f"SUM(amount * ({credit})) AS {model}" for model, credit in CREDIT_SQL.items()
    )
    where = ""
    if campaign_ids is not None:
        clause, values = _in_list("campaign_id", campaign_ids)
        where = f"WHERE {clause}"
        params += values
    sql = f"""{cte}
        SELECT campaign_id, {columns}
        FROM credited {where}
        GROUP BY campaign_id
    """
    return sql, params


def _fetch(sql: str, params: list[SqlParam]) -> list[dict[str, Any]]:
    """The rows of a raw query as dicts by column name."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sourced_counts(
    *, campaign_ids: CampaignIds = None, since: Moment = None, until: Moment = None
) -> list[SourcedCount]:
    return cast(
        list[SourcedCount],
        _fetch(*sourced_sql(campaign_ids=campaign_ids, since=since, until=until)),
    )


def attributed_amounts(
    measure: str, *, campaign_ids: CampaignIds = None, since: Moment = None, until: Moment = None
) -> list[AttributedAmounts]:
    """Per campaign: ``measure`` (pipeline or revenue) credited under each model."""
    return cast(
        list[AttributedAmounts],
        _fetch(*attribution_sql(measure, campaign_ids=campaign_ids, since=since, until=until)),
    )


def attributed_by_lead(measure: str, *, campaign_id: int, model: str) -> list[AttributedLead]:
    """One campaign's credited amount per converted lead, with when it converted.

    One row per lead that reached the stage after a touch of the campaign: what the
    spend-vs-revenue chart buckets by month.
    """
    cte, params = _credited_touches_sql(measure, campaign_ids=[campaign_id], since=None, until=None)
    sql = f"""{cte}
        SELECT lead_id, MAX(reached_at) AS reached_at, SUM(amount * ({CREDIT_SQL[model]})) AS amount
        FROM credited WHERE campaign_id = %s
        GROUP BY lead_id
    """
    rows = _fetch(sql, [*params, campaign_id])
    for row in rows:
        # SQLite hands back text for the timestamp; PostgreSQL a datetime.
        if isinstance(row["reached_at"], str):
            row["reached_at"] = datetime.fromisoformat(row["reached_at"])
    return cast(list[AttributedLead], rows)


def spend_totals(
    *, campaign_ids: CampaignIds = None, since: Moment = None, until: Moment = None
) -> list[SpendTotal]:
    entries = SpendEntry.objects.all()
    if campaign_ids is not None:
        entries = entries.filter(campaign_id__in=list(campaign_ids))
    if since is not None:
        entries = entries.filter(spent_on__gte=day_of(since))
    if until is not None:
        entries = entries.filter(spent_on__lt=day_of(until))
    return list(entries.values("campaign_id").annotate(spend=Sum("amount")).order_by())


def spend_by_day(campaign: Campaign) -> list[SpendDay]:
    return list(
        campaign.spend_entries.values("spent_on")
        .annotate(amount=Sum("amount"))
        .order_by("spent_on")
    )


def rejection_reasons(campaign: Campaign, limit: int = 5) -> list[ReasonCount]:
    """Why sales rejected the campaign's MQLs: reason codes by count, most frequent first.

    A rejection counts for the campaign when one of its touches came before it.
    """
    touched_before = CampaignTouch.objects.filter(
        campaign=campaign, lead_id=OuterRef("lead_id"), occurred_at__lt=OuterRef("created_at")
    )
    rows = (
        LeadStageChange.objects.filter(to_stage=Stage.REJECTED)
        .filter(Exists(touched_before))
        .values("reason_code")
        .annotate(count=Count("id"))
        .order_by("-count", "reason_code")[:limit]
    )
    labels = dict(ReasonCode.objects.values_list("code", "label"))
    return [
        {
            "code": row["reason_code"],
            "label": labels.get(row["reason_code"], row["reason_code"] or "—"),
            "count": row["count"],
        }
        for row in rows
    ]


def target_accounts_engagement(campaign: Campaign) -> QuerySet[Account]:
    """The campaign's target accounts, with how many of their leads it touched, and when."""
    touched = Q(leads__campaign_touches__campaign=campaign)
    return campaign.target_accounts.annotate(
        engaged_leads=Count("leads", filter=touched, distinct=True),
        last_touch_at=Max("leads__campaign_touches__occurred_at", filter=touched),
    ).order_by("-engaged_leads", "name")
