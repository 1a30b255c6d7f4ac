"""The SLA demo: clocks for the demo's hand-overs, decisions filled in, safe to run twice."""

import io

from accounts import demo as accounts_demo
from leads import demo as leads_demo
from sla import demo
from sla.models import SLAClock

N = 200


def test_demo_clocks_carry_the_decisions_already_made(db):
    accounts_demo.seed(seed=7, leads=N, out=io.StringIO())
    leads_demo.seed(seed=7, leads=N, out=io.StringIO())

    demo.seed(seed=7, leads=N, out=io.StringIO())
    clocks = SLAClock.objects.count()
    demo.seed(seed=7, leads=N, out=io.StringIO())

    assert clocks > 0
    assert SLAClock.objects.count() == clocks
    assert SLAClock.objects.filter(decided_at__isnull=False).exists()
