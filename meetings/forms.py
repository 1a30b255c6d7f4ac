"""Forms of the meeting pages. They validate input; the services decide."""

from django import forms


class BriefWeekForm(forms.Form):
    week = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the week; the brief covers Monday to Sunday.",
    )
