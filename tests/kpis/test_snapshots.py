"""The daily snapshot: idempotent, and the funnel read through it equals the live funnel."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kpis import histograms, selectors, services, tasks
from kpis.models import KpiSnapshot, SnapshotRun
from kpis.selectors import Slice, local_midnight
from leads.models import Stage
from leads.services import lead_transition
from tests.factories import LeadFactory

MARCH_1 = dt.date(2026, 3, 1)


def snapshot_state():
    return sorted(KpiSnapshot.objects.values_list("day", "measure", "group", "value"))


def test_running_the_snapshot_twice_writes_the_same_rows_once(world):
    first = services.snapshots_take(today=MARCH_1)
    rows = snapshot_state()
    second = services.snapshots_take(today=MARCH_1)

    assert first.pk == second.pk
    assert SnapshotRun.objects.count() == 1
    assert snapshot_state() == rows
    assert len(rows) == KpiSnapshot.objects.count() == second.rows


def test_snapshot_counts_only_what_happened_before_its_day(world):
    services.snapshots_take(today=MARCH_1)

    def value(day, measure, group=""):
        return KpiSnapshot.objects.get(day=day, measure=measure, group=group).value

    # L1 (MQL Jan 10) was won on March 1: not yet a customer in the snapshot of March 1.
    assert value(dt.date(2026, 1, 10), "cohort_mql") == 1
    assert value(dt.date(2026, 1, 10), "cohort_sql") == 1
    assert value(dt.date(2026, 1, 10), "cohort_customer") == 0
    assert value(dt.date(2026, 2, 5), "entered_sql", "source:web") == 1
    assert not KpiSnapshot.objects.filter(measure="entered_customer").exists()


def test_a_new_snapshot_replaces_slices_that_no_longer_exist(world):
    services.snapshots_take(today=MARCH_1)
    world["L2"].source = "partner"
    world["L2"].save(update_fields=["source"])

    services.snapshots_take(today=MARCH_1 + dt.timedelta(days=1))

    groups = set(KpiSnapshot.objects.values_list("group", flat=True))
    assert "source:partner" in groups
    assert "source:event" in groups  # L4 is still an event lead
    assert not KpiSnapshot.objects.filter(group="source:partner", day=dt.date(2026, 1, 21)).exists()


@pytest.mark.parametrize("view", ["cohort", "period"])
@pytest.mark.parametrize(
    "group_by", ["month", "week", "quarter", "total", "source", "segment", "owner"]
)
def test_funnel_through_the_snapshot_equals_the_live_funnel(world, q1_range, view, group_by):
    # As of March 1, L1's win (Mar 1) and L5's acceptance (Mar 3) are "since the
    # snapshot": they come from the live table, on top of the closed days.
    services.snapshots_take(today=MARCH_1)
    since, until = q1_range

    through = selectors.funnel(since=since, until=until, view=view, group_by=group_by)
    live = selectors.funnel(
        since=since, until=until, view=view, group_by=group_by, use_snapshots=False
    )

    assert through.from_snapshot is True
    assert through.rows == live.rows


def test_team_slice_is_read_from_its_own_snapshot_rows(world, q1_range, seller):
    services.snapshots_take(today=MARCH_1)
    since, until = q1_range
    team = Slice(team_id=seller.team_id)

    through = selectors.funnel(since=since, until=until, slice=team)
    live = selectors.funnel(since=since, until=until, slice=team, use_snapshots=False)

    assert through.from_snapshot is True
    assert through.rows == live.rows


def test_revenue_through_the_snapshot_equals_live(world, q1_range):
    since, until = q1_range
    live = selectors.revenue_by_period(since=since, until=until)
    services.snapshots_take(today=dt.date(2026, 3, 5))

    assert selectors.revenue_by_period(since=since, until=until) == live


def test_todays_moves_are_counted_exactly_after_the_snapshot(db, seller):
    lead = LeadFactory(handed_over=True, owner=seller)
    services.snapshots_take()
    today = timezone.localdate()
    since, until = (
        local_midnight(today.replace(day=1)),
        local_midnight(today + dt.timedelta(days=1)),
    )

    lead_transition(lead=lead, action="accept", actor=seller)

    rows = selectors.funnel(since=since, until=until, view="cohort", group_by="total").rows
    assert lead.stage == Stage.SAL
    assert (rows[0]["mql"], rows[0]["sal"]) == (1, 1)


def test_histograms_give_the_percentiles_within_a_bucket(world, q1_range):
    services.snapshots_take(today=MARCH_1)
    since, until = q1_range

    summary = selectors.durations_summary(names=["mql_sal", "decision"], since=since, until=until)
    (exact,) = selectors.velocity(since=since, until=until, stage_from="mql", stage_to="sal")

    assert summary["mql_sal"]["count"] == exact["count"] == 5
    bucket = histograms.bucket_of(exact["median_hours"])
    low, high = histograms.EDGES[bucket], histograms.EDGES[bucket + 1]
    assert low <= summary["mql_sal"]["median_hours"] <= high
    assert summary["decision"]["count"] == 5


@override_settings(TIME_ZONE="Europe/Berlin")
def test_snapshot_days_are_local_days(world):
    services.snapshots_take(today=MARCH_1)

    # L3's MQL at 23:30 UTC on Jan 31 is on Feb 1 in Berlin.
    assert KpiSnapshot.objects.filter(day=dt.date(2026, 2, 1), measure="cohort_mql").exists()
    assert not KpiSnapshot.objects.filter(day=dt.date(2026, 1, 31), measure="cohort_mql").exists()


def test_a_snapshot_in_another_time_zone_is_not_used(world, q1_range):
    with override_settings(TIME_ZONE="Europe/Berlin"):
        services.snapshots_take(today=MARCH_1)
    since, until = q1_range

    assert selectors.funnel(since=since, until=until).from_snapshot is False


def test_the_task_and_the_command_run_the_same_idempotent_snapshot(world):
    tasks.snapshot_kpis.delay()
    rows = snapshot_state()
    out = io.StringIO()
    call_command("snapshot_kpis", stdout=out)

    assert SnapshotRun.objects.count() == 1
    assert snapshot_state() == rows
    assert "rows" in out.getvalue()


def test_histograms_through_the_snapshot_equal_the_live_histograms(world, q1_range):
    since, until = q1_range
    live = histograms.histograms(
        names=list(histograms.DURATIONS), since=since, until=until, leads=Slice().leads(), run=None
    )
    services.snapshots_take(today=MARCH_1)
    run = selectors.latest_snapshot_run()

    through = histograms.histograms(
        names=list(histograms.DURATIONS), since=since, until=until, leads=Slice().leads(), run=run
    )

    assert through == live
    assert sum(live["decision"].values()) == 5
