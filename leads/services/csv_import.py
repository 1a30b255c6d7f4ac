"""CSV import of leads: check and store an upload, then import it in chunks through the sync.

The upload records ``lead_import.requested``; the import itself runs from that event's
after-commit subscriber (leads.handlers), so an upload made while the broker is down
waits in the outbox and runs when it is back.
"""

import csv
import io
from collections.abc import Iterator
from typing import TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events import catalog
from events.services import event_record
from leads import mappings, permissions
from leads.models import LeadImport
from leads.services.crm_moves import MOVE_FIELDS
from leads.services.sync import INPUT_ONLY_FIELDS, SYNC_FIELDS, lead_upsert_many
from smarketing.csv_export import unquote_cell
from smarketing.errors import Conflict

IMPORT_COLUMNS = (*SYNC_FIELDS, *INPUT_ONLY_FIELDS, *MOVE_FIELDS)
MAX_IMPORT_BYTES = 10 * 1024 * 1024
IMPORT_CHUNK = 500
# Kept on the import row for the report; the count of bad rows is always exact.
MAX_REPORTED_ERRORS = 2_000


class RowError(TypedDict):
    """One problem of the import report (LeadImport.errors)."""

    row: int
    field: str
    message: str


def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text)), [])
    return [column.strip().lower() for column in first]


def _translated(text: str, profile: mappings.Profile) -> str:
    """The CSV in the lead fields' names: columns the profile names are renamed, the
    others left out, and the profile's source system set where a row has an external id.

    Rows keep their line numbers, so the report points at the lines of the file sent.
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    targets = mappings.header_translate(rows[0], profile)
    keep = [index for index, target in enumerate(targets) if target is not None]
    header = [str(targets[index]) for index in keep]
    add_source = bool(profile.source_system) and "source_system" not in header
    external = header.index("external_id") if "external_id" in header else None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header + (["source_system"] if add_source else []))
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            writer.writerow([])
            continue
        cells = [row[index] if index < len(row) else "" for index in keep]
        if add_source:
            has_id = external is not None and cells[external].strip()
            cells.append(profile.source_system if has_id else "")
        writer.writerow(cells)
    return out.getvalue()


@transaction.atomic
def lead_import_create(
    *, actor: User, filename: str, data: bytes, mapping: mappings.Profile | None = None
) -> LeadImport:
    """Check an uploaded CSV (encoding, header, size), store it and queue its import.

    The whole file is refused only for what makes every row unreadable: not UTF-8, no
    header, unknown columns, no leads. Bad rows are the import's business: reported one
    by one while the good rows land. With a ``mapping`` (a CRM's profile) the columns are
    the CRM's names, and columns it does not name are left out.
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
    if mapping is not None and text.strip():
        text = _translated(text, mapping)
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
    event_record(
        catalog.LEAD_IMPORT_REQUESTED,
        obj=lead_import,
        actor=actor,
        data={"filename": lead_import.filename, "total_rows": total},
    )
    return lead_import


def _data_rows(text: str) -> Iterator[tuple[int, list[str], list[str]]]:
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
    errors: list[RowError] = []
    error_count = 0
    # (line, cells by column), None for a row with more cells than the header.
    chunk: list[tuple[int, dict[str, str] | None]] = []
    processed = 0

    def flush() -> None:
        nonlocal error_count, processed
        items = [item for _line, item in chunk if item is not None]
        lines = [line for line, item in chunk if item is not None]
        with transaction.atomic():
            result = lead_upsert_many(actor=lead_import.created_by, items=items)
            new_errors: list[RowError] = [
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
                    {
                        # A phone "+34 …" exported here comes back as "'+34 …".
                        name: unquote_cell(cell)
                        for name, cell in zip(header, row, strict=False)
                        if cell.strip()
                    },
                )
            )
        if len(chunk) >= IMPORT_CHUNK:
            flush()
    if chunk:
        flush()
