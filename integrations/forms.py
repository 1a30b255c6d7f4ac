"""Forms of the webhook pages. They only collect input; the services validate and save."""

from django import forms

from events.catalog import EVENT_TYPES
from integrations.models import WebhookDelivery

EVENT_CHOICES = [(name, f"{name} — {entry.description}") for name, entry in EVENT_TYPES.items()]


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where deliveries are POSTed. Private and loopback addresses are refused.",
        widget=forms.URLInput(attrs={"placeholder": "https://crm.example.com/hooks/smarketing"}),
    )
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Events",
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only events about objects you may see are delivered.",
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *WebhookDelivery.Status.choices], required=False
    )
