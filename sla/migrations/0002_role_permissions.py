"""Give each role its model permissions on the SLA models (the admin reads these)."""

from django.db import migrations

ALL = ("view", "add", "change", "delete")
READ = ("view",)
EVERYTHING_READ = {
    "sla": READ, "slaversion": READ, "signature": READ, "slaversionchange": READ,
    "slaclock": READ, "breach": READ,
}
MANAGER = {
    **EVERYTHING_READ, "sla": ("view", "add", "change"), "slaversion": ("view", "add", "change"),
    "breach": ("view", "change"),
}
ROLE_PERMISSIONS = {
    "marketer": {**EVERYTHING_READ, "breach": ("view", "change")},
    "marketing_manager": MANAGER,
    "seller": {**EVERYTHING_READ, "breach": ("view", "change")},
    "sales_manager": MANAGER,
    "executive": EVERYTHING_READ,
    "admin": {
        "sla": ALL, "slaversion": ALL, "signature": READ, "slaversionchange": READ,
        "slaclock": ALL, "breach": ALL,
    },
}


def grant(apps, schema_editor):
    from accounts.roles import grant_role_permissions

    grant_role_permissions(apps, "sla", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
