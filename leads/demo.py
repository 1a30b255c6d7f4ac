"""Demo leads: accounts, and N leads over the last 18 months with their history and touches.

``seed(seed=…, leads=N, out=…)`` tops the demo up to N leads: a second run with the same N
creates nothing, a larger N adds the missing ones. Lead number ``i`` is always generated
from ``(seed, i)`` alone, so the data is deterministic whatever the chunking.

Conversion is realistic and stable even for a small N: each decision (accept, qualify,
win…) is drawn from its own low-discrepancy (Weyl) sequence over the lead numbers instead
of an independent coin, so the shares stay close to their targets at N = 200 as at N =
1,000,000. Timestamps are consistent: created ≤ mql_at ≤ sal_at ≤ sql_at ≤ won_at ≤ now.

Everything is written with ``bulk_create`` in chunks of CHUNK leads (with their history
rows and touches), so memory stays bounded and a million leads take minutes, not hours.
Demo rows are bulk inserts, not service calls: they describe what happened in the past,
and the services would stamp "now" on every move. Demo lead e-mails and account domains
end with ``.example`` (RFC 2606), which is how the top-up recognises them.
"""

import io
import math
import random
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Team, User
from leads import lifecycle
from leads.models import (
    Account,
    AssignmentRule,
    ChangeAction,
    Lead,
    LeadStageChange,
    Stage,
    TargetTier,
    Touch,
    TouchKind,
)

DEMO_SUFFIX = ".example"
CHUNK = 5_000
BATCH_SIZE = 2_000
HISTORY_DAYS = 548  # about 18 months

# Targets for each decision (the shares the demo converges to).
QUALIFY_TO_MQL = 0.55
ACCEPT = 0.52  # of MQLs decided by sales
QUALIFY_TO_SQL = 0.62  # of SALs
WIN = 0.24  # of SQLs
# Irrational steps for the Weyl sequences, one per decision, so they do not correlate.
_STEPS = {
    "mql": math.sqrt(2) - 1,
    "accept": math.sqrt(3) - 1,
    "sql": math.sqrt(5) - 2,
    "rejected": math.sqrt(11) - 3,
    "sal_rest": math.sqrt(13) - 3,
}

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Elif",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Marco",
    "Nora",
    "Omar",
    "Paula",
    "Quentin",
    "Rosa",
    "Samir",
    "Tara",
    "Umar",
    "Vera",
    "Wim",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carmen",
    "Dmitri",
]
LAST_NAMES = [
    "Adler",
    "Baker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Vidal",
    "Weber",
    "Yilmaz",
    "Zhang",
]
TITLES = (
    "Head of Marketing",
    "Marketing Manager",
    "CTO",
    "VP Sales",
    "Operations Director",
    "IT Manager",
    "CFO",
    "Product Owner",
    "Procurement Lead",
    "CEO",
)
COMPANY_WORDS = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Acme",
    "Tyrell",
    "Soylent",
    "Vandelay",
    "Hooli",
    "Pied",
    "Aperture",
    "Cyberdyne",
    "Wonka",
    "Oscorp",
    "Gringotts",
    "Monarch",
]
COMPANY_KINDS = ("Analytics", "Logistics", "Health", "Energy", "Retail", "Labs", "Systems")
LEGAL_FORMS = ("Inc.", "Ltd", "GmbH", "SA", "BV", "Group", "AB", "Oy")
INDUSTRIES = ("Software", "Manufacturing", "Healthcare", "Retail", "Finance", "Logistics")
SIZES = (("1-50", "SMB"), ("51-200", "SMB"), ("201-1000", "Mid-market"), ("1001+", "Enterprise"))
REGIONS = ("EMEA", "NA", "APAC", "LATAM")
SOURCES = ("web form", "webinar", "event", "content download", "paid search", "referral")
REJECT_REASONS = (
    "not_icp",
    "bad_contact_data",
    "no_budget",
    "bad_timing",
    "duplicate",
    "competitor_customer",
    "student_or_job_seeker",
)
RECYCLE_SAL_REASONS = ("no_response", "bad_timing", "no_budget")
RECYCLE_REJECTED_REASONS = ("bad_timing", "no_budget", "other")
LOSE_REASONS = ("no_budget", "competitor_customer", "bad_timing", "no_response", "other")
TOUCH_KINDS = (TouchKind.CALL, TouchKind.EMAIL, TouchKind.EMAIL, TouchKind.MEETING, "social")


