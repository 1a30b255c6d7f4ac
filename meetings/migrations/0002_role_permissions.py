"""Each role keeps the permissions it had on the weekly brief when it lived in feedback.

The content type feedback.weeklybrief becomes meetings.weeklybrief, so the permission
rows, the groups and users holding them and the admin's history follow the model; then
the table below grants what is missing (a fresh database, or one where Django already
created the meetings content type).
"""

from django.db import migrations

from accounts.roles import grant_role_permissions

EDIT = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")
READ = ("view",)
# The same as feedback 0002 gave on weeklybrief.
ROLE_PERMISSIONS = {
    "marketer": {"weeklybrief": READ},
    "marketing_manager": {"weeklybrief": EDIT},
    "seller": {"weeklybrief": READ},
    "sales_manager": {"weeklybrief": EDIT},
    "executive": {"weeklybrief": READ},
    "admin": {"weeklybrief": ALL},
}


def _move_content_type(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="weeklybrief").exists():
        ContentType.objects.filter(app_label=source, model="weeklybrief").update(
            app_label=target
        )


def forwards(apps, schema_editor):
    _move_content_type(apps, "feedback", "meetings")
    grant_role_permissions(apps, "meetings", ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    _move_content_type(apps, "meetings", "feedback")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
