"""Lead filters, shared by the leads list page and the API (django-filter)."""

import django_filters
from django.db.models import Q

from accounts.models import User
from accounts.roles import Role
from leads.models import Account, Lead, Stage

# A search term matching more companies than this is too vague to list them all.
MAX_SEARCH_ACCOUNTS = 500


class LeadFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role__in=[Role.SELLER, Role.SALES_MANAGER])
    )
    source = django_filters.CharFilter(lookup_expr="iexact")
    source_system = django_filters.CharFilter(lookup_expr="iexact")
    external_id = django_filters.CharFilter()
    email = django_filters.CharFilter(lookup_expr="iexact")
    segment = django_filters.CharFilter(lookup_expr="iexact")
    region = django_filters.CharFilter(lookup_expr="iexact")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Lead
        fields = [
            "stage",
            "owner",
            "source",
            "source_system",
            "external_id",
            "email",
            "segment",
            "region",
        ]

    def search(self, queryset, name, value):
        """Name, e-mail or company, case-insensitive.

        Two index-friendly halves joined by OR: the lead's own ``search_text`` (trigram
        index on PostgreSQL), and the ids of matching accounts, looked up first in the
        small accounts table, so no join sits inside the OR.
        """
        value = value.strip()
        if not value:
            return queryset
        account_ids = list(
            Account.objects.filter(name__icontains=value).values_list("id", flat=True)[
                :MAX_SEARCH_ACCOUNTS
            ]
        )
        matches = Q(search_text__contains=value.upper())
        if account_ids:
            matches |= Q(account_id__in=account_ids)
        return queryset.filter(matches)

    @classmethod
    def extend(cls, name: str, filter_: django_filters.Filter) -> None:
        """Add a filter an area above leads owns (leads touched by a campaign…).

        Called from that area's AppConfig.ready(), so leads never imports it; each
        filter set class (the API's, the list page's) is extended on its own.
        """
        cls.base_filters[name] = filter_


class SortFilter(django_filters.OrderingFilter):
    """``?sort=<key>`` or ``?sort=-<key>`` (descending), where the keys are ``fields``.

    Every order ends with the id, in the direction of the last key, so rows that tie
    never swap between two pages; ``then`` adds a key's own secondary order (last name,
    then first name). No sort, or one the form refused, is ``default``.
    """

    def __init__(self, *args, default: str, then: dict[str, tuple[str, ...]], **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default
        self.then = then

    def filter(self, qs, value):
        keys = [key for key in value or () if key] or [self.default]
        ordering = []
        for key in keys:
            sign = "-" if key.startswith("-") else ""
            ordering.append(self.get_ordering_value(key))
            ordering += [f"{sign}{name}" for name in self.then.get(key.removeprefix("-"), ())]
        ordering.append("-id" if keys[-1].startswith("-") else "id")
        return qs.order_by(*ordering)


class LeadPageFilter(LeadFilter):
    """The lead list page's filters: the API's, plus what areas above add for the page."""

    SORT_DEFAULT = "-created_at"

    sort = SortFilter(
        fields=["created_at", "stage_changed_at", "score", "last_name", "email", "stage"],
        default=SORT_DEFAULT,
        then={"last_name": ("first_name",)},
    )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if "sort" not in self.form.cleaned_data:  # an unknown key: the form says so
            queryset = self.filters["sort"].filter(queryset, None)
        return queryset

    def sort_key(self) -> str:
        """The sort the page is in, as its URL says it (the default when it says none)."""
        keys = getattr(self.form, "cleaned_data", {}).get("sort")
        return ",".join(keys) if keys else self.SORT_DEFAULT

    def is_filtered(self) -> bool:
        """Whether a filter (not the sort) narrows the list."""
        return any(
            value for name, value in self.data.items() if name in self.filters and name != "sort"
        )
