"""Indexes on leads_lead for KPI reads the leads app's own indexes do not serve.

PostgreSQL only (CREATE INDEX … INCLUDE, partial indexes); SQLite databases are small.
Each index names the query it serves:
- kpis_lead_open_sql_idx: selectors.pipeline_by — SELECT segment|owner_id, count(id),
  sum(expected_amount) FROM leads_lead WHERE stage = 'sql' GROUP BY …: an index-only
  scan of the open SQLs instead of the whole table.
- kpis_lead_lost_close_idx: selectors.totals (win rate) — lost deals by close_date.
- kpis_lead_handed_over_idx: speed to lead — leads handed over in a range (the inbox index
  starts with owner and cannot serve it).
- kpis_lead_decided_idx / kpis_lead_first_touch_idx: speed to lead over snapshots — the
  closed days' hand-overs decided or touched since the last snapshot (a day's worth).
"""

from django.db import migrations

INDEXES = {
    "kpis_lead_open_sql_idx": (
        "ON leads_lead (segment, owner_id) INCLUDE (id, expected_amount, source, region) "
        "WHERE stage = 'sql'"
    ),
    "kpis_lead_lost_close_idx": "ON leads_lead (close_date) WHERE stage = 'lost'",
    "kpis_lead_handed_over_idx": "ON leads_lead (handed_over_at)",
    "kpis_lead_decided_idx": "ON leads_lead (decided_at)",
    "kpis_lead_first_touch_idx": "ON leads_lead (first_touch_at)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("kpis", "0003_role_permissions")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
