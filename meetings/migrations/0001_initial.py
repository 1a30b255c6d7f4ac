"""The weekly brief, moved from feedback: the table is renamed, its rows kept.

feedback 0003 removed the model from feedback's state without touching the table; here
the table feedback_weeklybrief becomes meetings_weeklybrief (ALTER TABLE … RENAME works
on PostgreSQL and SQLite) and the model enters meetings' state unchanged. The model
names no index or constraint; the names Django generated for the table's primary key,
unique week_start, built_by index and foreign key and recipient_count check keep their
feedback_ prefix, as with Django's own AlterModelTable: later migrations find them by
column, never by name. A fresh database runs feedback 0001 then this, so it ends up with
the same names.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("feedback", "0003_weeklybrief_moved_to_meetings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE feedback_weeklybrief RENAME TO meetings_weeklybrief",
                    reverse_sql="ALTER TABLE meetings_weeklybrief RENAME TO feedback_weeklybrief",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="WeeklyBrief",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "week_start",
                            models.DateField(
                                help_text="The Monday the week starts on.", unique=True
                            ),
                        ),
                        ("content", models.JSONField(default=dict)),
                        ("rendered", models.TextField(blank=True)),
                        (
                            "built_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("recipient_count", models.PositiveIntegerField(default=0)),
                        (
                            "built_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-week_start"],
                    },
                ),
            ],
        ),
    ]
