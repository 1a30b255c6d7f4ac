"""The CRMs' own field names: mapping profiles for the CSV import, bulk upsert and export.

Pure data and pure functions. A profile maps a CRM's column (or API property) names to
lead fields by their API names, so a lead export from the CRM loads as it is, and an
export from Smarketing reads back in the CRM's names. Names match case-insensitively.
Columns a profile does not name are left out (a CRM export has dozens: addresses,
owners, dates); our own field names are always understood.

Lead status columns (Salesforce ``Status``, HubSpot ``lifecyclestage`` and
``hs_lead_status``) are read but not imported: a CRM's status is not the hand-over
lifecycle, and a move needs what it records (amounts, a reason). Report a move with
``stage`` and its fields instead (leads.services.crm_moves).
"""

from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any

from leads.services.crm_moves import MOVE_FIELDS
from leads.services.records import EDITABLE_FIELDS

# What a mapped column may fill: the lead's editable fields, ``company`` (input only:
# the account is found or created) and what a CRM-side move records.
TARGET_FIELDS = (*EDITABLE_FIELDS, "company", *MOVE_FIELDS)


@dataclass(frozen=True)
class Profile:
    slug: str
    label: str
    # Set on each record with an external id and no source system of its own.
    source_system: str
    # The CRM's name → the lead field's API name, in the CRM's usual column order.
    columns: dict[str, str]
    # Columns known to the CRM that are read and left out on purpose (documented).
    not_imported: tuple[str, ...] = field(default=())

    def target_of(self, name: str) -> str | None:
        """The lead field a column fills (None: left out)."""
        wanted = name.strip().lower()
        for column, target in self.columns.items():
            if column.lower() == wanted:
                return target
        return wanted if wanted in TARGET_FIELDS else None


SALESFORCE = Profile(
    slug="salesforce",
    label="Salesforce",
    source_system="salesforce",
    columns={
        "Id": "external_id",
        "FirstName": "first_name",
        "LastName": "last_name",
        "Email": "email",
        "Company": "company",
        "Title": "title",
        "Phone": "phone",
        "LeadSource": "source",
        "Country": "region",
    },
    not_imported=("Status",),
)
HUBSPOT = Profile(
    slug="hubspot",
    label="HubSpot",
    source_system="hubspot",
    columns={
        "hs_object_id": "external_id",
        "firstname": "first_name",
        "lastname": "last_name",
        "email": "email",
        "company": "company",
        "jobtitle": "title",
        "phone": "phone",
        "hs_analytics_source": "source",
        "country": "region",
        "hubspotscore": "score",
    },
    not_imported=("lifecyclestage", "hs_lead_status"),
)
BUILT_IN = {profile.slug: profile for profile in (SALESFORCE, HUBSPOT)}


def custom_profile(
    *, slug: str, label: str, source_system: str, columns: MappingType[str, str]
) -> Profile:
    return Profile(slug=slug, label=label, source_system=source_system, columns=dict(columns))


def item_translate(item: MappingType[str, Any], profile: Profile) -> dict[str, Any]:
    """A record in the CRM's names → the same record in the lead fields' API names."""
    translated: dict[str, Any] = {}
    for name, value in item.items():
        target = profile.target_of(str(name))
        if target is not None:
            translated[target] = value
    if (
        profile.source_system
        and translated.get("external_id") not in (None, "")
        and not translated.get("source_system")
    ):
        translated["source_system"] = profile.source_system
    return translated


def header_translate(header: Iterable[str], profile: Profile) -> list[str | None]:
    """Each CSV column's lead field (None: the column is left out)."""
    return [profile.target_of(column) for column in header]


def export_columns(profile: Profile) -> list[tuple[str, str]]:
    """(the CRM's column name, the lead field) for an export in the CRM's names."""
    return [
        (column, target)
        for column, target in profile.columns.items()
        if target in (*EDITABLE_FIELDS, "company")
    ]
