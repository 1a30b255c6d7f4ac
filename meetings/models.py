"""The weekly smarketing meeting: what sales and marketing talk about once a week."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WeeklyBrief(models.Model):
    """The agenda of one week's joint sales–marketing meeting (Monday to Sunday).

    ``content`` holds the numbers as built (JSON); ``rendered`` is the e-mail text.
    ``sent_at`` is set once the e-mail went to both teams; the per-recipient dedupe key
    of the notification makes the sending itself exactly-once.

    Moved here from feedback (migrations feedback 0003 / meetings 0001 rename the table,
    the rows stay).
    """

    week_start = models.DateField(unique=True, help_text=_("The Monday the week starts on."))
    content = models.JSONField(default=dict)
    rendered = models.TextField(blank=True)
    built_at = models.DateTimeField(default=timezone.now)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"Weekly brief of {self.week_start:%Y-%m-%d}"
