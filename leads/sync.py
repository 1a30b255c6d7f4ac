"""CRM sync and CSV import: create or update many leads at once, set-based.

``lead_upsert_many(actor=…, items=[{…}, …])`` is the one write path for the API's
bulk-upsert and the browser's CSV import. Each item is a dict of lead fields by their
API names. An item is matched to an existing lead by (source_system, external_id) when
it has an external id, otherwise by e-mail (case-insensitive). When an item with a new
external id carries the e-mail of a lead that has no external id yet (created by hand
before the CRM knew it), that lead is adopted rather than duplicated.

Idempotent by construction: values are compared before writing, so re-sending a batch
reports every item "unchanged" and touches no row. One bad item never blocks the good
ones; it is reported by its index with field messages, like the rest of the API.

Set-based: whatever the batch size, the existing leads are found with two queries, new
ones are written with one ``bulk_create`` and changed ones with one ``bulk_update``,
inside one transaction. The unique constraints on e-mail and (source_system,
external_id) are the final guard: if a concurrent request inserts the same key between
our lookup and our insert, the insert fails, the savepoint is rolled back and the batch
is run once more, now seeing the other request's rows (so it updates instead of
creating). Stage and owner are never set by sync: they only change through moves.
"""

import csv
import io
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from leads import permissions, tasks
from leads.models import Account, Lead, LeadImport, Stage
from leads.services import EDITABLE_FIELDS
from smarketing.errors import Conflict

MAX_BATCH = 1_000
# What an item may set, by API name. ``account`` is an account id; ``company`` (input
# only) is a company name or domain, found or created as an Account.
SYNC_FIELDS = EDITABLE_FIELDS
INPUT_ONLY_FIELDS = ("company",)
# Output fields a client may send back unchanged (a record it pulled): ignored, because
# sync never sets them.
IGNORED_FIELDS = frozenset(
    {
        "id",
        "owner",
        "stage",
        "mql_at",
        "sal_at",
        "sql_at",
        "won_at",
        "expected_amount",
        "won_amount",
        "created_at",
        "updated_at",
    }
)
_CHAR_FIELDS = tuple(name for name in SYNC_FIELDS if name not in ("account", "score"))
_MODEL_FIELDS = {name: Lead._meta.get_field(name) for name in SYNC_FIELDS}
# Text fields whose only rule is a maximum length (e-mail has a format too).
_PLAIN_TEXT_FIELDS = {
    name: _MODEL_FIELDS[name].max_length for name in _CHAR_FIELDS if name != "email"
}


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
    errors: list[dict] = field(default_factory=list)
    # Lead ids per item index, for the items that were written or found unchanged.
    lead_ids: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


def lead_upsert_many(*, actor: User, items: list[dict]) -> UpsertResult:
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
                return _upsert(items)
        except IntegrityError as error:
            # A concurrent request inserted one of our keys after our lookup. The retry
            # sees its rows and updates them; a second failure is a real conflict.
            if attempt:
                raise Conflict(
                    _("These leads were changed by another request at the same moment. Retry.")
                ) from error
    raise AssertionError("unreachable")


def _upsert(items: list[dict]) -> UpsertResult:
    result = UpsertResult()
    now = timezone.now()
    cleaned: dict[int, dict] = {}
    companies: dict[int, str] = {}
    for index, item in enumerate(items):
        try:
            values, company = _clean_item(item)
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
        account_ids = _accounts_for([companies[i] for i in sorted(companies) if i in cleaned])
        for index, company in companies.items():
            if index in cleaned and "account" not in cleaned[index]:
                cleaned[index]["account"] = account_ids[company.lower()]

    to_create: dict[int, dict] = {}
    to_update: dict[int, Lead] = {}
    changed_fields: set[str] = set()
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
        claimed_emails[email] = index
        if lead is None:
            to_create[index] = values
            continue
        changes = _changes(lead, values)
        if not changes:
            result.unchanged += 1
            result.lead_ids[index] = lead.pk
            continue
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
    result.errors.sort(key=lambda error: error["index"])
    return result


def _clean_item(item) -> tuple[dict, str]:
    """Field values converted and validated like the model's fields; ValidationError if not."""
    if not isinstance(item, dict):
        raise ValidationError({"non_field_errors": [_("Each lead must be an object.")]})
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name, raw in item.items():
        if name in IGNORED_FIELDS or name in INPUT_ONLY_FIELDS:
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


