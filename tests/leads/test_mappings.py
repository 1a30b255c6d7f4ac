"""The CRMs' own field names (mapping profiles), the lead export, and their round trip."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse

from leads import mappings
from leads.models import FieldMapping, Lead, LeadImport, Stage
from leads.services import lead_import_create, lead_import_run
from smarketing.csv_export import unquote_cell
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "leads" / "samples"
EXPORT = "/api/v1/leads/export.csv"


def _csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _import(actor, profile, data: bytes) -> LeadImport:
    lead_import = lead_import_create(actor=actor, filename="crm.csv", data=data, mapping=profile)
    lead_import_run(import_id=lead_import.pk)
    lead_import.refresh_from_db()
    return lead_import


@pytest.mark.parametrize("profile", list(mappings.BUILT_IN.values()), ids=lambda p: p.slug)
def test_a_crm_export_loads_as_it_is_and_exports_back_in_the_crms_names(
    profile, marketer, api_client_for
):
    sample = (SAMPLES / f"{profile.slug}_leads.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(sample.decode())))

    lead_import = _import(marketer, profile, sample)
    exported = _csv(api_client_for(marketer).get(EXPORT, {"mapping": profile.slug}))

    assert lead_import.status == LeadImport.Status.DONE
    assert (lead_import.created_count, lead_import.error_count) == (len(rows), 0)
    assert set(Lead.objects.values_list("source_system", flat=True)) == {profile.source_system}
    columns = [column for column, _target in mappings.export_columns(profile)]
    assert list(exported[0]) == columns
    # The round trip: the export says what the CRM's file said (cells a spreadsheet would
    # run as formulas, like a phone "+34 …", carry the export's safety quote)…
    assert [{c: row[c] for c in columns} for row in rows] == [
        {c: unquote_cell(value) for c, value in row.items()} for row in exported
    ]
    # …and importing the CRM's file again, or our export of it, changes nothing.
    exported_file = b"".join(
        api_client_for(marketer).get(EXPORT, {"mapping": profile.slug}).streaming_content
    )
    for data in (sample, exported_file):
        again = _import(marketer, profile, data)
        assert (again.created_count, again.updated_count, again.error_count) == (0, 0, 0)
        assert again.unchanged_count == len(rows)


def test_the_bulk_upsert_takes_a_crms_names(marketer, api_client_for):
    client = api_client_for(marketer)
    item = {
        "hs_object_id": "901",
        "email": "ivy@example.com",
        "firstname": "Ivy",
        "jobtitle": "COO",
        "hubspotscore": "55",
        "lifecyclestage": "lead",
        "notes_last_contacted": "2026-01-01",
    }

    body = client.post(
        "/api/v1/leads/bulk-upsert/?mapping=hubspot", {"leads": [item]}, format="json"
    ).json()
    unknown = client.post(
        "/api/v1/leads/bulk-upsert/?mapping=pipedrive", {"leads": [item]}, format="json"
    )

    assert body["created"] == 1
    lead = Lead.objects.get()
    assert (lead.source_system, lead.external_id, lead.first_name, lead.title, lead.score) == (
        "hubspot",
        "901",
        "Ivy",
        "COO",
        55,
    )
    assert unknown.status_code == 400
    assert "Unknown mapping" in unknown.json()["mapping"][0]


def test_managers_define_custom_mappings_that_sync_and_export_use(
    marketing_manager, marketer, session_client_for, api_client_for
):
    assert session_client_for(marketer).get(reverse("leads:mappings")).status_code == 403
    page = session_client_for(marketing_manager)
    assert "Salesforce" in page.get(reverse("leads:mappings")).content.decode()

    bad = page.post(
        reverse("leads:mappings"),
        {"label": "Pipedrive", "columns": "Person ID = external_id\nName = favourite_colour"},
    )
    saved = page.post(
        reverse("leads:mappings"),
        {
            "label": "Pipedrive",
            "source_system": "pipedrive",
            "columns": "Person ID = external_id\nEmail = email\nOrganization = company",
        },
    )

    assert bad.status_code == 400
    assert "not a lead field" in bad.content.decode()
    assert saved.status_code == 302
    mapping = FieldMapping.objects.get()
    assert mapping.slug == "pipedrive"
    client = api_client_for(marketer)
    item = {"Person ID": "p-1", "Email": "jo@example.com", "Organization": "Acme"}
    client.post("/api/v1/leads/bulk-upsert/?mapping=pipedrive", {"leads": [item]}, format="json")
    assert _csv(client.get(EXPORT, {"mapping": "pipedrive"})) == [item]
    edited = page.post(
        reverse("leads:mapping_edit", args=[mapping.pk]),
        {"label": "Pipedrive", "columns": "Person ID = external_id\nEmail = email"},
    )
    assert edited.status_code == 302
    page.post(reverse("leads:mapping_delete", args=[mapping.pk]))
    assert not FieldMapping.objects.exists()


def test_the_export_streams_the_lists_filters_safely_and_only_what_you_may_see(
    marketer, seller, api_client_for
):
    LeadFactory(first_name='=HYPERLINK("http://evil")', email="f@example.com")
    mine = LeadFactory(handed_over=True, owner=seller, email="mine@example.com")
    LeadFactory(handed_over=True, email="other@example.com")

    everything = _csv(api_client_for(marketer).get(EXPORT))
    mqls = _csv(api_client_for(marketer).get(EXPORT, {"stage": "mql"}))
    sellers = _csv(api_client_for(seller).get(EXPORT))
    bad_filter = api_client_for(marketer).get(EXPORT, {"stage": "nonsense"})

    assert len(everything) == 3
    assert everything[0]["first_name"].startswith("'=")  # formula-safe
    assert {row["email"] for row in mqls} == {"mine@example.com", "other@example.com"}
    assert [row["id"] for row in sellers] == [str(mine.pk)]
    assert sellers[0]["stage"] == Stage.MQL
    assert bad_filter.status_code == 400


def test_the_lead_list_offers_an_export_of_what_it_shows(marketer, session_client_for):
    html = (
        session_client_for(marketer)
        .get(reverse("leads:list"), {"stage": "mql", "page": "2"})
        .content.decode()
    )

    assert f'href="{EXPORT}?stage=mql"' in html
    assert "Export these leads (CSV)" in html


def test_the_import_page_offers_the_mappings_and_a_sample(marketer, session_client_for):
    client = session_client_for(marketer)
    page = client.get(reverse("leads_import:upload")).content.decode()
    sample = client.get(reverse("leads_import:sample", args=["salesforce"]))

    assert "Salesforce export" in page
    assert "HubSpot export" in page
    assert sample.status_code == 200
    assert b"FirstName" in b"".join(sample.streaming_content)
    assert client.get("/leads/import/samples/nope.csv").status_code == 404
