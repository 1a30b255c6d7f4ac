"""Feedback filters, shared by the board and the API (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import User
from accounts.roles import Role
from campaigns.models import Campaign
from feedback.models import FeedbackItem, Kind, Status, Tag


class FeedbackFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.order_by("name"))
    # The people who give feedback (no scan of the items to find them).
    author = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(
            role__in=[Role.SELLER, Role.SALES_MANAGER, Role.ADMIN]
        ).order_by("first_name", "last_name", "username")
    )
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.order_by("name"), field_name="tags", to_field_name="slug", label="Tag"
    )
    lead = django_filters.NumberFilter(field_name="lead_id")
    account = django_filters.NumberFilter(field_name="account_id")
    created_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = FeedbackItem
        fields = ["kind", "status", "campaign", "author", "tag"]

    def search(self, queryset, name, value):
        """Text, answer or competitor, case-insensitive."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(text__icontains=value) | Q(answer__icontains=value) | Q(competitor__icontains=value)
        )
