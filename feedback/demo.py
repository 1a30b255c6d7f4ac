"""Demo feedback: what sellers heard over the last six months, and marketing's answers.

``seed(seed=…, leads=…, out=…)`` runs after the leads, SLA and campaigns demos:

1. Every demo rejection becomes lead-quality feedback, set-based (the leads demo writes
   its rejections in bulk, bypassing lead_transition): one INSERT … SELECT for the items
   and one for their history. Rejections that marketing later recycled or disqualified
   count as actioned, answered when and by whom that follow-up move happened (one
   UPDATE with subqueries); the others still wait in the queue, like the rejected leads.
2. A capped number of hand-written items (objections, competitor mentions, content
   requests, praise…) with tags, ratings, answers in every status, and short threads.
   Item number ``i`` comes from ``(seed, i)`` alone; a second run tops up to the same
   number and creates nothing.

The work does not grow with the number of leads beyond the set-based statements.
"""

import random
from datetime import timedelta

from django.db import connection
from django.db.models import Case, Exists, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import Role, TeamKind
from campaigns.models import Campaign
from feedback import lifecycle, services
from feedback.models import (
    RATED_KINDS,
    FeedbackComment,
    FeedbackItem,
    FeedbackStatusChange,
    Kind,
    Status,
    Tag,
)
from leads.models import Lead, LeadStageChange, Stage

MAX_ITEMS = 600
HISTORY_DAYS = 180

KIND_WEIGHTS = [
    (Kind.OBJECTION, 30),
    (Kind.COMPETITOR, 16),
    (Kind.CAMPAIGN, 14),
    (Kind.CONTENT_REQUEST, 12),
    (Kind.LEAD_QUALITY, 10),
    (Kind.MARKET_CHANGE, 7),
    (Kind.PRAISE, 7),
    (Kind.OTHER, 4),
]
OBJECTIONS = {
    "Pricing": "They find us too expensive compared to what they pay today.",
    "Security review": "Their IT wants a full security questionnaire before any trial.",
    "Integration": "They need a native integration with their ERP before they move.",
    "Timing": "Interested, but not before their next budget cycle.",
    "Contract terms": "They refuse a 3-year commitment; they want monthly terms.",
    "Missing feature": "They asked for multi-currency reporting, which we lack.",
    "Change management": "The team is afraid of another tool to learn.",
}
COMPETITORS = ["Acme CRM", "Pipedrive", "HubSpot", "Salesforce", "Zoho"]
COMPETITOR_TEXTS = [
    "They are evaluating {name} in parallel; {name} offered a 30% discount.",
    "Current {name} customer, contract renews in the spring.",
    "{name} showed them a slick demo of forecasting; we need an answer to that.",
]
CONTENT_REQUESTS = [
    ("A one-page comparison against our main competitors.", ["Battle card"]),
    ("A case study from a manufacturing customer of their size.", ["Case study"]),
    ("A security whitepaper we can send before the first call.", ["Security review"]),
    ("An ROI calculator to leave behind after the demo.", ["ROI"]),
    ("German versions of the product sheets.", ["Localisation"]),
]
CAMPAIGN_TEXTS = [
    ("The attendees were mostly students; few real buyers.", ["Lead fit"], 2),
    ("Great audience, three meetings booked in the first week.", ["Lead fit"], 5),
    ("The offer confused prospects: they expected a free trial.", ["Messaging"], 2),
    ("Follow-up list arrived late; half the leads had gone cold.", ["Follow-up"], 3),
    ("Prospects loved the live demo part.", ["Messaging"], 4),
]
LEAD_QUALITY_TEXTS = [
    ("Job title suggests no buying power.", ["Lead fit"], 2),
    ("Company too small for our entry plan.", ["Lead fit", "SMB"], 1),
    ("Spot on: right persona, active project.", ["Lead fit"], 5),
    ("Phone number missing and e-mail bounces.", ["Data quality"], 1),
]
MARKET_TEXTS = [
    ("New e-invoicing regulation makes finance teams reconsider their tools.", ["Regulation"]),
    ("Budgets are frozen in retail until Q2.", ["Timing"]),
    ("AI features are now a must-have question in every first call.", ["AI"]),
]
PRAISE_TEXTS = [
    ("The new webinar leads convert really well, thank you!", ["Lead fit"], 5),
    ("The battle card saved my demo yesterday.", ["Battle card"], 5),
    ("Much better lead scoring this quarter.", ["Lead fit"], 4),
]
OTHER_TEXTS = [("Could the MQL e-mail include the lead's last web visits?", ["Process"])]
ANSWERS = {
    Status.ACTIONED: [
        "Done: updated in the content library, link in the thread.",
        "Adjusted the campaign targeting from next week on.",
        "Added to the next sprint of content; you will have it by the end of the month.",
        "Thanks, we changed the scoring rule that let these through.",
    ],
    Status.DECLINED: [
        "Not now: the budget for this quarter is spent. We'll revisit in the planning.",
        "We checked: this is a one-off, the campaign data does not show a trend.",
        "Out of scope for marketing; raised with product management instead.",
    ],
    Status.ACKNOWLEDGED: [
        "Thanks, looking into it with the campaign owner.",
        "Noted, we'll discuss it at Monday's smarketing meeting.",
    ],
}
COMMENTS = [
    (TeamKind.SALES, "Any update on this? Two more prospects asked this week."),
    (TeamKind.MARKETING, "Which accounts exactly? Happy to look at them together."),
    (TeamKind.SALES, "Mostly mid-market, DACH region."),
    (TeamKind.MARKETING, "Thanks, that helps."),
]


