"""Form plumbing shared by every app's pages."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on ``form``: on its field when the form has one.

    Services raise ValidationError with a field dict ({"email": [...]}) or with plain
    messages; both shapes land on the form, unknown fields as non-field errors, so a
    page never fails on an error it did not expect.
    """
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
