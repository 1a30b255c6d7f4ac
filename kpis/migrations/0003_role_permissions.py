"""Grant each role's group its permissions on the KPI models."""

from django.db import migrations

READ = ("view",)
ALL = ("view", "add", "change", "delete")
KPIS_ROLE_PERMISSIONS = {
    "marketer": {"kpidefinition": READ, "kpitarget": READ},
    "marketing_manager": {"kpidefinition": ALL, "kpitarget": ALL},
    "seller": {"kpidefinition": READ, "kpitarget": READ},
    "sales_manager": {"kpidefinition": ALL, "kpitarget": ALL},
    "executive": {"kpidefinition": ALL, "kpitarget": ALL, "snapshotrun": READ, "kpisnapshot": READ},
    "admin": {"kpidefinition": ALL, "kpitarget": ALL, "snapshotrun": ALL, "kpisnapshot": ALL},
}


def grant(apps, schema_editor):
    from accounts.roles import grant_role_permissions

    grant_role_permissions(apps, "kpis", KPIS_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0002_month_statistics"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
