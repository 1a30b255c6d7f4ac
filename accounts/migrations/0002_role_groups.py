"""Create one group per role and grant the role's permissions on accounts' models."""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from accounts.roles import ACCOUNTS_ROLE_PERMISSIONS, grant_role_permissions

    grant_role_permissions(apps, "accounts", ACCOUNTS_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
