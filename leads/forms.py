"""Forms of the leads pages. They parse input; the services decide and write."""

from typing import cast

from django import forms

from accounts.models import User
from leads import lifecycle, selectors
from leads.models import Account, Lead, ReasonCode, TouchKind


def _reason_choices() -> list[tuple[str, str]]:
    return [("", "Choose a reason…")] + [
        (code.code, code.label) for code in selectors.reason_codes_active()
    ]


class LeadForm(forms.Form):
    """A lead's record (not its stage or owner), for lead_create and lead_update."""

    email = forms.EmailField(max_length=254)
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    title = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=50, required=False)
    account = forms.ModelChoiceField(
        queryset=Account.objects.order_by("name"), required=False, empty_label="No account"
    )
    source = forms.CharField(
        max_length=50, required=False, help_text="Where the lead came from: web form, event…"
    )
    source_system = forms.CharField(
        max_length=50, required=False, help_text="The CRM or tool it is synced with."
    )
    external_id = forms.CharField(
        max_length=200, required=False, help_text="Its id in the source system."
    )
    segment = forms.CharField(max_length=50, required=False)
    region = forms.CharField(max_length=50, required=False)
    score = forms.IntegerField(
        min_value=0, max_value=100, initial=0, help_text="0 to 100; the MQL definition uses it."
    )

    @classmethod
    def for_lead(cls, lead: Lead, data=None):
        initial = {field: getattr(lead, field) for field in cls.base_fields}
        return cls(data, initial=initial)

    def clean_email(self):
        return self.cleaned_data["email"].strip()


class MoveForm(forms.Form):
    """One lifecycle move: only the fields the move needs, for lead_transition.

    Reason and amount are checked here for a quick answer, and again by the service,
    which is the one that counts.
    """

    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, move: lifecycle.Move, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.move = move
        if move.needs_reason:
            self.fields["reason_code"] = forms.ChoiceField(
                choices=_reason_choices(),
                label="Reason",
                error_messages={"required": "Choose a reason."},
            )
        if move.amount:
            label = move.amount_label
            self.fields["amount"] = forms.DecimalField(
                label=label,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                error_messages={"required": f"Enter the {label.lower()}."},
            )
        if move.is_handover:
            self.fields["owner"] = forms.ModelChoiceField(
                queryset=selectors.sellers_available(),
                required=False,
                empty_label="By the assignment rules",
                label="Hand over to",
            )
            if user.is_manager or user.is_superuser:
                self.fields["override_reason"] = forms.CharField(
                    required=False,
                    max_length=500,
                    label="Override reason",
                    help_text="Managers only: why hand it over although it misses the MQL "
                    "definition of the active SLA.",
                )
        if not move.takes_comment:
            del self.fields["comment"]
        # Comment last, after what the move needs.
        self.order_fields([name for name in self.fields if name != "comment"] + ["comment"])

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {"comment": data.get("comment", "")}
        for name in ("reason_code", "amount", "owner", "override_reason"):
            if data.get(name) not in (None, ""):
                arguments[name] = data[name]
        return arguments


class TouchForm(forms.Form):
    kind = forms.ChoiceField(choices=TouchKind.choices, initial=TouchKind.CALL)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(
        # The sellers the user may choose from are set per form, in __init__().
        queryset=User.objects.none(),
        label="New owner",
        error_messages={"required": "Choose a seller."},
    )
    comment = forms.CharField(required=False, max_length=2000)
    # The owner the page showed: a reassignment of a lead that changed hands since is refused.
    expected_owner = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, sellers=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = (
            sellers if sellers is not None else selectors.sellers_for_reassignment(user)
        )


class ReasonCodeCreateForm(forms.Form):
    code = forms.SlugField(
        max_length=50, help_text="Lower case, no spaces, e.g. wrong_country. Cannot change later."
    )
    label = forms.CharField(max_length=100)


class ReasonCodeEditForm(forms.Form):
    label = forms.CharField(max_length=100)
    position = forms.IntegerField(min_value=0, max_value=32767)
    is_active = forms.BooleanField(required=False, label="Active")

    @classmethod
    def for_code(cls, reason_code: ReasonCode, data=None):
        return cls(
            data,
            prefix=f"rc{reason_code.pk}",
            initial={
                "label": reason_code.label,
                "position": reason_code.position,
                "is_active": reason_code.is_active,
            },
        )


def form_with_error(message: str) -> forms.Form:
    """An empty form carrying one message, for refusals that happen before any form."""
    form = forms.Form(data={})
    form.is_valid()
    form.add_error(None, message)
    return form


class FieldMappingForm(forms.Form):
    """A custom mapping: the CRM's column names, one ``Their column = lead_field`` a line."""

    label = forms.CharField(label="Name", max_length=100, help_text="e.g. Pipedrive")
    source_system = forms.CharField(
        label="Source system",
        max_length=50,
        required=False,
        help_text="Set on each record that has an external id, e.g. pipedrive.",
    )
    columns = forms.CharField(
        label="Columns",
        widget=forms.Textarea(
            attrs={"rows": 10, "placeholder": "Person ID = external_id\nEmail = email"}
        ),
        help_text="One a line: the CRM's column name, =, the lead field.",
    )

    def clean_columns(self) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["columns"].splitlines(), start=1):
            if not line.strip():
                continue
            their, sep, ours = line.partition("=")
            if not sep or not their.strip() or not ours.strip():
                raise forms.ValidationError(f"Line {number}: write “Their column = lead_field”.")
            pairs[their.strip()] = ours.strip()
        return pairs

    @staticmethod
    def columns_text(columns: dict[str, str]) -> str:
        return "\n".join(f"{their} = {ours}" for their, ours in columns.items())