def seed(*, seed: int, leads: int, out) -> None:
    """Top the demo up to ``leads`` leads (and their accounts, history and touches)."""
    people = _demo_people()
    sales_team = Team.objects.filter(name="Sales").first()
    if sales_team is not None:
        AssignmentRule.objects.get_or_create(
            segment="", region="", defaults={"team": sales_team, "priority": 1000}
        )
    account_ids = _accounts_top_up(seed=seed, count=_account_count(leads))
    existing = Lead.objects.filter(email__endswith=DEMO_SUFFIX).count()
    missing = max(leads - existing, 0)
    if missing == 0:
        out.write(f"Demo leads: none created, {existing:,} already there.")
        return
    now = timezone.now().replace(microsecond=0)
    generator = _Generator(seed=seed, total=leads, now=now, people=people, accounts=account_ids)
    with tqdm(total=missing, desc="Demo leads", unit="lead", file=sys.stderr) as progress:
        for start in range(existing, leads, CHUNK):
            stop = min(start + CHUNK, leads)
            _write_chunk([generator.lead(i) for i in range(start, stop)])
            progress.update(stop - start)
    out.write(f"Demo leads: {missing:,} created ({existing:,} already there).")


def _demo_people() -> dict[str, User]:
    wanted = ("marketer", "seller", "seller2", "sales_manager")
    people = {user.username: user for user in User.objects.filter(username__in=wanted)}
    if len(people) != len(wanted):
        raise ImproperlyConfigured("Demo leads need the demo users: run accounts.demo first.")
    return people


