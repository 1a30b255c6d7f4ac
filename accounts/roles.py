"""Roles, the team each belongs to, and the Django permissions each role's group holds.

Pure data. The groups are created and given their permissions by data migrations (each app
grants its own models' permissions with ``grant_role_permissions``), so every
database, including a fresh test database, has them without a manual step.
Business rules (who may accept a lead, sign an SLA…) live in each app's
``permissions.py`` and use the role; the model permissions below drive the admin and
the generic checks.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamKind(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    LEADERSHIP = "leadership", _("Leadership")


class Role(models.TextChoices):
    MARKETER = "marketer", _("Marketer")
    MARKETING_MANAGER = "marketing_manager", _("Marketing manager")
    SELLER = "seller", _("Seller")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    EXECUTIVE = "executive", _("Executive")
    ADMIN = "admin", _("Staff admin")


# The team kind each role belongs to.
ROLE_TEAM_KIND = {
    Role.MARKETER: TeamKind.MARKETING,
    Role.MARKETING_MANAGER: TeamKind.MARKETING,
    Role.SELLER: TeamKind.SALES,
    Role.SALES_MANAGER: TeamKind.SALES,
    Role.EXECUTIVE: TeamKind.LEADERSHIP,
    Role.ADMIN: TeamKind.LEADERSHIP,
}

MANAGER_ROLES = frozenset({Role.MARKETING_MANAGER, Role.SALES_MANAGER})

# The Django group that carries each role's permissions.
ROLE_GROUP_NAME = {role: str(role.label) for role in Role}

# Model permissions per role, as {role: {model_name: actions}}, with actions among
# view/add/change/delete. Each app's data migration passes its own table to
# grant_role_permissions, so a migration keeps the table it was written with.
ALL = ("view", "add", "change", "delete")
READ = ("view",)
ACCOUNTS_ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.MARKETER: {"team": READ, "user": READ},
    Role.MARKETING_MANAGER: {"team": READ, "user": READ},
    Role.SELLER: {"team": READ, "user": READ},
    Role.SALES_MANAGER: {"team": READ, "user": READ},
    Role.EXECUTIVE: {"team": READ, "user": READ},
    Role.ADMIN: {"team": ALL, "user": ALL, "apitoken": ALL},
}


def grant_role_permissions(
    apps, app_label: str, table: dict[str, dict[str, tuple[str, ...]]]
) -> None:
    """Data-migration helper: give each role's group its ``table`` permissions on ``app_label``.

    Django creates permission rows after migrations run (post_migrate), so on a fresh
    database they do not exist yet here; they are created now with the names Django
    would give them. Idempotent: re-running grants nothing twice.
    """
    Group = apps.get_model("auth", "Group")
    for role in Role:
        group, _created = Group.objects.get_or_create(name=ROLE_GROUP_NAME[role])
        for model_name, actions in table.get(role, {}).items():
            for action in actions:
                _grant(apps, group, app_label, model_name, action)


def _grant(apps, group, app_label: str, model_name: str, action: str) -> None:
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    model = apps.get_model(app_label, model_name)
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=f"{action}_{model_name}",
        defaults={"name": f"Can {action} {model._meta.verbose_name}"},
    )
    group.permissions.add(permission)
