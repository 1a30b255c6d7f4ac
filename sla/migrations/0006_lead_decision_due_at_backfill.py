"""Copy each open hand-over's SLA decision deadline onto its lead (leads 0007).

The lead's decision_due_at is what the seller's inbox shows; the SLA sets it at each
hand-over from now on. One UPDATE … FROM (PostgreSQL, and SQLite 3.33+).
"""

from django.db import migrations

BACKFILL = """
UPDATE leads_lead SET decision_due_at = clock.decision_due_at
FROM sla_slaclock AS clock
WHERE clock.lead_id = leads_lead.id AND clock.handed_over_at = leads_lead.handed_over_at
"""


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0005_breach_campaign_feedback"),
        ("leads", "0007_lead_decision_due_at"),
    ]

    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop)]
