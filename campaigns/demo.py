"""Demo campaigns: about 40 over the last 18 months, with their plan, spend, reviews and touches.

``seed(seed=…, leads=…, out=…)`` runs after the leads demo. Campaigns are created once
(recognised by name); touches are written by set-based INSERT … SELECT statements (one
per slice of 50,000 lead ids) that run in the database, so it stays fast with a million
leads: for most leads, 2 to 5 touches
spread between the lead's creation and the furthest stage it reached, the first one on
the campaign running when the lead was created (the campaign that sourced it). Touches
therefore come before the stages they influence, some before MQL, some between MQL and
SQL, some before the win. Leads are done in id order and a run starts after the last
lead with a touch, and the unique constraint absorbs anything else, so a second run adds
nothing and a larger ``leads`` only adds touches for the new leads. Everything is
derived from ``seed`` and the lead ids, so it is deterministic.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignStatusChange,
    CampaignTouch,
    CampaignTouchKind,
    CampaignType,
    ChecklistItem,
    ReviewNote,
    SpendEntry,
)
from leads.models import Account, Lead

CAMPAIGNS = 40
HISTORY_DAYS = 548  # 18 months, like the demo leads
TOUCHED_SHARE = 80  # % of leads with campaign touches
TOUCH_SLICE = 50_000  # leads per INSERT … SELECT

THEMES = [
    "Pipeline hygiene",
    "Revenue operations",
    "Forecasting that works",
    "Closing the loop",
    "Lead scoring 101",
    "The SLA playbook",
    "Account-based plays",
    "Buyer intent",
    "Customer stories",
    "Data quality",
    "Speed to lead",
    "Partner summit",
    "Q-end push",
    "Product launch",
]
TYPE_PLANS = {
    # type: (channel, budget range, first touch kind, offer, follow-up)
    CampaignType.WEBINAR: (
        "Zoom",
        (4_000, 15_000),
        "Free 45-minute session with a live Q&A.",
        "Call every attendee within 2 business days; e-mail the recording to no-shows.",
    ),
    CampaignType.EVENT: (
        "Own event",
        (15_000, 60_000),
        "Breakfast round table, 20 seats.",
        "Book a follow-up meeting with every attendee within 5 business days.",
    ),
    CampaignType.TRADE_SHOW: (
        "Trade show booth",
        (30_000, 90_000),
        "Booth demo and a raffle.",
        "Call every badge scan within 3 business days.",
    ),
    CampaignType.CONTENT: (
        "Website",
        (3_000, 12_000),
        "Gated e-book.",
        "Sales sends a personal note to downloads from target accounts within 1 day.",
    ),
    CampaignType.PAID_SEARCH: (
        "Google Ads",
        (8_000, 30_000),
        "Free trial.",
        "Trial sign-ups from target accounts get a call within 4 business hours.",
    ),
    CampaignType.PAID_SOCIAL: (
        "LinkedIn",
        (8_000, 35_000),
        "Benchmark report.",
        "SDRs connect on LinkedIn with every MQL within 2 business days.",
    ),
    CampaignType.EMAIL: (
        "Newsletter",
        (1_000, 5_000),
        "Early access to the new release.",
        "Reply to every answer within 1 business day.",
    ),
    CampaignType.OUTBOUND: (
        "SDR sequences",
        (2_000, 10_000),
        "Free pipeline audit.",
        "Six attempts over two weeks for every target contact.",
    ),
    CampaignType.PARTNER: (
        "Partner co-marketing",
        (5_000, 25_000),
        "Joint webinar with the partner.",
        "Shared lead review with the partner every Friday.",
    ),
}
CHECKLIST = [
    "Landing page",
    "Invitation e-mail",
    "Slides",
    "Social visuals",
    "Talk track for sales",
    "Follow-up e-mail template",
]
REVIEWS = [
    "Kick-off: agreed the target accounts and who calls whom. Sales asks for a one-pager.",
    "Mid-point: registrations on track; sales flags that half of the MQLs lack a phone number.",
    "Wrap-up: acceptance was good for tier-1 accounts, weak elsewhere. Next time, tighten "
    "the form.",
    "Sales feedback: attendees from small companies were not in the ICP; marketing will "
    "filter on company size.",
    "Pipeline review: three opportunities came from this campaign; keep the offer.",
]


def seed(*, seed: int, leads: int, out) -> None:
    """Create the demo campaigns once, then add touches for leads that have none."""
    created = _campaigns(seed=seed)
    touches = _touches(seed=seed)
    out.write(
        f"Demo campaigns: {created} created ({Campaign.objects.count()} in all); "
        f"{touches:,} touches added."
    )


def _people() -> tuple[list[User], list[User]]:
    marketing = list(
        User.objects.filter(role__in=[Role.MARKETER, Role.MARKETING_MANAGER]).order_by("id")
    )
    sales = list(User.objects.filter(role__in=[Role.SELLER, Role.SALES_MANAGER]).order_by("id"))
    return marketing, sales


def _campaigns(*, seed: int) -> int:
    marketing, sales = _people()
    if not marketing:
        return 0
    rng = random.Random(seed * 7_919 + 5)
    today = timezone.localdate()
    origin = today - timedelta(days=HISTORY_DAYS)
    step = (HISTORY_DAYS + 60) / CAMPAIGNS  # the last few start in the coming weeks
    target_pool = list(
        Account.objects.exclude(target_tier="").order_by("id").values_list("id", flat=True)[:400]
    ) or list(Account.objects.order_by("id").values_list("id", flat=True)[:400])
    types = list(TYPE_PLANS)
    created = 0
    now = timezone.now()
    for number in range(CAMPAIGNS):
        kind = types[(number * 5 + seed) % len(types)]
        theme = THEMES[(number * 3 + seed) % len(THEMES)]
        name = f"{kind.label}: {theme} #{number + 1}"
        if Campaign.objects.filter(name=name).exists():
            continue
        channel, (low, high), offer, follow_up = TYPE_PLANS[kind]
        start = origin + timedelta(days=round(number * step))
        length = {CampaignType.WEBINAR: 21, CampaignType.EVENT: 14, CampaignType.EMAIL: 10}.get(
            kind, rng.randint(30, 75)
        )
        end = start + timedelta(days=length)
        budget = Decimal(rng.randrange(low, high, 500))
        cancelled = number in (7, 23)
        if cancelled:
            status = CampaignStatus.CANCELLED
        elif end < today:
            status = CampaignStatus.COMPLETED
        elif start <= today:
            status = CampaignStatus.ACTIVE
        else:
            status = CampaignStatus.PLANNED
        owner = marketing[number % len(marketing)]
        coowner = sales[number % len(sales)] if sales else None
        campaign = Campaign.objects.create(
            name=name,
            type=kind,
            channel=channel,
            status=status,
            start_date=start,
            end_date=end,
            marketing_owner=owner,
            sales_coowner=coowner,
            budget=budget,
            objective_mqls=rng.randrange(20, 200, 10),
            objective_sqls=rng.randrange(5, 60, 5),
            objective_pipeline=Decimal(rng.randrange(50_000, 600_000, 10_000)),
            objective_revenue=Decimal(rng.randrange(20_000, 250_000, 5_000)),
            offer=offer,
            sales_follow_up=follow_up,
            description=f"{theme} for {channel} audiences.",
            created_at=now,
            updated_at=now,
        )
        created += 1
        if target_pool:
            campaign.target_accounts.set(
                rng.sample(target_pool, min(len(target_pool), rng.randint(5, 12)))
            )
        _history(campaign, status, owner, start, end, today)
        _spend(campaign, rng, status, start, min(end, today), owner)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                campaign=campaign,
                title=title,
                owner=(coowner if "sales" in title and coowner else owner),
                due_date=start - timedelta(days=rng.randint(2, 14)),
                is_done=start <= today or rng.random() < 0.4,
            )
            for title in rng.sample(CHECKLIST, rng.randint(3, 5))
        )
        if status in (CampaignStatus.ACTIVE, CampaignStatus.COMPLETED) and coowner:
            notes = (
                REVIEWS[: 1 + (number % 3)] if status == CampaignStatus.COMPLETED else REVIEWS[:1]
            )
            ReviewNote.objects.bulk_create(
                ReviewNote(
                    campaign=campaign,
                    author=(owner if position % 2 == 0 else coowner),
                    held_on=min(start + timedelta(days=7 * position), today),
                    text=text,
                    created_at=now,
                )
                for position, text in enumerate(notes)
            )
    return created


def _history(campaign, status, owner, start, end, today) -> None:
    planned, active = CampaignStatus.PLANNED, CampaignStatus.ACTIVE
    completed, cancelled = CampaignStatus.COMPLETED, CampaignStatus.CANCELLED
    moves = {
        active: [(planned, active, start)],
        completed: [(planned, active, start), (active, completed, end)],
        cancelled: [(planned, cancelled, min(start, today))],
    }.get(status, [])
    CampaignStatusChange.objects.bulk_create(
        CampaignStatusChange(
            campaign=campaign,
            from_status=source,
            to_status=target,
            actor=owner,
            comment="Cancelled: the venue fell through." if target == cancelled else "",
            created_at=timezone.make_aware(datetime.combine(day, time(9, 0))),
        )
        for source, target, day in moves
    )


def _spend(campaign, rng, status, first: date, last: date, owner) -> None:
    if status in (CampaignStatus.PLANNED, CampaignStatus.CANCELLED) or last < first:
        return
    share = rng.uniform(0.75, 1.1) if status == CampaignStatus.COMPLETED else rng.uniform(0.3, 0.6)
    total = campaign.budget * Decimal(str(round(share, 2)))
    entries = rng.randint(2, 5)
    span = (last - first).days
    SpendEntry.objects.bulk_create(
        SpendEntry(
            campaign=campaign,
            spent_on=first + timedelta(days=(span * position) // entries),
            amount=(total / entries).quantize(Decimal("0.01")),
            note=["Media", "Venue", "Agency", "Design", "Tools"][position % 5],
            created_by=owner,
        )
        for position in range(entries)
    )


# The kind of a lead's first touch on a campaign, and of the later ones, by campaign type.
FIRST_KIND_BY_TYPE: dict[str, str] = {
    CampaignType.WEBINAR: CampaignTouchKind.REGISTERED,
    CampaignType.EVENT: CampaignTouchKind.REGISTERED,
    CampaignType.TRADE_SHOW: CampaignTouchKind.MET,
    CampaignType.CONTENT: CampaignTouchKind.DOWNLOADED,
    CampaignType.OUTBOUND: CampaignTouchKind.REPLIED,
    CampaignType.PARTNER: CampaignTouchKind.REGISTERED,
}
LATER_KIND_BY_TYPE: dict[str, str] = {
    CampaignType.WEBINAR: CampaignTouchKind.ATTENDED,
    CampaignType.EVENT: CampaignTouchKind.ATTENDED,
    CampaignType.TRADE_SHOW: CampaignTouchKind.MET,
    CampaignType.CONTENT: CampaignTouchKind.DOWNLOADED,
    CampaignType.OUTBOUND: CampaignTouchKind.MET,
}


def _kind_case(by_type: dict[str, str], default: str) -> str:
    """A SQL CASE on the campaign's type (alias c). The values are enum members, not input."""
    whens = " ".join(f"WHEN '{type_}' THEN '{kind}'" for type_, kind in by_type.items())
    return f"CASE c.type {whens} ELSE '{default}' END"


