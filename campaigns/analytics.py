"""Campaign results shaped with pandas, from the small per-campaign rows of selectors.py.

Nothing here reads touches: each input frame has one row per campaign (or per month),
so the cost does not grow with the number of touches.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from django.db.models import QuerySet
from django.utils import timezone

from campaigns import selectors
from campaigns.models import Campaign

COUNT_COLUMNS = [
    "leads",
    "sourced",
    "mqls",
    "mqls_accepted",
    "mqls_rejected",
    "sals",
    "sqls",
    "customers",
]
AMOUNT_COLUMNS = ["spend", "pipeline", "revenue"]
RESULT_COLUMNS = [
    "id",
    "name",
    "type",
    "status",
    "start_date",
    "end_date",
    "budget",
    *COUNT_COLUMNS,
    *AMOUNT_COLUMNS,
    *[f"pipeline_{model}" for model in selectors.MODELS],
    *[f"revenue_{model}" for model in selectors.MODELS],
    "acceptance_rate",
    "cost_per_mql",
    "cost_per_sql",
    "cost_per_customer",
    "roi",
]
# The comparison's order when none is asked for: the cheapest SQLs first.
COMPARISON_DEFAULT_SORT = "cost_per_sql"
OBJECTIVES = (
    ("mqls", "objective_mqls", "MQLs"),
    ("sqls", "objective_sqls", "SQLs"),
    ("pipeline", "objective_pipeline", "Pipeline"),
    ("revenue", "objective_revenue", "Revenue"),
)


def _frame(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["campaign_id", *columns])
    return frame.set_index("campaign_id")


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, None where the denominator is 0 (no division by zero)."""
    result = numerator.astype(float) / denominator.astype(float).where(denominator != 0)
    return result.round(4).astype(object).where(result.notna(), None)


