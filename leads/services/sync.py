"""CRM sync: create or update many leads at once, set-based.

Serves the API's bulk-upsert and the CSV import. Each item is a dict of lead fields by
their API names. An item is matched to an existing lead by (source_system, external_id)
when it has an external id, else by e-mail (case-insensitive). Bad items are reported by
index with field messages and never block the good ones. The writes are one lookup per
key kind, one multi-row INSERT and one bulk UPDATE per batch, whatever its size, plus
one INSERT of the batch's domain events (``lead.created``, ``lead.updated``).

An item may also report what happened in the CRM (``stage``: ``sql`` with
``expected_amount``, ``customer`` with ``won_amount`` and ``close_date``, ``lost`` with
``reason_code``). That is a lifecycle move, applied per item after the set-based write
through ``lead_transition`` with the integration as actor, under the same rules as any
move. A move that cannot be made is the item's error, decided before anything is
written (the item is left out whole); ``stage`` equal to the lead's stage moves nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events import catalog
from events.services import events_record_many
from leads import permissions
from leads.models import Account, Lead, Stage
from leads.services import crm_moves
from leads.services.accounts import accounts_for
from leads.services.crm_moves import MOVE_FIELDS
from leads.services.records import EDITABLE_FIELDS
from smarketing.errors import Conflict

MAX_BATCH = 1_000
# What an item may set, by API name. ``account`` is an account id; ``company`` (input
# only) is a company name or domain, found or created as an Account.
SYNC_FIELDS = EDITABLE_FIELDS
INPUT_ONLY_FIELDS = ("company",)
# Output fields a client may send back unchanged (a record it pulled): ignored, because
# sync never sets them.
IGNORED_FIELDS = frozenset(
    {"id", "owner", "mql_at", "sal_at", "sql_at", "won_at", "created_at", "updated_at"}
)
_SKIPPED = IGNORED_FIELDS | set(INPUT_ONLY_FIELDS) | set(MOVE_FIELDS)
_CHAR_FIELDS = tuple(name for name in SYNC_FIELDS if name not in ("account", "score"))
# Every sync field is a column of the lead (get_field() may also return reverse relations).
_MODEL_FIELDS = {
    name: cast("models.Field[Any, Any]", Lead._meta.get_field(name)) for name in SYNC_FIELDS
}
# Text fields whose only rule is a maximum length (e-mail has a format too).
_PLAIN_TEXT_FIELDS = {
    name: limit
    for name in _CHAR_FIELDS
    if name != "email" and (limit := _MODEL_FIELDS[name].max_length) is not None
}
# An item as the client sent it, and an item's cleaned field values by model field name
# (text, an account id, a score): both genuinely mixed.
Item = dict[str, Any]
Values = dict[str, Any]
# How a batch finds its existing leads: ("external_id", source_system, external_id) or
# ("email", lower-cased e-mail).
Key = tuple[str, ...]


def _too_long(value: str, limit: int) -> list[str]:
    try:
        MaxLengthValidator(limit)(value)
    except ValidationError as error:
        return error.messages
    return []


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Lead ids per item index, for the items that were written or found unchanged.
    lead_ids: dict[int, int] = field(default_factory=dict)
    # Leads moved along the lifecycle as the CRM reported (stage).
    moved: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "moved": self.moved,
            "errors": self.errors,
        }


def lead_upsert_many(*, actor: User, items: list[Item]) -> UpsertResult:
    """Create or update up to MAX_BATCH leads; report bad items by index with field messages.

    Marketing, admins and integrations acting as a marketing service account may sync.
    """
    if not permissions.can_edit_lead(actor):
        raise PermissionDenied(
            _("Only marketing (or an integration acting for it) can sync leads.")
        )
    if len(items) > MAX_BATCH:
        raise ValidationError({"leads": _("At most %(max)d leads per batch.") % {"max": MAX_BATCH}})
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _upsert(items, actor=actor)
        except IntegrityError as error:
            # A concurrent request inserted one of our keys after our lookup. The retry
            # sees its rows and updates them; a second failure is a real conflict.
            if attempt:
                raise Conflict(
                    _("These leads were changed by another request at the same moment. Retry.")
                ) from error
    raise AssertionError("unreachable")


def _upsert(items: list[Item], *, actor: User) -> UpsertResult:
    result = UpsertResult()
    now = timezone.now()
    cleaned: dict[int, Values] = {}
    companies: dict[int, str] = {}
    reported: dict[int, Values] = {}
    for index, item in enumerate(items):
        try:
            values, company = _clean_item(item)
            if isinstance(item, dict) and "stage" in item:
                reported[index] = crm_moves.clean_move(item)
        except ValidationError as error:
            result.errors.append({"index": index, "errors": error.message_dict})
            continue
        cleaned[index] = values
        if company:
            companies[index] = company

    _check_accounts(cleaned, result)
    _drop_duplicates(cleaned, result)
    by_external_id, by_email = _existing_leads(cleaned.values())
    if companies:
        account_ids = accounts_for([companies[i] for i in sorted(companies) if i in cleaned])
        for index, company in companies.items():
            if index in cleaned and "account" not in cleaned[index]:
                cleaned[index]["account"] = account_ids[company.lower()]

    known_reasons = crm_moves.known_reason_codes(reported.values())
    planned: dict[int, crm_moves.PlannedMove] = {}
    to_create: dict[int, Values] = {}
    to_update: dict[int, Lead] = {}
    changed_fields: set[str] = set()
    changes_by_index: dict[int, dict[str, list[Any]]] = {}
    # E-mails already taken by an item of this batch: a second item may not take one too.
    claimed_emails: dict[str, int] = {}
    for index in sorted(cleaned):
        values = cleaned[index]
        lead = _match(values, by_external_id, by_email)
        email = values.get("email", lead.email if lead else "").lower()
        if lead is None and not email:
            result.errors.append(
                {"index": index, "errors": {"email": [_("This field is required.")]}}
            )
            continue
        owner_of_email = by_email.get(email)
        if (owner_of_email is not None and owner_of_email is not lead) or (email in claimed_emails):
            result.errors.append(
                {"index": index, "errors": {"email": [_("A lead with this email already exists.")]}}
            )
            continue
        if index in reported:
            try:
                plan = crm_moves.plan_move(
                    reported[index], lead, actor=actor, known_reasons=known_reasons
                )
            except ValidationError as error:
                result.errors.append({"index": index, "errors": error.message_dict})
                continue
            if plan is not None:
                planned[index] = plan
        claimed_emails[email] = index
        if lead is None:
            to_create[index] = values
            continue
        changes = _changes(lead, values)
        if not changes:
            result.unchanged += 1
            result.lead_ids[index] = lead.pk
            continue
        changes_by_index[index] = {
            name.removesuffix("_id"): [
                lead.account_id if name == "account_id" else getattr(lead, name),
                value,
            ]
            for name, value in changes.items()
        }
        for name, value in changes.items():
            setattr(lead, name, value)
        lead.updated_at = now
        changed_fields.update(changes)
        to_update[index] = lead

    if to_create:
        for index, new_id in zip(to_create, _insert(list(to_create.values()), now), strict=True):
            result.lead_ids[index] = new_id
    if to_update:
        Lead.objects.bulk_update(to_update.values(), [*sorted(changed_fields), "updated_at"])
    result.created = len(to_create)
    result.updated = len(to_update)
    for index, lead in to_update.items():
        result.lead_ids[index] = lead.pk
    events_record_many(
        catalog.LEAD_CREATED,
        items=[
            (result.lead_ids[index], _created_data(values)) for index, values in to_create.items()
        ],
        actor=actor,
        occurred_at=now,
    )
    events_record_many(
        catalog.LEAD_UPDATED,
        items=[
            (lead.pk, {"changes": changes_by_index[index]}) for index, lead in to_update.items()
        ],
        actor=actor,
        occurred_at=now,
    )
    failed_moves = crm_moves.apply_moves(planned, actor=actor)
    for index, messages in failed_moves.items():
        result.errors.append({"index": index, "errors": {"stage": messages}})
    result.moved = len(planned) - len(failed_moves)

    result.errors.sort(key=lambda error: error["index"])
    return result


def _clean_item(item: object) -> tuple[Values, str]:
    """Field values converted and validated like the model's fields; ValidationError if not."""
    if not isinstance(item, dict):
        raise ValidationError({"non_field_errors": [_("Each lead must be an object.")]})
    errors: dict[str, list[str]] = {}
    values: Values = {}
    for name, raw in item.items():
        if name in _SKIPPED:
            continue
        if name not in _MODEL_FIELDS:
            errors[name] = [_("Unknown field.")]
            continue
        if name == "account":
            if raw in (None, ""):
                values["account"] = None
            elif isinstance(raw, bool) or not str(raw).strip().isdigit():
                errors[name] = [_("Enter the id of an account.")]
            else:
                values["account"] = int(str(raw).strip())
            continue
        if name in _CHAR_FIELDS:
            raw = "" if raw is None else str(raw).strip()
            if name in _PLAIN_TEXT_FIELDS:
                # Field.clean() would only check the length here; inlined because it is
                # most of the validation time of a 1,000-lead batch.
                if len(raw) > _PLAIN_TEXT_FIELDS[name]:
                    errors[name] = _too_long(raw, _PLAIN_TEXT_FIELDS[name])
                else:
                    values[name] = raw
                continue
        try:
            values[name] = _MODEL_FIELDS[name].clean(raw, None)
        except ValidationError as error:
            errors[name] = error.messages
    if "score" in values and values["score"] > 100:
        errors["score"] = [_("Ensure this value is less than or equal to 100.")]
    if not values.get("email") and not values.get("external_id") and "email" not in errors:
        errors["email"] = [_("An email or an external id is required to find the lead.")]
    company = item.get("company")
    company = "" if company is None else str(company).strip()
    if len(company) > 200:
        errors["company"] = [_("Ensure this value has at most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    return values, company


def _check_accounts(cleaned: dict[int, Values], result: UpsertResult) -> None:
    wanted = {values["account"] for values in cleaned.values() if values.get("account")}
    if not wanted:
        return
    known = set(Account.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for index in [i for i, values in cleaned.items() if values.get("account")]:
        if cleaned[index]["account"] not in known:
            result.errors.append(
                {"index": index, "errors": {"account": [_("No account with this id.")]}}
            )
            del cleaned[index]


def _key(values: Values) -> Key:
    if values.get("external_id"):
        return ("external_id", values.get("source_system", ""), values["external_id"])
    return ("email", values["email"].lower())


def _drop_duplicates(cleaned: dict[int, Values], result: UpsertResult) -> None:
    """Items sent twice in one batch: the last one wins, the earlier ones are reported."""
    last_index: dict[Key, int] = {}
    for index in sorted(cleaned):
        last_index[_key(cleaned[index])] = index
    for index in sorted(cleaned):
        winner = last_index[_key(cleaned[index])]
        if winner != index:
            field_name = "external_id" if cleaned[index].get("external_id") else "email"
            message = _("The same lead is sent again later in this batch (item %(index)d).") % {
                "index": winner
            }
            result.errors.append({"index": index, "errors": {field_name: [message]}})
            del cleaned[index]


def _existing_leads(items: Iterable[Values]) -> tuple[dict[Key, Lead], dict[str, Lead]]:
    """Existing leads for the whole batch: one query by external id, one by e-mail."""
    items = list(items)
    external_ids = {values["external_id"] for values in items if values.get("external_id")}
    emails = {values["email"].lower() for values in items if values.get("email")}
    by_external_id: dict[Key, Lead] = {}
    by_email: dict[str, Lead] = {}
    if external_ids:
        systems = {values.get("source_system", "") for values in items if values.get("external_id")}
        # The exclude() repeats the partial unique index's condition, so PostgreSQL can
        # use that index; without it, 1,000 ids were a sequential scan of every lead.
        matches = Lead.objects.filter(
            source_system__in=systems, external_id__in=external_ids
        ).exclude(external_id="")
        for lead in matches:
            by_external_id[(lead.source_system, lead.external_id)] = lead
            by_email[lead.email.lower()] = lead
    if emails:
        found = Lead.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
        for lead in found:
            # Keep the instance already loaded by external id: one object per row.
            lead = by_external_id.get((lead.source_system, lead.external_id), lead)
            by_email[lead.email.lower()] = lead
    return by_external_id, by_email


def _match(
    values: Values, by_external_id: dict[Key, Lead], by_email: dict[str, Lead]
) -> Lead | None:
    if values.get("external_id"):
        key = (values.get("source_system", ""), values["external_id"])
        lead = by_external_id.get(key)
        if lead is not None:
            return lead
        # A lead entered by hand before the CRM knew it: adopt it instead of a duplicate.
        candidate = by_email.get(values.get("email", "").lower())
        if candidate is not None and not candidate.external_id:
            return candidate
        return None
    return by_email.get(values["email"].lower())


def _changes(lead: Lead, values: Values) -> dict[str, object]:
    changes: dict[str, object] = {}
    for name, value in values.items():
        current = lead.account_id if name == "account" else getattr(lead, name)
        if current != value:
            changes["account_id" if name == "account" else name] = value
    return changes


# Generated columns (search_text) are the database's to fill.
_INSERT_FIELDS = [f for f in Lead._meta.concrete_fields if not f.primary_key and not f.generated]
# Column defaults of a new lead; timestamps are set per batch. Only non-callable
# defaults are taken here ("" for text, 0 for the score, None for the rest).
_INSERT_DEFAULTS = {
    f.name: (None if f.has_default() and callable(f.default) else f.get_default())
    for f in _INSERT_FIELDS
}


def _insert(new_items: list[Values], now: datetime) -> list[int]:
    """Insert new leads (cleaned values by field name) at stage lead; return their ids.

    On PostgreSQL one multi-row INSERT … RETURNING id written here rather than
    bulk_create(): the values are already cleaned, and building model instances and
    preparing every value again was two thirds of a 1,000-lead batch (bench/leads.py).
    No ON CONFLICT: a concurrent insert of the same key must fail, so that
    lead_upsert_many retries and finds it.
    """
    rows = []
    for values in new_items:
        row = dict(_INSERT_DEFAULTS)
        row.update(values)
        row.update(stage=Stage.LEAD, created_at=now, updated_at=now, stage_changed_at=now)
        rows.append(row)
    if connection.vendor != "postgresql":
        leads = [
            Lead(**{("account_id" if name == "account" else name): v for name, v in row.items()})
            for row in rows
        ]
        Lead.objects.bulk_create(leads)
        return [lead.pk for lead in leads]
    quote = connection.ops.quote_name
    # A concrete field is one whose column is not None (Django defines it so).
    columns = ", ".join(quote(cast(str, f.column)) for f in _INSERT_FIELDS)
    placeholders = "(" + ", ".join(["%s"] * len(_INSERT_FIELDS)) + ")"
    names = [f.name for f in _INSERT_FIELDS]
    params = [row[name] for row in rows for name in names]
    sql = (
        f"INSERT INTO {quote(Lead._meta.db_table)} ({columns}) "
        f"VALUES {', '.join([placeholders] * len(rows))} RETURNING {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [new_id for (new_id,) in cursor.fetchall()]


def _created_data(values: Values) -> dict[str, Any]:
    """The new lead's record as ``lead.created`` reports it: every editable field."""
    data: dict[str, Any] = {name: "" for name in EDITABLE_FIELDS}
    data.update(account=None, score=0)
    data.update(values)
    return data