def seed(*, seed: int, leads: int, out) -> None:
    rejections = services.rejection_feedback_backfill()
    answered = _answer_followed_up_rejections()
    sellers = list(
        User.objects.filter(role__in=[Role.SELLER, Role.SALES_MANAGER], is_active=True).order_by(
            "id"
        )
    )
    marketers = list(
        User.objects.filter(
            role__in=[Role.MARKETER, Role.MARKETING_MANAGER], is_active=True
        ).order_by("id")
    )
    created = 0
    if sellers and marketers:
        target = min(MAX_ITEMS, max(40, leads // 20))
        created = _items_top_up(seed=seed, target=target, sellers=sellers, marketers=marketers)
    out.write(
        f"Demo feedback: {rejections} rejections recorded as feedback ({answered} answered), "
        f"{created} items given."
    )


def _answer_followed_up_rejections() -> int:
    """Rejection feedback whose lead marketing recycled or disqualified is actioned.

    Set-based: one UPDATE taking the time, actor and kind of the first follow-up move,
    then one INSERT … SELECT of the matching history rows.
    """
    if connection.vendor == "postgresql":
        # Both tables were just filled in bulk (the items in this same transaction):
        # without fresh statistics the planner believes they are nearly empty and picks
        # a nested loop comparing every item with every follow-up move (minutes, not
        # seconds, at 200k leads).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {LeadStageChange._meta.db_table}")
            cursor.execute(f"ANALYZE {FeedbackItem._meta.db_table}")
    follow_ups = LeadStageChange.objects.filter(
        lead_id=OuterRef("lead_id"),
        from_stage=Stage.REJECTED,
        action__in=[LeadStageChange.Action.RECYCLE, LeadStageChange.Action.DISQUALIFY],
        created_at__gt=OuterRef("created_at"),
    ).order_by("created_at", "id")
    answer = Case(
        When(
            action=LeadStageChange.Action.RECYCLE,
            then=Value("Recycled to nurture; we'll qualify it again later."),
        ),
        default=Value("Disqualified: you were right, it does not fit."),
    )
    first_time = Subquery(follow_ups.values("created_at")[:1])
    updated = (
        FeedbackItem.objects.filter(stage_change__isnull=False, status=Status.NEW)
        .filter(Exists(follow_ups))
        .update(
            status=Status.ACTIONED,
            answer=Subquery(follow_ups.annotate(text=answer).values("text")[:1]),
            answered_by=Subquery(follow_ups.values("actor_id")[:1]),
            answered_at=first_time,
            status_changed_at=first_time,
            updated_at=first_time,
        )
    )
    items = FeedbackItem._meta.db_table
    history = FeedbackStatusChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {history} (item_id, action, from_status, to_status, actor_id,
                answer, created_at)
            SELECT f.id, %s, %s, f.status, f.answered_by_id, f.answer, f.answered_at
            FROM {items} f
            WHERE f.stage_change_id IS NOT NULL AND f.status = %s
              AND NOT EXISTS (
                SELECT 1 FROM {history} h WHERE h.item_id = f.id AND h.from_status = %s
              )
            """,  # table names come from the models; values are parameters
            [lifecycle.ACTION, Status.NEW, Status.ACTIONED, Status.NEW],
        )
    return updated


def _pick(rng: random.Random, weighted):
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def _items_top_up(*, seed: int, target: int, sellers, marketers) -> int:
    existing = FeedbackItem.objects.filter(
        stage_change__isnull=True, author__in=sellers + marketers
    ).count()
    if existing >= target:
        return 0
    now = timezone.now()
    # A bounded sample of each seller's leads and of the campaigns to point at.
    leads_of = {
        seller.pk: list(
            Lead.objects.filter(owner=seller).order_by("-id").values_list("id", "account_id")[:200]
        )
        for seller in sellers
    }
    campaigns = list(
        Campaign.objects.filter(start_date__lte=now.date())
        .order_by("-start_date")
        .values_list("id", flat=True)[:30]
    )
    tag_cache: dict[str, Tag] = {}

    def tag(name: str) -> Tag:
        slug = slugify(name)
        if slug not in tag_cache:
            tag_cache[slug], _created = Tag.objects.get_or_create(
                slug=slug, defaults={"name": name}
            )
        return tag_cache[slug]

    items, tag_names, histories, comments = [], [], [], []
    for number in range(existing, target):
        rng = random.Random(f"{seed}:feedback:{number}")
        author = sellers[number % len(sellers)]
        item, names = _item(rng, author, now, leads_of[author.pk], campaigns)
        answerer = marketers[rng.randrange(len(marketers))]
        history = [(lifecycle.CREATE, "", Status.NEW, author, "", item.created_at)]
        _answer(rng, item, answerer, now, history)
        items.append(item)
        tag_names.append(names)
        histories.append(history)
        comments.append(_thread(rng, item, author, answerer, now))
    FeedbackItem.objects.bulk_create(items, batch_size=500)
    links = FeedbackItem.tags.through
    links.objects.bulk_create(
        [
            links(feedbackitem_id=item.pk, tag_id=tag(name).pk)
            for item, names in zip(items, tag_names, strict=True)
            for name in dict.fromkeys(names)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    FeedbackStatusChange.objects.bulk_create(
        [
            FeedbackStatusChange(
                item=item,
                action=action,
                from_status=source,
                to_status=target_status,
                actor=actor,
                answer=answer,
                created_at=moment,
            )
            for item, history in zip(items, histories, strict=True)
            for action, source, target_status, actor, answer, moment in history
        ],
        batch_size=1000,
    )
    FeedbackComment.objects.bulk_create(
        [
            FeedbackComment(item=item, author=comment_author, text=text, created_at=moment)
            for item, thread in zip(items, comments, strict=True)
            for comment_author, text, moment in thread
        ],
        batch_size=1000,
    )
    return len(items)


def _item(rng: random.Random, author, now, leads, campaigns) -> tuple[FeedbackItem, list[str]]:
    kind = _pick(rng, KIND_WEIGHTS)
    # Newer feedback is more frequent: the product is used more and more.
    age = timedelta(days=HISTORY_DAYS * rng.random() ** 1.6, hours=rng.randrange(24))
    created_at = now - age
    rating = None
    competitor = ""
    lead_id = campaign_id = account_id = None
    if kind == Kind.OBJECTION:
        name = rng.choice(list(OBJECTIONS))
        text, names = OBJECTIONS[name], [name]
        if rng.random() < 0.3:
            names.append(rng.choice(["Enterprise", "SMB", "DACH"]))
    elif kind == Kind.COMPETITOR:
        competitor = rng.choice(COMPETITORS)
        text = rng.choice(COMPETITOR_TEXTS).format(name=competitor)
        names = ["Pricing"] if "discount" in text else []
    elif kind == Kind.CAMPAIGN:
        text, names, rating = rng.choice(CAMPAIGN_TEXTS)
    elif kind == Kind.CONTENT_REQUEST:
        text, names = rng.choice(CONTENT_REQUESTS)
        rating = rng.choice([None, 2, 3])
    elif kind == Kind.LEAD_QUALITY:
        text, names, rating = rng.choice(LEAD_QUALITY_TEXTS)
    elif kind == Kind.MARKET_CHANGE:
        text, names = rng.choice(MARKET_TEXTS)
    elif kind == Kind.PRAISE:
        text, names, rating = rng.choice(PRAISE_TEXTS)
    else:
        text, names = rng.choice(OTHER_TEXTS)
    subject = rng.random()
    campaign_kinds = (Kind.CAMPAIGN, Kind.OBJECTION, Kind.COMPETITOR, Kind.PRAISE)
    if kind in campaign_kinds and campaigns and (kind == Kind.CAMPAIGN or subject < 0.45):
        campaign_id = rng.choice(campaigns)
    if campaign_id is None and leads and (kind == Kind.LEAD_QUALITY or subject > 0.7):
        lead_id, lead_account = rng.choice(leads)
        if kind == Kind.MARKET_CHANGE and lead_account:
            lead_id, account_id = None, lead_account
    if Kind(kind) not in RATED_KINDS:
        rating = None
    item = FeedbackItem(
        author=author,
        kind=kind,
        text=text,
        rating=rating,
        competitor=competitor,
        lead_id=lead_id,
        campaign_id=campaign_id,
        account_id=account_id,
        status=Status.NEW,
        created_at=created_at,
        status_changed_at=created_at,
        updated_at=created_at,
    )
    return item, list(names)


def _answer(rng: random.Random, item: FeedbackItem, answerer, now, history: list) -> None:
    """Give older items marketing's answer; the last days' items mostly wait."""
    age_days = (now - item.created_at).days
    if age_days < 2 or (age_days < 10 and rng.random() < 0.6):
        return
    outcome = _pick(rng, [(Status.ACTIONED, 55), (Status.DECLINED, 20), (Status.ACKNOWLEDGED, 25)])
    if outcome == Status.ACKNOWLEDGED and age_days > 45:
        outcome = Status.ACTIONED  # long-acknowledged items have been dealt with since
    hours = rng.choice([2, 5, 9, 20, 30, 52, 75, 120]) * (0.6 + rng.random())
    answered_at = min(item.created_at + timedelta(hours=hours), now - timedelta(hours=1))
    item.answered_at, item.answered_by = answered_at, answerer
    if outcome != Status.ACKNOWLEDGED and rng.random() < 0.4:
        history.append(
            (lifecycle.ACKNOWLEDGE, Status.NEW, Status.ACKNOWLEDGED, answerer, "", answered_at)
        )
        closed_at = min(answered_at + timedelta(days=rng.randint(1, 6)), now)
        source = Status.ACKNOWLEDGED
    else:
        closed_at, source = answered_at, Status.NEW
    answer = rng.choice(ANSWERS[outcome])
    move = lifecycle.find_move_to(outcome, source)
    assert move is not None, f"the demo only makes moves that exist: {source} → {outcome}"
    action = move.action
    history.append((action, source, outcome, answerer, answer, closed_at))
    item.status, item.answer = outcome, answer
    item.status_changed_at = item.updated_at = closed_at


def _thread(rng: random.Random, item: FeedbackItem, author, answerer, now) -> list[tuple]:
    if rng.random() > 0.25:
        return []
    thread = []
    moment = item.created_at
    for side, text in COMMENTS[: rng.randint(1, len(COMMENTS))]:
        moment = min(moment + timedelta(hours=rng.randint(1, 30)), now)
        thread.append((author if side == TeamKind.SALES else answerer, text, moment))
    return thread