def campaign_results(
    *,
    campaign_ids=None,
    since: datetime | None = None,
    until: datetime | None = None,
    model: str = selectors.DEFAULT_MODEL,
    campaigns=None,
) -> pd.DataFrame:
    """One row per campaign: counts, spend, attributed amounts, costs, ROI.

    ``pipeline`` and ``revenue`` are credited with ``model``; every model's figures are
    in ``pipeline_<model>`` / ``revenue_<model>``. With a period, counts and amounts
    are those of the period (stages reached in it, spend recorded in it). Cost per X is
    spend ÷ X and ROI = (revenue − spend) ÷ spend; each is None when its divisor is 0.
    """
    if model not in selectors.MODELS:
        raise ValueError(f"Unknown attribution model: {model}")
    if campaigns is None:
        campaigns = Campaign.objects.all()
        if campaign_ids is not None:
            campaigns = campaigns.filter(pk__in=list(campaign_ids))
    base = pd.DataFrame(
        list(
            campaigns.values(
                "id",
                "name",
                "type",
                "status",
                "start_date",
                "end_date",
                "budget",
                *[field for _key, field, _label in OBJECTIVES],
            )
        )
    )
    if base.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    ids = None if campaign_ids is None else base["id"].tolist()
    period: dict[str, Any] = {"campaign_ids": ids, "since": since, "until": until}
    counts = _frame(selectors.stage_counts(**period), [c for c in COUNT_COLUMNS if c != "sourced"])
    sourced = _frame(selectors.sourced_counts(**period), ["sourced"])
    spend = _frame(selectors.spend_totals(**period), ["spend"])
    pipeline = _frame(selectors.attributed_amounts("pipeline", **period), list(selectors.MODELS))
    revenue = _frame(selectors.attributed_amounts("revenue", **period), list(selectors.MODELS))
    frame = (
        base.set_index("id")
        .join(counts)
        .join(sourced)
        .join(spend)
        .join(pipeline.add_prefix("pipeline_"))
        .join(revenue.add_prefix("revenue_"))
    )
    for column in COUNT_COLUMNS:
        frame[column] = frame[column].fillna(0).astype(int)
    money = ["budget", "spend"] + [
        f"{measure}_{model_name}"
        for measure in ("pipeline", "revenue")
        for model_name in selectors.MODELS
    ]
    for column in money:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float).fillna(0.0)
        frame[column] = frame[column].round(2)
    for column in ("objective_pipeline", "objective_revenue"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["pipeline"] = frame[f"pipeline_{model}"]
    frame["revenue"] = frame[f"revenue_{model}"]
    frame["acceptance_rate"] = _ratio(
        frame["mqls_accepted"], frame["mqls_accepted"] + frame["mqls_rejected"]
    )
    frame["cost_per_mql"] = _money(_ratio(frame["spend"], frame["mqls"]))
    frame["cost_per_sql"] = _money(_ratio(frame["spend"], frame["sqls"]))
    frame["cost_per_customer"] = _money(_ratio(frame["spend"], frame["customers"]))
    frame["roi"] = _ratio(frame["revenue"] - frame["spend"], frame["spend"])
    frame = frame.reset_index()
    return frame[RESULT_COLUMNS + [field for _key, field, _label in OBJECTIVES]]


def _money(series: pd.Series) -> pd.Series:
    return series.map(lambda value: None if value is None else round(float(value), 2))


def _clean(value):
    """A JSON-friendly scalar: numpy numbers to Python, NaN to None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def campaign_result(
    campaign: Campaign, *, model: str = selectors.DEFAULT_MODEL, since=None, until=None
) -> dict:
    """The results of one campaign as a plain dict (the page and the API share it)."""
    frame = campaign_results(campaign_ids=[campaign.pk], model=model, since=since, until=until)
    row = {key: _clean(value) for key, value in frame.iloc[0].to_dict().items()}
    objectives = []
    for key, field, label in OBJECTIVES:
        target = row.pop(field)
        actual = row[key]
        progress = None if not target else round(float(actual) / float(target), 4)
        objectives.append(
            {
                "objective": key,
                "label": label,
                "target": None if target is None else float(target),
                "actual": actual,
                "progress": progress,
            }
        )
    return {
        "campaign": campaign.pk,
        "model": model,
        "leads_influenced": row["leads"],
        "leads_sourced": row["sourced"],
        "mqls": row["mqls"],
        "sals": row["sals"],
        "sqls": row["sqls"],
        "customers": row["customers"],
        "mqls_accepted": row["mqls_accepted"],
        "mqls_rejected": row["mqls_rejected"],
        "acceptance_rate": row["acceptance_rate"],
        "rejection_reasons": selectors.rejection_reasons(campaign),
        "budget": row["budget"],
        "spend": row["spend"],
        "pipeline": row["pipeline"],
        "revenue": row["revenue"],
        "pipeline_by_model": {m: row[f"pipeline_{m}"] for m in selectors.MODELS},
        "revenue_by_model": {m: row[f"revenue_{m}"] for m in selectors.MODELS},
        "cost_per_mql": row["cost_per_mql"],
        "cost_per_sql": row["cost_per_sql"],
        "cost_per_customer": row["cost_per_customer"],
        "roi": row["roi"],
        "objectives": objectives,
    }


def spend_vs_revenue_by_month(campaign: Campaign, *, model: str) -> pd.DataFrame:
    """Per month: spend and attributed revenue, and both cumulated. Empty if neither."""
    spend = pd.DataFrame(selectors.spend_by_day(campaign), columns=["spent_on", "amount"])
    revenue = pd.DataFrame(
        selectors.attributed_by_lead("revenue", campaign_id=campaign.pk, model=model),
        columns=["lead_id", "reached_at", "amount"],
    )
    if spend.empty and revenue.empty:
        return pd.DataFrame(columns=["month", "spend", "revenue", "cum_spend", "cum_revenue"])
    spend["month"] = pd.to_datetime(spend["spent_on"]).dt.to_period("M")
    revenue["month"] = pd.to_datetime(revenue["reached_at"], utc=True).dt.tz_localize(None)
    revenue["month"] = revenue["month"].dt.to_period("M")
    monthly = pd.concat(
        [
            spend.groupby("month")["amount"].sum().astype(float).rename("spend"),
            revenue.groupby("month")["amount"].sum().astype(float).rename("revenue"),
        ],
        axis=1,
    ).fillna(0.0)
    full = pd.period_range(monthly.index.min(), monthly.index.max(), freq="M")
    monthly = monthly.reindex(full, fill_value=0.0)
    monthly["cum_spend"] = monthly["spend"].cumsum()
    monthly["cum_revenue"] = monthly["revenue"].cumsum()
    monthly.index = monthly.index.to_timestamp()
    return monthly.rename_axis("month").reset_index()


def campaign_comparison(
    campaigns: QuerySet[Campaign],
    *,
    since: date,
    until: date,
    model: str,
    sort: str = COMPARISON_DEFAULT_SORT,
) -> tuple[list[dict], dict | None]:
    """``campaigns`` side by side over the days [since, until]: rows and totals.

    Each row is campaign_results' row for the period, as plain Python values, with
    ``type_label``; rows are sorted on ``sort`` (a column, "-" for descending, blanks
    last). Totals are spend, SQLs, revenue and ROI = (revenue − spend) ÷ spend over
    all rows (None: no rows; ROI None: no spend).
    """
    frame = campaign_results(
        campaigns=campaigns,
        campaign_ids=list(campaigns.values_list("pk", flat=True)),
        since=timezone.make_aware(datetime.combine(since, time.min)),
        until=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)),
        model=model,
    )
    sort = sort or COMPARISON_DEFAULT_SORT
    column, descending = sort.lstrip("-"), sort.startswith("-")
    totals = None
    if not frame.empty:
        frame = frame.sort_values(
            column,
            ascending=not descending,
            na_position="last",
            key=lambda series: series.astype(float) if column != "name" else series,
        )
        spend = float(frame["spend"].sum())
        revenue = float(frame["revenue"].sum())
        totals = {
            "spend": spend,
            "sqls": int(frame["sqls"].sum()),
            "revenue": revenue,
            "roi": round((revenue - spend) / spend, 4) if spend else None,
        }
    labels = dict(Campaign.Type.choices)
    rows = [
        {key: _clean(value) for key, value in record.items()} for record in frame.to_dict("records")
    ]
    for row in rows:
        row["type_label"] = labels.get(row["type"], row["type"])
    return rows, totals
