"""Give each role its permissions on the campaigns models (drives the admin)."""

from django.db import migrations

ALL = ("view", "add", "change", "delete")
EDIT = ("view", "add", "change")
READ = ("view",)
MODELS = (
    "campaign",
    "campaignstatuschange",
    "spendentry",
    "checklistitem",
    "reviewnote",
    "campaigntouch",
)
MARKETING = {
    "campaign": EDIT,
    "campaignstatuschange": READ,
    "spendentry": ALL,
    "checklistitem": ALL,
    "reviewnote": ("view", "add"),
    "campaigntouch": ("view", "add"),
}
SALES = {
    "campaign": READ,
    "campaignstatuschange": READ,
    "spendentry": READ,
    "checklistitem": READ,
    "reviewnote": ("view", "add"),
    "campaigntouch": READ,
}
ROLE_PERMISSIONS = {
    "marketer": MARKETING,
    "marketing_manager": MARKETING,
    "seller": SALES,
    "sales_manager": SALES,
    "executive": {model: READ for model in MODELS},
    "admin": {model: ALL for model in MODELS},
}


def grant(apps, schema_editor):
    from accounts.roles import grant_role_permissions

    grant_role_permissions(apps, "campaigns", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
