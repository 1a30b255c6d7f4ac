"""The weekly brief moved to the meetings app: gone from feedback's state only.

The table stays; meetings 0001 renames it and takes the model over, rows included.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_role_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WeeklyBrief")],
            database_operations=[],
        ),
    ]