def _account_count(leads: int) -> int:
    return min(max(20, leads // 25), 40_000) if leads else 0


def _accounts_top_up(*, seed: int, count: int) -> list[tuple[int, str]]:
    """Create the missing demo accounts; return every demo account's (id, domain)."""
    existing = Account.objects.filter(domain__endswith=DEMO_SUFFIX).count()
    new_accounts = []
    for number in range(existing, count):
        rng = random.Random(f"{seed}:account:{number}")
        word, kind = rng.choice(COMPANY_WORDS), rng.choice(COMPANY_KINDS)
        size, _segment = rng.choice(SIZES)
        new_accounts.append(
            Account(
                # The number keeps domains unique; names may repeat, as in real life.
                name=f"{word} {kind} {rng.choice(LEGAL_FORMS)}",
                domain=f"{word.lower()}-{kind.lower()}-{number + 1}{DEMO_SUFFIX}",
                industry=rng.choice(INDUSTRIES),
                size=size,
                region=rng.choice(REGIONS),
                target_tier=rng.choices(
                    [TargetTier.TIER_1, TargetTier.TIER_2, TargetTier.TIER_3, TargetTier.NONE],
                    weights=[1, 2, 3, 14],
                )[0],
            )
        )
    Account.objects.bulk_create(new_accounts, batch_size=BATCH_SIZE)
    return list(
        Account.objects.filter(domain__endswith=DEMO_SUFFIX)
        .order_by("id")
        .values_list("id", "domain")
    )


def _write_chunk(generated: list[tuple[Lead, list, list]]) -> None:
    """Insert a chunk of leads, then their history rows and touches (which need the ids)."""
    leads = [lead for lead, _changes, _touches in generated]
    if connection.vendor == "postgresql":
        _assign_ids(Lead, leads)
        _copy(Lead, leads)
    else:
        Lead.objects.bulk_create(leads, batch_size=BATCH_SIZE)
    changes, touches = [], []
    for lead, lead_changes, lead_touches in generated:
        for change in lead_changes:
            change.lead_id = lead.pk
            changes.append(change)
        for touch in lead_touches:
            touch.lead_id = lead.pk
            touches.append(touch)
    for model, rows in ((LeadStageChange, changes), (Touch, touches)):
        if connection.vendor == "postgresql":
            _assign_ids(model, rows)
            _copy(model, rows)
        else:
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _assign_ids(model, objects: list) -> None:
    """Take ids from the table's sequence, so COPY can write children with their parent id."""
    if not objects:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, len(objects)],
        )
        for obj, (new_id,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = new_id


def _copy(model, objects: list) -> None:
    """PostgreSQL COPY of unsaved instances: several times faster than INSERT for a million."""
    if not objects:
        return
    # Generated columns (Lead.search_text) are computed by the database.
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    buffer = io.StringIO()
    for obj in objects:
        buffer.write("\t".join(_copy_value(getattr(obj, field.attname)) for field in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if any(char in text for char in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class _Generator:
    """Lead number i → (Lead, its stage changes, its touches), a function of (seed, i)."""

    def __init__(self, *, seed: int, total: int, now, people: dict[str, User], accounts):
        self.seed = seed
        self.now = now
        self.people = people
        self.accounts = accounts
        offsets = random.Random(seed)
        self.offsets = {name: offsets.random() for name in _STEPS}
        # A handful of special MQLs at the end of the range: fresh hand-overs that keep
        # the inbox alive, and old undecided ones (SLA breaches to be).
        specials = min(max(total // 100, 2), 12)
        self.fresh_from = total - specials
        self.old_from = total - specials // 2

    def _draw(self, name: str, number: int) -> float:
        return (self.offsets[name] + (number + 1) * _STEPS[name]) % 1.0

    def _after(self, rng: random.Random, moment, low_hours: float, high_hours: float):
        """A moment a few hours/days after ``moment``, squeezed in before now if needed."""
        candidate = moment + timedelta(hours=rng.uniform(low_hours, high_hours))
        if candidate < self.now:
            return candidate
        return moment + (self.now - moment) * rng.uniform(0.1, 0.9)

    def _owner(self, rng: random.Random) -> User:
        name = rng.choices(("seller", "seller2", "sales_manager"), weights=(45, 45, 10))[0]
        return self.people[name]

    def lead(self, number: int) -> tuple[Lead, list, list]:
        rng = random.Random(f"{self.seed}:lead:{number}")
        now = self.now
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        account_id, domain = self.accounts[rng.randrange(len(self.accounts))]
        created = now - timedelta(seconds=rng.uniform(3600, HISTORY_DAYS * 86400))
        lead = Lead(
            email=f"{_ascii(first)}.{_ascii(last)}.{number + 1}@{domain}".lower(),
            first_name=first,
            last_name=last,
            title=rng.choice(TITLES),
            phone=f"+44 20 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
            account_id=account_id,
            source=rng.choice(SOURCES),
            segment=rng.choice(("SMB", "SMB", "Mid-market", "Enterprise")),
            region=rng.choice(REGIONS),
            stage=Stage.LEAD,
            created_at=created,
        )
        changes: list[LeadStageChange] = []
        touches: list[Touch] = []
        story = _Story(lead, changes, touches, self.people["marketer"])

        if number >= self.fresh_from:
            # Fresh hand-overs (last hours) and old undecided MQLs (days ago).
            hours_ago = rng.uniform(0.2, 6) if number < self.old_from else rng.uniform(30, 240)
            lead.created_at = now - timedelta(hours=hours_ago + rng.uniform(24, 24 * 20))
            lead.score = rng.randrange(65, 100)
            owner = self.people[("seller", "seller2")[number % 2]]
            story.move(ChangeAction.QUALIFY, Stage.MQL, now - timedelta(hours=hours_ago), owner)
            return story.done()

        if self._draw("mql", number) >= QUALIFY_TO_MQL:
            lead.score = rng.randrange(5, 65)
            lead.updated_at = lead.stage_changed_at = created
            return story.done()
        lead.score = rng.randrange(65, 101)
        owner = self._owner(rng)
        mql_at = self._after(rng, created, 1, 24 * 14)
        story.move(ChangeAction.QUALIFY, Stage.MQL, mql_at, owner)
        decided_at = self._after(rng, mql_at, 0.3, 30)
        age_days = (now - created).days

        if self._draw("accept", number) >= ACCEPT:
            story.move(
                ChangeAction.REJECT, Stage.REJECTED, decided_at, owner, rng.choice(REJECT_REASONS)
            )
            marketing_at = self._after(rng, decided_at, 4, 24 * 10)
            fate = self._draw("rejected", number)
            if age_days < 120 and fate < 0.35:
                return story.done()  # still in marketing's rejected queue
            if fate < 0.65:
                reason = rng.choice(RECYCLE_REJECTED_REASONS)
                story.move(ChangeAction.RECYCLE, Stage.LEAD, marketing_at, None, reason)
            else:
                story.move(ChangeAction.DISQUALIFY, Stage.DISQUALIFIED, marketing_at, None)
            return story.done()

        story.move(ChangeAction.ACCEPT, Stage.SAL, decided_at, owner)
        attempts = rng.randint(1, 6)
        touch_at = decided_at
        for _attempt in range(attempts):
            touch_at = self._after(rng, touch_at, 0.2, 24 * 3)
            story.touch(rng.choice(TOUCH_KINDS), touch_at, owner)
        worked_until = touch_at

        qualify_draw = self._draw("sql", number)
        if qualify_draw >= QUALIFY_TO_SQL:
            if age_days < 150 and self._draw("sal_rest", number) < 0.6:
                return story.done()  # still being worked
            reason = rng.choice(RECYCLE_SAL_REASONS)
            story.move(
                ChangeAction.RECYCLE, Stage.LEAD, self._after(rng, worked_until, 24, 24 * 20),
                owner, reason,
            )  # fmt: skip
            return story.done()

        expected = Decimal(rng.randrange(50, 1500) * 100)
        sql_at = self._after(rng, worked_until, 24, 24 * 21)
        story.move(ChangeAction.QUALIFY, Stage.SQL, sql_at, owner, amount=expected)
        closed_at = self._after(rng, sql_at, 24 * 7, 24 * 90)
        # Nested in the same draw: the SQLs whose draw is in the lowest WIN share of the
        # qualifying range are won, which keeps the win rate exact even for a few SQLs.
        if qualify_draw < QUALIFY_TO_SQL * WIN:
            won = (expected * Decimal(rng.uniform(0.7, 1.2))).quantize(Decimal("0.01"))
            story.move(ChangeAction.WIN, Stage.CUSTOMER, closed_at, owner, amount=won)
        elif age_days > 120 or rng.random() < 0.5:
            story.move(ChangeAction.LOSE, Stage.LOST, closed_at, owner, rng.choice(LOSE_REASONS))
        return story.done()


class _Story:
    """Applies moves to an unsaved lead the way lead_transition would, at given times."""

    def __init__(self, lead: Lead, changes: list, touches: list, marketer: User):
        self.lead = lead
        self.changes = changes
        self.touches = touches
        self.marketer = marketer
        lead.updated_at = lead.stage_changed_at = lead.created_at

    def move(self, action, target, at, actor, reason_code="", amount=None):
        lead = self.lead
        source = lead.stage
        from_owner = lead.owner
        move = lifecycle.find_move(action, source)
        assert move is not None, f"the demo's stories only make moves that exist: {action}"
        marketing_move = move.side == lifecycle.MARKETING
        if target == Stage.MQL:
            lead.owner = actor
            lead.handed_over_at = at
            lead.decided_at = None
            lead.mql_at = lead.mql_at or at
        elif target == Stage.LEAD:
            lead.owner = None
            lead.handed_over_at = lead.decided_at = None
        if source == Stage.MQL:
            lead.decided_at = at
        if target == Stage.SAL:
            lead.sal_at = lead.sal_at or at
        elif target == Stage.SQL:
            lead.sql_at = lead.sql_at or at
            lead.expected_amount = amount
        elif target == Stage.CUSTOMER:
            lead.won_at = lead.won_at or at
            lead.won_amount = amount
            lead.close_date = timezone.localdate(at)
        elif target == Stage.LOST:
            lead.close_date = timezone.localdate(at)
        lead.stage = target
        lead.stage_changed_at = lead.updated_at = at
        self.changes.append(
            LeadStageChange(
                action=action,
                from_stage=source,
                to_stage=target,
                actor=self.marketer if marketing_move else (actor or from_owner),
                reason_code=reason_code,
                comment=_comment(action, reason_code),
                from_owner=from_owner,
                to_owner=lead.owner,
                amount=amount,
                created_at=at,
            )
        )

    def touch(self, kind, at, actor):
        self.touches.append(Touch(kind=kind, actor=actor, occurred_at=at, created_at=at))
        lead = self.lead
        lead.first_touch_at = lead.first_touch_at or at
        lead.updated_at = max(lead.updated_at, at)

    def done(self):
        return self.lead, self.changes, self.touches


_COMMENTS: dict[str, dict[str, str]] = {
    ChangeAction.REJECT: {
        "not_icp": "Company too small for our offer.",
        "bad_contact_data": "Phone number and e-mail bounce.",
        "no_budget": "Interested, but no budget this year.",
        "bad_timing": "Just signed with someone else; ask again next year.",
        "duplicate": "Already in talks through a colleague.",
        "competitor_customer": "Happy customer of a competitor.",
        "student_or_job_seeker": "Student writing a thesis.",
    },
    ChangeAction.LOSE: {"competitor_customer": "Chose a competitor on price."},
}


def _comment(action: str, reason_code: str) -> str:
    return _COMMENTS.get(action, {}).get(reason_code, "")


def _ascii(name: str) -> str:
    return name.replace("é", "e")