def _check_accounts(cleaned: dict[int, dict], result: UpsertResult) -> None:
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


def _key(values: dict) -> tuple:
    if values.get("external_id"):
        return ("external_id", values.get("source_system", ""), values["external_id"])
    return ("email", values["email"].lower())


def _drop_duplicates(cleaned: dict[int, dict], result: UpsertResult) -> None:
    """Items sent twice in one batch: the last one wins, the earlier ones are reported."""
    last_index: dict[tuple, int] = {}
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


def _existing_leads(items) -> tuple[dict[tuple, Lead], dict[str, Lead]]:
    """Existing leads for the whole batch: one query by external id, one by e-mail."""
    items = list(items)
    external_ids = {values["external_id"] for values in items if values.get("external_id")}
    emails = {values["email"].lower() for values in items if values.get("email")}
    by_external_id: dict[tuple, Lead] = {}
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


def _match(values: dict, by_external_id: dict, by_email: dict) -> Lead | None:
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


def _changes(lead: Lead, values: dict) -> dict[str, object]:
    changes = {}
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


def _insert(new_items: list[dict], now) -> list[int]:
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
    columns = ", ".join(quote(f.column) for f in _INSERT_FIELDS)
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


def _accounts_for(companies: list[str]) -> dict[str, int]:
    """Account ids by company (lower-cased): a domain finds its account, a name too; else new.

    The domain is unique (case-insensitive) in the database: a concurrent creation of the
    same domain is skipped by ignore_conflicts and found by the second lookup.
    """
    found = _accounts_lookup(companies)
    # One new account per company, however many items (and spellings) name it.
    missing = list(
        {c.lower(): c for c in reversed(list(companies)) if c.lower() not in found}.values()
    )
    if not missing:
        return found
    Account.objects.bulk_create(
        [
            Account(name=company.split(".")[0].capitalize(), domain=company.lower())
            if _looks_like_domain(company)
            else Account(name=company)
            for company in missing
        ],
        ignore_conflicts=True,
    )
    return _accounts_lookup(companies)


def _accounts_lookup(companies: list[str]) -> dict[str, int]:
    domains = {company.lower() for company in companies if _looks_like_domain(company)}
    names = {company.lower() for company in companies} - domains
    found: dict[str, int] = {}
    if domains:
        matches = Account.objects.annotate(key=Lower("domain")).filter(key__in=domains)
        found.update(matches.values_list("key", "pk"))
    if names:
        matches = Account.objects.annotate(key=Lower("name")).filter(key__in=names)
        for key, pk in matches.order_by("-pk").values_list("key", "pk"):
            found[key] = pk  # the oldest account of that name wins
    return found


def _looks_like_domain(company: str) -> bool:
    return "." in company and " " not in company and "@" not in company


@transaction.atomic
def account_for_company(*, company: str) -> Account:
    """The account a company name or domain names, created when none exists yet."""
    company = company.strip()
    if not company:
        raise ValidationError({"company": _("This field cannot be blank.")})
    if len(company) > 200:
        raise ValidationError({"company": _("Ensure this value has at most 200 characters.")})
    return Account.objects.get(pk=_accounts_for([company])[company.lower()])


# --- CSV import ------------------------------------------------------------------------

IMPORT_COLUMNS = (*SYNC_FIELDS, *INPUT_ONLY_FIELDS)
MAX_IMPORT_BYTES = 10 * 1024 * 1024
IMPORT_CHUNK = 500
# Kept on the import row for the report; the count of bad rows is always exact.
MAX_REPORTED_ERRORS = 2_000


def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text)), [])
    return [column.strip().lower() for column in first]


