"""Extended statistics on the local month and day of each first-reached timestamp.

Without them PostgreSQL guesses ~200 groups for GROUP BY date_trunc('month', mql_at AT
TIME ZONE …) and sorts a million rows; with them it knows there are ~25 months and uses a
small hash aggregate. They serve:
- the cohort funnel by month (GROUP BY the month of mql_at, selectors.funnel),
- the period funnel by month (one GROUP BY per stage timestamp),
- the daily snapshot (GROUP BY the local day of each timestamp, services.snapshots_take).
The expressions must match Django's Trunc SQL in the configured time zone; after changing
DJANGO_TIME_ZONE, migrate kpis back to 0001 and forward again. PostgreSQL only.
"""

from django.conf import settings
from django.db import migrations

STAMPS = ("mql_at", "sal_at", "sql_at", "won_at", "handed_over_at")


def statements(time_zone: str) -> list[str]:
    zone = time_zone.replace("'", "''")
    result = []
    for stamp in STAMPS:
        result.append(
            f"CREATE STATISTICS IF NOT EXISTS kpis_lead_{stamp}_month "
            f"ON (date_trunc('month', {stamp} AT TIME ZONE '{zone}')) FROM leads_lead"
        )
        result.append(
            f"CREATE STATISTICS IF NOT EXISTS kpis_lead_{stamp}_day "
            f"ON (({stamp} AT TIME ZONE '{zone}')::date) FROM leads_lead"
        )
    return result


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in statements(settings.TIME_ZONE):
        schema_editor.execute(sql)
    schema_editor.execute("ANALYZE leads_lead")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for stamp in STAMPS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS kpis_lead_{stamp}_month")
        schema_editor.execute(f"DROP STATISTICS IF EXISTS kpis_lead_{stamp}_day")


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0001_initial"),
        ("leads", "0003_lead_decided_at"),
    ]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
