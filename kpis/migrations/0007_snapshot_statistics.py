"""Multivariate statistics on the snapshot's (group, measure). PostgreSQL only.

The two columns are strongly dependent (the histogram measures only exist for the
"" group, the slice groups only hold funnel measures), so PostgreSQL's independence
guess over-estimated "group = '' AND measure IN (cohort_…)" about fifteen-fold and
picked a parallel sequential scan over the whole table instead of the index-only scan
of kpisnapshot_read_idx (selectors._funnel_from_snapshot, histograms.histograms). An MCV
list big enough to hold every (group, measure) pair gives exact estimates.
"""

from django.db import migrations


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS kpis_snapshot_group_measure (mcv, dependencies) "
        'ON "group", measure FROM kpis_kpisnapshot'
    )
    schema_editor.execute("ALTER STATISTICS kpis_snapshot_group_measure SET STATISTICS 1000")
    schema_editor.execute("ANALYZE kpis_kpisnapshot")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP STATISTICS IF EXISTS kpis_snapshot_group_measure")


class Migration(migrations.Migration):
    dependencies = [("kpis", "0006_snapshot_run_slices")]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
