"""Seed the reason codes and give each role its permissions on the leads models."""

from django.db import migrations

REASON_CODES = [
    ("not_icp", "Not in the ideal-customer profile"),
    ("bad_contact_data", "Bad contact data"),
    ("no_budget", "No budget"),
    ("bad_timing", "Bad timing"),
    ("duplicate", "Duplicate"),
    ("competitor_customer", "Customer of a competitor"),
    ("student_or_job_seeker", "Student or job seeker"),
    ("no_response", "No response"),
    ("other", "Other"),
]

ALL = ("view", "add", "change", "delete")
EDIT = ("view", "add", "change")
READ = ("view",)
ROLE_PERMISSIONS = {
    "marketer": {
        "lead": EDIT, "account": EDIT, "leadstagechange": READ, "touch": READ,
        "reasoncode": READ, "assignmentrule": READ,
    },
    "marketing_manager": {
        "lead": EDIT, "account": EDIT, "leadstagechange": READ, "touch": READ,
        "reasoncode": EDIT, "assignmentrule": READ,
    },
    "seller": {
        "lead": READ, "account": READ, "leadstagechange": READ, "touch": ("view", "add"),
        "reasoncode": READ,
    },
    "sales_manager": {
        "lead": READ, "account": READ, "leadstagechange": READ, "touch": ("view", "add"),
        "reasoncode": EDIT, "assignmentrule": ALL,
    },
    "executive": {
        "lead": READ, "account": READ, "leadstagechange": READ, "touch": READ,
        "reasoncode": READ, "assignmentrule": READ,
    },
    "admin": {
        "lead": ALL, "account": ALL, "leadstagechange": READ, "touch": ALL,
        "reasoncode": ALL, "assignmentrule": ALL, "roundrobincursor": READ,
    },
}


def seed(apps, schema_editor):
    from accounts.roles import grant_role_permissions

    ReasonCode = apps.get_model("leads", "ReasonCode")
    for position, (code, label) in enumerate(REASON_CODES):
        ReasonCode.objects.get_or_create(code=code, defaults={"label": label, "position": position})
    grant_role_permissions(apps, "leads", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
