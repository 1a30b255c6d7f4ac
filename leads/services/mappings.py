"""Writes for custom field mappings (a CRM's column names), and finding a mapping by slug."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from leads import mappings, permissions
from leads.models import FieldMapping


def mapping_resolve(slug: str) -> mappings.Profile:
    """The built-in or custom profile ``slug``; ValidationError on ``mapping`` if none."""
    slug = (slug or "").strip().lower()
    if slug in mappings.BUILT_IN:
        return mappings.BUILT_IN[slug]
    custom = FieldMapping.objects.filter(slug=slug).first()
    if custom is None:
        known = [*mappings.BUILT_IN, *FieldMapping.objects.values_list("slug", flat=True)]
        raise ValidationError(
            {
                "mapping": _("Unknown mapping “%(slug)s”. Mappings are: %(known)s.")
                % {"slug": slug, "known": ", ".join(known)}
            }
        )
    return mappings.custom_profile(
        slug=custom.slug,
        label=custom.label,
        source_system=custom.source_system,
        columns=custom.columns,
    )


def _clean_columns(columns: Mapping[str, str]) -> dict[str, str]:
    if not columns:
        raise ValidationError({"columns": _("Name at least one column.")})
    cleaned: dict[str, str] = {}
    seen: set[str] = set()
    for their, ours in columns.items():
        their, ours = str(their).strip(), str(ours).strip().lower()
        if not their:
            raise ValidationError({"columns": _("A column name is empty.")})
        if their.lower() in seen:
            raise ValidationError({"columns": _("“%(column)s” appears twice.") % {"column": their}})
        if ours not in mappings.TARGET_FIELDS:
            raise ValidationError(
                {
                    "columns": _("“%(field)s” is not a lead field. Fields are: %(fields)s.")
                    % {"field": ours, "fields": ", ".join(mappings.TARGET_FIELDS)}
                }
            )
        seen.add(their.lower())
        cleaned[their] = ours
    targets = set(cleaned.values())
    if "email" not in targets and "external_id" not in targets:
        raise ValidationError(
            {"columns": _("Map a column to email or to external_id, to find the leads.")}
        )
    return cleaned


@transaction.atomic
def field_mapping_save(
    *,
    actor: User,
    label: str,
    columns: Mapping[str, str],
    source_system: str = "",
    mapping: FieldMapping | None = None,
) -> FieldMapping:
    """Create (``mapping`` None) or change a custom mapping. Managers and admins."""
    if not permissions.can_manage_mappings(actor):
        raise PermissionDenied(_("Only managers define field mappings."))
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("This field is required.")})
    slug = mapping.slug if mapping is not None else slugify(label)[:50]
    if not slug:
        raise ValidationError({"label": _("Use letters or digits in the name.")})
    if mapping is None and (
        slug in mappings.BUILT_IN or FieldMapping.objects.filter(slug=slug).exists()
    ):
        raise ValidationError({"label": _("A mapping named “%(slug)s” exists.") % {"slug": slug}})
    target = mapping or FieldMapping(slug=slug, created_by=actor)
    target.label = label[:100]
    target.source_system = (source_system or "").strip()[:50]
    target.columns = _clean_columns(columns)
    target.updated_at = timezone.now()
    target.save()
    return target


def field_mapping_delete(*, actor: User, mapping: FieldMapping) -> None:
    if not permissions.can_manage_mappings(actor):
        raise PermissionDenied(_("Only managers define field mappings."))
    mapping.delete()