FIRST_KIND = _kind_case(FIRST_KIND_BY_TYPE, CampaignTouchKind.CLICKED)
LATER_KIND = _kind_case(LATER_KIND_BY_TYPE, CampaignTouchKind.VISITED)

# The campaigns that get touches: those that ran.
RAN = (CampaignStatus.ACTIVE, CampaignStatus.COMPLETED)


def touches_sql(*, seed: int, first_id: int, stop_id: int) -> tuple[str, list]:
    """The set-based INSERT … SELECT that writes the demo touches of the leads whose id is
    in [first_id, stop_id) (PostgreSQL or SQLite)."""
    touch_table = CampaignTouch._meta.db_table
    lead_table = Lead._meta.db_table
    campaign_table = Campaign._meta.db_table
    now = timezone.now().replace(microsecond=0)
    if connection.vendor == "postgresql":
        journey_end = (
            "LEAST(COALESCE(l.won_at, l.sql_at, l.mql_at, l.created_at + INTERVAL '20 days'), %s)"
        )
        at = "s.created_at + (steps.k - 1) * (s.journey_end - s.created_at) / s.touches"
        day = "t.occurred_at::date"
        next_day = "d.day + 1"
    else:
        journey_end = (
            "MIN(COALESCE(l.won_at, l.sql_at, l.mql_at, datetime(l.created_at, '+20 days')), %s)"
        )
        at = (
            "strftime('%%Y-%%m-%%d %%H:%%M:%%f', julianday(s.created_at) + (steps.k - 1)"
            " * (julianday(s.journey_end) - julianday(s.created_at)) / s.touches)"
        )
        day = "date(t.occurred_at)"
        next_day = "date(d.day, '+1 day')"
    # Each touch goes to one of the campaigns that had started by then: the latest one
    # for the first touch (it sourced the lead), one of the last three for the others.
    # ``daypos`` maps each day to the latest campaign started by then (a few hundred
    # rows), so placing millions of touches is a hash join, not a subquery per touch.
    sql = f"""
        WITH RECURSIVE cpos AS (
            SELECT id, type, start_date,
                   ROW_NUMBER() OVER (ORDER BY start_date, id) - 1 AS pos
            FROM {campaign_table}
            WHERE status IN ('{RAN[0]}', '{RAN[1]}') AND start_date <= %s
        ),
        sample AS (
            SELECT l.id, l.created_at,
                   {journey_end} AS journey_end,
                   2 + (l.id * 7919 + %s) %% 4 AS touches
            FROM {lead_table} l
            WHERE (l.id * 104729 + %s) %% 100 < {TOUCHED_SHARE}
              AND l.id >= %s AND l.id < %s
        ),
        steps AS (SELECT column1 AS k FROM (VALUES (1), (2), (3), (4), (5)) AS v),
        days AS (
            SELECT MIN(start_date) AS day FROM cpos
            UNION ALL
            SELECT {next_day} FROM days d WHERE d.day < %s
        ),
        daypos AS (
            SELECT d.day, (SELECT MAX(pos) FROM cpos WHERE cpos.start_date <= d.day) AS pos
            FROM days d
        ),
        timed AS (
            SELECT s.id AS lead_id, steps.k, {at} AS occurred_at
            FROM sample s JOIN steps ON steps.k <= s.touches
        ),
        placed AS (
            SELECT t.lead_id, t.k, t.occurred_at,
                   dp.pos - CASE WHEN t.k = 1 THEN 0 ELSE (t.lead_id + t.k) %% 3 END AS pos
            FROM timed t JOIN daypos dp ON dp.day = {day}
        )
        INSERT INTO {touch_table} (lead_id, campaign_id, kind, occurred_at, created_at)
        SELECT p.lead_id, c.id,
               CASE WHEN p.k = 1 THEN {FIRST_KIND} ELSE {LATER_KIND} END,
               p.occurred_at,
               %s
        FROM placed p
        JOIN cpos c ON c.pos = p.pos
        WHERE 1 = 1
        ON CONFLICT DO NOTHING
    """
    params = [
        connection.ops.adapt_datefield_value(timezone.localdate()),
        connection.ops.adapt_datetimefield_value(now),
        seed,
        seed,
        first_id,
        stop_id,
        connection.ops.adapt_datefield_value(timezone.localdate()),
        connection.ops.adapt_datetimefield_value(now),
    ]
    return sql, params


