"""The demo KPIs: shared owners from both teams, targets, snapshots; safe to run twice."""

import io

from accounts import demo as accounts_demo
from kpis import demo
from kpis.models import KpiDefinition, KpiSnapshot, KpiTarget, SnapshotRun


def test_demo_is_idempotent_and_shared_kpis_have_both_teams(world):
    accounts_demo.seed(seed=1, leads=0, out=io.StringIO())

    demo.seed(seed=1, leads=0, out=io.StringIO())
    counts = (
        KpiDefinition.objects.count(),
        KpiTarget.objects.count(),
        KpiSnapshot.objects.count(),
        SnapshotRun.objects.count(),
    )
    demo.seed(seed=1, leads=0, out=io.StringIO())

    assert counts == (
        KpiDefinition.objects.count(),
        KpiTarget.objects.count(),
        KpiSnapshot.objects.count(),
        SnapshotRun.objects.count(),
    )
    for kpi in KpiDefinition.objects.filter(is_shared=True):
        assert {owner.team_kind for owner in kpi.owners.all()} >= {"marketing", "sales"}
    assert KpiDefinition.objects.get(name="New customers").targets.exists()
