"""CSV import in the browser: good rows land, bad rows are reported by row and column."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.models import Lead, LeadImport, Stage
from leads.services import csv_import
from tests.factories import LeadFactory

UPLOAD = reverse("leads_import:upload")


def csv_file(text: str, name: str = "leads.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def marketing_browser(marketer, session_client_for):
    return session_client_for(marketer)


def upload(client, text, django_capture_on_commit_callbacks, name="leads.csv"):
    # Tasks run inline (no broker in tests) once the upload's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(UPLOAD, {"file": csv_file(text, name)})


def test_good_rows_land_and_bad_rows_are_reported(
    marketing_browser, django_capture_on_commit_callbacks
):
    LeadFactory(email="taken@x.example", source_system="crm", external_id="9")
    text = (
        "email,first_name,score,company,source_system,external_id\n"
        "ana@x.example,Ana,70,Northwind,,\n"
        "not-an-email,Bad,70,,,\n"
        "ben@x.example,Ben,140,,,\n"
        "\n"
        "cleo@x.example,Cleo,,northwind.example,,\n"
        "taken@x.example,Dup,10,,crm,10\n"
        "dan@x.example,Dan,1,,,,extra\n"
    )

    response = upload(marketing_browser, text, django_capture_on_commit_callbacks)

    lead_import = LeadImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("leads_import:detail", args=[lead_import.pk])
    assert lead_import.status == LeadImport.Status.DONE
    assert (lead_import.total_rows, lead_import.processed_rows) == (6, 6)  # blank line skipped
    assert (lead_import.created_count, lead_import.error_count) == (2, 4)
    assert lead_import.errors == [
        {"row": 3, "field": "email", "message": "Enter a valid email address."},
        {"row": 4, "field": "score", "message": "Ensure this value is less than or equal to 100."},
        {"row": 7, "field": "email", "message": "A lead with this email already exists."},
        {"row": 8, "field": "", "message": "This row has more cells than the header."},
    ]
    # Nothing half-imported: a bad row leaves no trace, a good row lands whole.
    assert sorted(Lead.objects.values_list("email", flat=True)) == [
        "ana@x.example",
        "cleo@x.example",
        "taken@x.example",
    ]
    ana = Lead.objects.get(email="ana@x.example")
    assert (ana.first_name, ana.score, ana.stage, ana.account.name) == (
        "Ana",
        70,
        "lead",
        "Northwind",
    )
    assert Lead.objects.get(email="cleo@x.example").score == 0  # empty cell: the default


def test_the_report_page_lists_the_bad_rows(marketing_browser, django_capture_on_commit_callbacks):
    upload(marketing_browser, "email\nok@x.example\nnope\n", django_capture_on_commit_callbacks)
    lead_import = LeadImport.objects.get()

    page = marketing_browser.get(reverse("leads_import:detail", args=[lead_import.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Bad rows" in content
    assert "Enter a valid email address." in content
    assert 'hx-trigger="every 1s"' not in content  # finished: no more polling


def test_importing_the_same_file_twice_changes_nothing(
    marketing_browser, django_capture_on_commit_callbacks
):
    text = "email,title\na@x.example,CTO\nb@x.example,CEO\n"
    upload(marketing_browser, text, django_capture_on_commit_callbacks)
    stamps = dict(Lead.objects.values_list("pk", "updated_at"))

    upload(marketing_browser, text, django_capture_on_commit_callbacks)

    second = LeadImport.objects.order_by("id").last()
    assert (second.created_count, second.unchanged_count) == (0, 2)
    assert dict(Lead.objects.values_list("pk", "updated_at")) == stamps


def test_an_empty_cell_leaves_the_value_as_it_is(
    marketing_browser, django_capture_on_commit_callbacks
):
    LeadFactory(email="a@x.example", title="CTO", phone="123")

    upload(
        marketing_browser,
        "email,title,phone\na@x.example,,999\n",
        django_capture_on_commit_callbacks,
    )

    lead = Lead.objects.get()
    assert (lead.title, lead.phone, lead.stage) == ("CTO", "999", Stage.LEAD)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The submitted file is empty"),
        ("\n\n", "The file is empty"),
        ("email,favourite_colour\na@x.example,blue\n", "Unknown columns: favourite_colour"),
        ("first_name\nAna\n", "needs an “email” or an “external_id” column"),
        ("email\n", "no leads"),
        ("email,email\na@x.example,b@x.example\n", "appears twice"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(marketing_browser, text, message):
    response = marketing_browser.post(UPLOAD, {"file": csv_file(text)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LeadImport.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(marketing_browser):
    data = "email,first_name\nzoe@x.example,Zoë\n".encode("latin-1")
    response = marketing_browser.post(
        UPLOAD, {"file": SimpleUploadedFile("leads.csv", data, content_type="text/csv")}
    )

    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_a_large_file_is_imported_in_chunks_with_progress(
    marketing_browser, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(csv_import, "IMPORT_CHUNK", 2)  # five chunks for ten rows
    rows = "".join(f"lead{i}@x.example,{i}\n" for i in range(10))

    upload(marketing_browser, "email,score\n" + rows, django_capture_on_commit_callbacks)

    lead_import = LeadImport.objects.get()
    assert (lead_import.processed_rows, lead_import.created_count) == (10, 10)
    assert lead_import.percent == 100


def test_the_progress_fragment_polls_while_waiting(marketer, marketing_browser):
    lead_import = LeadImport.objects.create(
        created_by=marketer, filename="big.csv", content="email\na@x.example\n", total_rows=1
    )

    fragment = marketing_browser.get(reverse("leads_import:progress", args=[lead_import.pk]))

    assert fragment.status_code == 200
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "Waiting for a worker" in fragment.content.decode()

    csv_import.lead_import_run(import_id=lead_import.pk)  # the worker's turn
    done = marketing_browser.get(
        reverse("leads_import:progress", args=[lead_import.pk]), HTTP_HX_REQUEST="true"
    )
    assert done["HX-Refresh"] == "true"


def test_a_second_delivery_of_the_task_does_nothing(marketer):
    lead_import = LeadImport.objects.create(
        created_by=marketer, filename="a.csv", content="email\na@x.example\n", total_rows=1
    )

    assert csv_import.lead_import_run(import_id=lead_import.pk) is True
    assert csv_import.lead_import_run(import_id=lead_import.pk) is False
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.created_count) == ("done", 1)


def test_sellers_cannot_import_nor_see_imports(seller, marketer, session_client_for):
    lead_import = LeadImport.objects.create(
        created_by=marketer, filename="a.csv", content="email\n", total_rows=0
    )
    client = session_client_for(seller)

    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": csv_file("email\na@x.example\n")}).status_code == 403
    assert client.get(reverse("leads_import:detail", args=[lead_import.pk])).status_code == 403
    assert not Lead.objects.exists()


def test_a_marketer_sees_only_their_own_imports(marketer, marketing_manager, session_client_for):
    theirs = LeadImport.objects.create(
        created_by=marketing_manager, filename="theirs.csv", content="email\n", total_rows=0
    )
    client = session_client_for(marketer)

    assert client.get(reverse("leads_import:detail", args=[theirs.pk])).status_code == 404
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert "No imports yet" in page.content.decode()


def test_the_example_file_has_every_column_and_imports_cleanly(
    marketing_browser, django_capture_on_commit_callbacks
):
    example = marketing_browser.get(reverse("leads_import:template")).content.decode()

    upload(marketing_browser, example, django_capture_on_commit_callbacks)

    lead_import = LeadImport.objects.get()
    assert (lead_import.created_count, lead_import.error_count) == (2, 0)


def test_the_marketer_home_links_to_the_import(marketing_browser):
    assert UPLOAD in marketing_browser.get("/").content.decode()
