"""CSV import of leads in the browser (marketing): upload, progress, per-row report.

Thin: the upload is checked and stored by ``csv_import.lead_import_create``, which queues the
``import_leads_csv`` task; the task runs inline when no broker is configured (then the
import is finished by the time the page loads) or on a worker, in which case the page
polls a small progress fragment with htmx until the import is done.
"""

from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from leads import mappings, permissions
from leads.models import FieldMapping, LeadImport
from leads.services import csv_import
from leads.services.mappings import mapping_resolve

ERRORS_PAGE_SIZE = 100
EXAMPLE_ROWS = (
    "ana.lopez@northwind.example,Ana,López,CTO,northwind.example,webinar,hubspot,hs-1001,SMB,EMEA,72",
    "ben.okafor@globex.example,Ben,Okafor,VP Sales,Globex,event,hubspot,hs-1002,Enterprise,NA,55",
)
EXAMPLE_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "company",
    "source",
    "source_system",
    "external_id",
    "segment",
    "region",
    "score",
)


def _mapping_choices() -> list[tuple[str, str]]:
    return [
        ("", "Smarketing's field names"),
        *((slug, f"{profile.label} export") for slug, profile in mappings.BUILT_IN.items()),
        *FieldMapping.objects.values_list("slug", "label"),
    ]


class LeadImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, a header row, one lead per row, at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    mapping = forms.ChoiceField(
        label="Column names",
        required=False,
        help_text="A CRM's export loads as it is: its columns are renamed, the others left out.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mapping = self.fields["mapping"]
        assert isinstance(mapping, forms.ChoiceField)
        mapping.choices = _mapping_choices()


def _require_marketing(user) -> None:
    if not permissions.can_edit_lead(user):
        raise PermissionDenied("Importing leads is marketing's job.")


def _visible_imports(user, *, with_errors: bool = False):
    # The file itself can be megabytes: never loaded to show a page.
    deferred = ("content",) if with_errors else ("content", "errors")
    imports = LeadImport.objects.select_related("created_by").defer(*deferred)
    return imports if permissions.is_admin(user) else imports.filter(created_by=user)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """Upload a CSV; recent imports below the form."""
    _require_marketing(request.user)
    form = LeadImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            slug = form.cleaned_data["mapping"]
            try:
                lead_import = csv_import.lead_import_create(
                    actor=request.user,
                    filename=upload_file.name,
                    data=upload_file.read(csv_import.MAX_IMPORT_BYTES + 1),
                    mapping=mapping_resolve(slug) if slug else None,
                )
            except ValidationError as error:
                for message in error.message_dict.get("file", error.messages):
                    form.add_error("file", message)
            else:
                return redirect("leads_import:detail", pk=lead_import.pk)
        status = 400
    recent = Paginator(_visible_imports(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "leads/import.html",
        {
            "form": form,
            "page_obj": recent,
            "imports": recent.object_list,
            "columns": csv_import.IMPORT_COLUMNS,
            "max_rows_inline": csv_import.IMPORT_CHUNK,
            "perms_can_manage_mappings": permissions.can_manage_mappings(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk: int):
    """An import: its progress while it runs, then its counts and every bad row."""
    _require_marketing(request.user)
    lead_import = get_object_or_404(_visible_imports(request.user, with_errors=True), pk=pk)
    errors = Paginator(lead_import.errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "leads/import_detail.html",
        {"lead_import": lead_import, "page_obj": errors, "errors": errors.object_list},
    )


@login_required
@require_GET
def progress(request, pk: int):
    """The progress fragment htmx polls; once finished it asks the page to reload."""
    _require_marketing(request.user)
    lead_import = get_object_or_404(_visible_imports(request.user), pk=pk)
    response = render(request, "leads/import_progress.html", {"lead_import": lead_import})
    if lead_import.is_finished and request.headers.get("HX-Request"):
        # Show the full report (counts and bad rows) now that it exists.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def template_csv(request):
    """An example file with every column, to fill in."""
    _require_marketing(request.user)
    body = ",".join(EXAMPLE_COLUMNS) + "\r\n" + "\r\n".join(EXAMPLE_ROWS) + "\r\n"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leads-template.csv"'
    return response


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@login_required
@require_GET
def sample_csv(request, slug: str):
    """A CRM's lead export as it comes (Salesforce, HubSpot): import it with its mapping."""
    _require_marketing(request.user)
    if slug not in mappings.BUILT_IN:
        raise Http404("No sample for this CRM.")
    return FileResponse(
        (SAMPLES / f"{slug}_leads.csv").open("rb"),
        as_attachment=True,
        filename=f"{slug}-leads-sample.csv",
        content_type="text/csv; charset=utf-8",
    )
