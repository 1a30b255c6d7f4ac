"""Lead.search_text, and on PostgreSQL a trigram index that serves the search box.

The search box filters ``search_text LIKE '%TERM%'`` (see leads/filters.py): without
the index that reads every lead; with it, a bitmap index scan. pg_trgm is a trusted
extension, so the database owner may create it.
"""

import django.db.models.functions.text
from django.db import migrations, models


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS lead_search_text_trgm_idx "
        "ON leads_lead USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS account_name_upper_trgm_idx "
        "ON leads_account USING gin (UPPER(name) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS lead_search_text_trgm_idx")
    schema_editor.execute("DROP INDEX IF EXISTS account_name_upper_trgm_idx")


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0005_lead_owner_working_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='lead',
            name='search_text',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Upper(django.db.models.functions.text.Concat('email', models.Value(' '), 'first_name', models.Value(' '), 'last_name')), output_field=models.TextField()),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