@transaction.atomic
def lead_import_create(*, actor: User, filename: str, data: bytes) -> LeadImport:
    """Check an uploaded CSV (encoding, header, size), store it and queue its import.

    The whole file is refused only for what makes every row unreadable: not UTF-8, no
    header, unknown columns, no leads. Bad rows are the import's business: reported one
    by one while the good rows land.
    """
    if not permissions.can_edit_lead(actor):
        raise PermissionDenied(_("Only marketing can import leads."))
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB; split it.") % {"mb": 10}}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {"file": _("The file is not UTF-8 text. Save it as “CSV UTF-8” and retry.")}
        ) from error
    header = _header(text)
    if not any(header):
        raise ValidationError({"file": _("The file is empty: it needs a header row.")})
    unknown = [column for column in header if column not in IMPORT_COLUMNS]
    if unknown:
        raise ValidationError(
            {
                "file": _("Unknown columns: %(unknown)s. The columns can be: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(IMPORT_COLUMNS)}
            }
        )
    if len(set(header)) != len(header):
        raise ValidationError({"file": _("A column appears twice in the header row.")})
    if "email" not in header and "external_id" not in header:
        raise ValidationError(
            {"file": _("The header needs an “email” or an “external_id” column to find leads.")}
        )
    total = sum(1 for _row in _data_rows(text))
    if total == 0:
        raise ValidationError({"file": _("The file has a header row but no leads.")})
    lead_import = LeadImport.objects.create(
        created_by=actor, filename=filename[:255], content=text, total_rows=total
    )
    transaction.on_commit(partial(tasks.import_leads_csv.delay, lead_import.pk))
    return lead_import


def _data_rows(text: str):
    """(row number, cells by column) for each non-blank data row; row 1 is the header."""
    reader = csv.reader(io.StringIO(text))
    header = [column.strip().lower() for column in next(reader, [])]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield reader.line_num, header, row


def lead_import_run(*, import_id: int) -> bool:
    """Import the rows of a stored CSV in chunks; False when another run has it already.

    Claimed by a conditional UPDATE (pending → running), so two deliveries of the task
    never import at once. Each chunk goes through lead_upsert_many and its progress is
    saved in the same transaction: a crash leaves whole chunks, never half a row. On a
    database hiccup the claim is released and the task retries from the start, which is
    harmless: rows already imported come back "unchanged".
    """
    now = timezone.now()
    claimed = LeadImport.objects.filter(pk=import_id, status=LeadImport.Status.PENDING).update(
        status=LeadImport.Status.RUNNING,
        started_at=now,
        processed_rows=0,
        created_count=0,
        updated_count=0,
        unchanged_count=0,
        error_count=0,
        errors=[],
    )
    if not claimed:
        return False
    lead_import = LeadImport.objects.select_related("created_by").get(pk=import_id)
    try:
        _import_rows(lead_import)
    except OperationalError:
        LeadImport.objects.filter(pk=import_id).update(status=LeadImport.Status.PENDING)
        raise
    except (PermissionDenied, ValidationError, Conflict) as error:
        message = getattr(error, "message", None) or " ".join(getattr(error, "messages", []))
        LeadImport.objects.filter(pk=import_id).update(
            status=LeadImport.Status.FAILED,
            failure=message or str(error),
            finished_at=timezone.now(),
        )
        return True
    LeadImport.objects.filter(pk=import_id).update(
        status=LeadImport.Status.DONE, finished_at=timezone.now()
    )
    return True


def _import_rows(lead_import: LeadImport) -> None:
    errors: list[dict] = []
    error_count = 0
    chunk: list[tuple[int, dict]] = []
    processed = 0

    def flush() -> None:
        nonlocal error_count, processed
        items = [item for _line, item in chunk if item is not None]
        lines = [line for line, item in chunk if item is not None]
        with transaction.atomic():
            result = lead_upsert_many(actor=lead_import.created_by, items=items)
            new_errors = [
                {"row": line, "field": "", "message": _("This row has more cells than the header.")}
                for line, item in chunk
                if item is None
            ]
            for error in result.errors:
                for field_name, messages in error["errors"].items():
                    for message in messages:
                        new_errors.append(
                            {"row": lines[error["index"]], "field": field_name, "message": message}
                        )
            bad_rows = len({error["row"] for error in new_errors})
            error_count += bad_rows
            errors.extend(new_errors)
            errors.sort(key=lambda error: error["row"])
            processed += len(chunk)
            LeadImport.objects.filter(pk=lead_import.pk).update(
                processed_rows=processed,
                created_count=F("created_count") + result.created,
                updated_count=F("updated_count") + result.updated,
                unchanged_count=F("unchanged_count") + result.unchanged,
                error_count=error_count,
                errors=errors[:MAX_REPORTED_ERRORS],
            )
        chunk.clear()

    for line, header, row in _data_rows(lead_import.content):
        if len(row) > len(header):
            chunk.append((line, None))
        else:
            # An empty cell leaves the lead's value as it is (and a short row, its tail).
            chunk.append(
                (
                    line,
                    {name: cell for name, cell in zip(header, row, strict=False) if cell.strip()},
                )
            )
        if len(chunk) >= IMPORT_CHUNK:
            flush()
    if chunk:
        flush()
