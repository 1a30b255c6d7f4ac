"""Demo leads: realistic conversion, consistent history, deterministic and idempotent."""

import io

import pytest
from django.db.models import F, Q

from accounts import demo as accounts_demo
from leads import demo
from leads.models import AssignmentRule, Lead, LeadStageChange, Stage, Touch

N = 200


@pytest.fixture
def seeded(db):
    accounts_demo.seed(seed=7, leads=N, out=io.StringIO())
    demo.seed(seed=7, leads=N, out=io.StringIO())


def snapshot():
    return list(
        Lead.objects.order_by("email").values_list(
            "email", "stage", "owner__username", "score", "expected_amount", "won_amount"
        )
    )


def test_conversion_shares_are_realistic(seeded):
    mqls = Lead.objects.filter(mql_at__isnull=False).count()
    sals = Lead.objects.filter(sal_at__isnull=False).count()
    sqls = Lead.objects.filter(sql_at__isnull=False).count()
    customers = Lead.objects.filter(won_at__isnull=False).count()

    assert Lead.objects.count() == N
    assert 0.40 <= sals / mqls <= 0.60
    assert 0.50 <= sqls / sals <= 0.70
    assert 0.20 <= customers / sqls <= 0.30
    # Every stage is represented, so every page and KPI has something to show.
    assert set(Lead.objects.values_list("stage", flat=True)) == set(Stage.values)


def test_timestamps_and_history_are_consistent(seeded):
    assert not Lead.objects.filter(
        Q(mql_at__lt=F("created_at"))
        | Q(sal_at__lt=F("mql_at"))
        | Q(sql_at__lt=F("sal_at"))
        | Q(won_at__lt=F("sql_at"))
        | Q(first_touch_at__lt=F("sal_at"))
    ).exists()
    for lead in Lead.objects.exclude(stage=Stage.LEAD).prefetch_related("stage_changes"):
        changes = list(lead.stage_changes.all())
        # The history replays to the current stage, each move from where the last ended.
        assert changes[0].from_stage == Stage.LEAD
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_stage == before.to_stage
            assert after.created_at >= before.created_at
        assert changes[-1].to_stage == lead.stage
    rejections = LeadStageChange.objects.filter(action__in=["reject", "recycle", "lose"])
    assert rejections.exists()
    assert not rejections.filter(reason_code="").exists()
    assert not Lead.objects.filter(stage=Stage.CUSTOMER, won_amount__isnull=True).exists()


def test_owners_are_the_demo_sellers_and_sellers_log_touches(seeded):
    owners = set(Lead.objects.exclude(owner=None).values_list("owner__username", flat=True))
    assert owners <= {"seller", "seller2", "sales_manager"}
    assert {"seller", "seller2"} <= owners
    assert Touch.objects.exists()
    assert not Touch.objects.exclude(actor__username__in=owners).exists()
    assert AssignmentRule.objects.filter(segment="", region="", team__name="Sales").exists()


def test_the_inbox_has_fresh_and_old_undecided_mqls(seeded):
    from datetime import timedelta

    from django.utils import timezone

    waiting = Lead.objects.filter(stage=Stage.MQL)
    now = timezone.now()
    assert waiting.filter(handed_over_at__gte=now - timedelta(hours=8)).exists()
    assert waiting.filter(handed_over_at__lte=now - timedelta(days=1)).exists()


def test_a_second_run_creates_nothing_and_a_larger_n_tops_up(seeded):
    before = snapshot()
    changes = LeadStageChange.objects.count()

    demo.seed(seed=7, leads=N, out=io.StringIO())

    assert snapshot() == before
    assert LeadStageChange.objects.count() == changes

    demo.seed(seed=7, leads=N + 10, out=io.StringIO())
    assert Lead.objects.count() == N + 10
    assert snapshot()[:0] == []  # the first N are untouched:
    assert set(before) <= set(snapshot())


def test_the_same_seed_gives_the_same_leads(seeded, django_db_blocker):
    first = snapshot()
    Touch.objects.all().delete()
    LeadStageChange.objects.all().delete()
    Lead.objects.all().delete()

    demo.seed(seed=7, leads=N, out=io.StringIO())

    assert snapshot() == first