def _touches(*, seed: int) -> int:
    if not Campaign.objects.filter(status__in=RAN).exists():
        return 0
    bounds = Lead.objects.aggregate(first=Min("id"), last=Max("id"))
    if bounds["first"] is None:
        return 0
    # Leads get their touches in id order, so the leads after the last one with a touch
    # are the ones still to do (a top-up, or a run that stopped half-way). Asking per
    # lead (NOT EXISTS) inside the INSERT made the planner, which sees an empty touch
    # table, compare every new row with every row inserted so far.
    done = CampaignTouch.objects.aggregate(last=Max("lead_id"))["last"]
    first = max(bounds["first"], (done or 0) + 1)
    # SQLite reports no row count for INSERT … SELECT with a CTE: count around it there
    # (small data); PostgreSQL's row counts avoid counting millions of rows twice.
    before = CampaignTouch.objects.count() if connection.vendor == "sqlite" else 0
    inserted = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fresh tables have no statistics yet; without them the planner guesses one
            # campaign and nests the lead scan inside a loop over campaigns and days.
            tables = (Campaign._meta.db_table, Lead._meta.db_table, CampaignTouch._meta.db_table)
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        # One statement per slice of lead ids: each is still set-based, but bounded, so
        # memory and the pending foreign-key checks stay small at a million leads.
        for first_id in range(first, bounds["last"] + 1, TOUCH_SLICE):
            sql, params = touches_sql(seed=seed, first_id=first_id, stop_id=first_id + TOUCH_SLICE)
            cursor.execute(sql, params)
            inserted += max(cursor.rowcount, 0)
    if connection.vendor == "sqlite":
        inserted = CampaignTouch.objects.count() - before
    return inserted
