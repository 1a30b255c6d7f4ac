"""Writes for a lead's record: create and edit (not its stage or owner)."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events import catalog
from events.services import event_record
from leads import permissions
from leads.models import Lead
from leads.services.accounts import account_for_company

# The fields a person or an integration may set directly. Stage, owner and the
# first-reached times only change through moves and reassignment.
EDITABLE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "phone",
    "account",
    "source",
    "source_system",
    "external_id",
    "segment",
    "region",
    "score",
)

# The field each lead constraint is about. Django reports a violated constraint over
# several columns or an expression (Lower("email")) as a non-field error; forms and the
# API should point at the field. The constraints carry their name as violation code.
CONSTRAINT_FIELDS = {
    "lead_email_unique_ci": "email",
    "lead_external_id_unique_per_source": "external_id",
}


def _validate_and_point_at_fields(lead: Lead) -> None:
    """full_clean(), with each constraint's error moved onto the field it concerns."""
    try:
        lead.full_clean()
    except ValidationError as error:
        by_field: dict[str, list[ValidationError]] = {
            field: list(errors) for field, errors in error.error_dict.items()
        }
        general = by_field.pop(NON_FIELD_ERRORS, [])
        for item in general:
            by_field.setdefault(
                CONSTRAINT_FIELDS.get(item.code or "", NON_FIELD_ERRORS), []
            ).append(item)
        raise ValidationError(by_field) from error


def _with_account(fields: dict[str, Any], company: str) -> dict[str, Any]:
    """``company`` (a name or a domain) names the account when none is given."""
    company = (company or "").strip()
    if company and fields.get("account") is None:
        fields["account"] = account_for_company(company=company)
    return fields


def _event_value(value: object) -> object:
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def lead_create(*, actor: User, company: str = "", **fields: Any) -> Lead:
    """Create a lead at stage ``lead``. Marketing (and admins) create leads.

    ``company``, a company name or domain, finds or creates the lead's account.
    """
    if not permissions.can_edit_lead(actor):
        raise PermissionDenied(_("Only marketing can create leads."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be set here.") for field in unknown})
    fields = _with_account(fields, company)
    now = timezone.now()
    lead = Lead(**fields, created_at=now, updated_at=now, stage_changed_at=now)
    _validate_and_point_at_fields(lead)
    lead.save()
    event_record(
        catalog.LEAD_CREATED,
        obj=lead,
        actor=actor,
        occurred_at=now,
        data={name: _event_value(getattr(lead, name)) for name in EDITABLE_FIELDS},
    )
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, company: str = "", **changes: Any) -> Lead:
    """Change a lead's record (not its stage or owner). Marketing edits leads.

    Records ``lead.updated`` with each changed field's old and new value; a change to
    nothing records nothing.
    """
    if not permissions.can_edit_lead(actor, lead):
        raise PermissionDenied(_("Only marketing can edit leads."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in unknown})
    changes = _with_account(changes, company)
    before = {name: _event_value(getattr(lead, name)) for name in changes}
    for field, value in changes.items():
        setattr(lead, field, value)
    lead.updated_at = timezone.now()
    _validate_and_point_at_fields(lead)
    changed = {
        name: [before[name], _event_value(getattr(lead, name))]
        for name in changes
        if before[name] != _event_value(getattr(lead, name))
    }
    lead.save(update_fields=[*changes, "updated_at"])
    if changed:
        event_record(
            catalog.LEAD_UPDATED,
            obj=lead,
            actor=actor,
            occurred_at=lead.updated_at,
            data={"changes": changed},
        )
    return lead
