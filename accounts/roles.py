"""Roles, the team each belongs to, and the Django permissions each role's group holds.

Pure data. The groups are created and given these permissions by data migrations (each
app grants its own models' permissions with ``grant_role_permissions``), so every
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

# Model permissions per role and app: "<action>_<model>" codenames, where action is one
# of view/add/change/delete. Each app's data migration grants its own entry.
ALL = ("view", "add", "change", "delete")
READ = ("view",)
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "accounts": {
        Role.MARKETER: {"team": READ, "user": READ},
        Role.MARKETING_MANAGER: {"team": READ, "user": READ},
        Role.SELLER: {"team": READ, "user": READ},
        Role.SALES_MANAGER: {"team": READ, "user": READ},
        Role.EXECUTIVE: {"team": READ, "user": READ},
        Role.ADMIN: {"team": ALL, "user": ALL, "apitoken": ALL},
    },
}


def codenames(app_label: str, role: str) -> list[str]:
    per_model = ROLE_PERMISSIONS.get(app_label, {}).get(role, {})
    return [f"{action}_{model}" for model, actions in per_model.items() for action in actions]


def grant_role_permissions(apps, app_label: str) -> None:
    """Data-migration helper: give each role's group its permissions on ``app_label``.

    Django creates permission rows after migrations run (post_migrate), so on a fresh
    database they do not exist yet here; they are created now with the names Django
    would give them. Idempotent: re-running grants nothing twice.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for role in Role:
        group, _created = Group.objects.get_or_create(name=ROLE_GROUP_NAME[role])
        for codename in codenames(app_label, role):
            action, model_name = codename.split("_", 1)
            model = apps.get_model(app_label, model_name)
            content_type, _ = ContentType.objects.get_or_create(
                app_label=app_label, model=model_name
            )
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": f"Can {action} {model._meta.verbose_name}"},
            )
            group.permissions.add(permission)
