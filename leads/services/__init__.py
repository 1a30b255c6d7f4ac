"""Writes for leads, by topic; every public service is importable from here.

- records: create and edit a lead's record
- moves: lifecycle moves, the hand-over, reassignment
- touches: sellers' contact attempts
- reason_codes: the managed list of reasons
- accounts: the account a company name or domain names
- sync: the bulk upsert of CRM sync and imports
- csv_import: CSV uploads of leads
- crm_moves: moves a CRM reports in a bulk upsert
- mappings: custom field mappings (a CRM's column names)
"""

from leads.services.accounts import account_for_company, accounts_for
from leads.services.csv_import import lead_import_create, lead_import_run
from leads.services.mappings import field_mapping_delete, field_mapping_save, mapping_resolve
from leads.services.moves import (
    handover_override_record,
    handover_owner_choose,
    lead_decision_due_set,
    lead_reassign,
    lead_transition,
)
from leads.services.reason_codes import reason_code_save
from leads.services.records import EDITABLE_FIELDS, lead_create, lead_update
from leads.services.sync import MAX_BATCH, UpsertResult, lead_upsert_many
from leads.services.touches import touch_log

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_BATCH",
    "UpsertResult",
    "field_mapping_delete",
    "field_mapping_save",
    "mapping_resolve",
    "lead_import_create",
    "lead_import_run",
    "lead_upsert_many",
    "account_for_company",
    "accounts_for",
    "handover_override_record",
    "handover_owner_choose",
    "lead_create",
    "lead_decision_due_set",
    "lead_reassign",
    "lead_transition",
    "lead_update",
    "reason_code_save",
    "touch_log",
]
