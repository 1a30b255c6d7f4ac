"""Give each role's group its permissions on the feedback models."""

from django.db import migrations

ALL = ("view", "add", "change", "delete")
EDIT = ("view", "add", "change")
GIVE = ("view", "add")
READ = ("view",)
ROLE_PERMISSIONS = {
    "marketer": {
        "feedbackitem": ("view", "change"), "feedbackcomment": GIVE,
        "feedbackstatuschange": READ, "tag": EDIT, "weeklybrief": READ,
    },
    "marketing_manager": {
        "feedbackitem": ("view", "change"), "feedbackcomment": GIVE,
        "feedbackstatuschange": READ, "tag": ALL, "weeklybrief": EDIT,
    },
    "seller": {
        "feedbackitem": GIVE, "feedbackcomment": GIVE, "feedbackstatuschange": READ,
        "tag": GIVE, "weeklybrief": READ,
    },
    "sales_manager": {
        "feedbackitem": GIVE, "feedbackcomment": GIVE, "feedbackstatuschange": READ,
        "tag": GIVE, "weeklybrief": EDIT,
    },
    "executive": {
        "feedbackitem": READ, "feedbackcomment": READ, "feedbackstatuschange": READ,
        "tag": READ, "weeklybrief": READ,
    },
    "admin": {
        "feedbackitem": ALL, "feedbackcomment": ALL, "feedbackstatuschange": READ,
        "tag": ALL, "weeklybrief": ALL,
    },
}


def grant(apps, schema_editor):
    from accounts.roles import grant_role_permissions

    grant_role_permissions(apps, "feedback", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
