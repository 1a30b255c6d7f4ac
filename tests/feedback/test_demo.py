"""The feedback demo: every status present, rejections covered, and a second run adds nothing."""

import io

from accounts import demo as accounts_demo
from feedback import demo
from feedback.models import FeedbackItem, FeedbackStatusChange, Status
from leads import demo as leads_demo
from leads.models import LeadStageChange


def test_demo_is_complete_and_idempotent(db):
    out = io.StringIO()
    accounts_demo.seed(seed=7, leads=120, out=out)
    leads_demo.seed(seed=7, leads=120, out=out)

    demo.seed(seed=7, leads=120, out=out)
    counts = (
        FeedbackItem.objects.count(),
        FeedbackStatusChange.objects.count(),
    )
    demo.seed(seed=7, leads=120, out=out)

    assert (
        FeedbackItem.objects.count(),
        FeedbackStatusChange.objects.count(),
    ) == counts
    rejections = LeadStageChange.objects.filter(action="reject", actor__isnull=False)
    assert FeedbackItem.objects.filter(stage_change__isnull=False).count() == rejections.count()
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == set(Status.values)
    # Every item's history starts with its creation, and every answered item has its move.
    assert FeedbackStatusChange.objects.filter(action="create").count() == counts[0]
    for item in FeedbackItem.objects.exclude(status=Status.NEW):
        assert item.status_changes.filter(to_status=item.status).exists()
