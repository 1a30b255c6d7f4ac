"""Account matching: the company a lead names, found by domain or name, or created."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from leads.models import Account


def accounts_for(companies: list[str]) -> dict[str, int]:
    """Account ids by company (lower-cased): a domain finds its account, a name too; else new.

    The domain is unique (case-insensitive) in the database: a concurrent creation of the
    same domain is skipped by ignore_conflicts and found by the second lookup.
    """
    found = _accounts_lookup(companies)
    # One new account per company, however many items (and spellings) name it.
    missing = list(
        {c.lower(): c for c in reversed(list(companies)) if c.lower() not in found}.values()
    )
    if not missing:
        return found
    Account.objects.bulk_create(
        [
            Account(name=company.split(".")[0].capitalize(), domain=company.lower())
            if _looks_like_domain(company)
            else Account(name=company)
            for company in missing
        ],
        ignore_conflicts=True,
    )
    return _accounts_lookup(companies)


def _accounts_lookup(companies: list[str]) -> dict[str, int]:
    domains = {company.lower() for company in companies if _looks_like_domain(company)}
    names = {company.lower() for company in companies} - domains
    found: dict[str, int] = {}
    if domains:
        matches = Account.objects.annotate(key=Lower("domain")).filter(key__in=domains)
        found.update(matches.values_list("key", "pk"))
    if names:
        matches = Account.objects.annotate(key=Lower("name")).filter(key__in=names)
        for key, pk in matches.order_by("-pk").values_list("key", "pk"):
            found[key] = pk  # the oldest account of that name wins
    return found


def _looks_like_domain(company: str) -> bool:
    return "." in company and " " not in company and "@" not in company


@transaction.atomic
def account_for_company(*, company: str) -> Account:
    """The account a company name or domain names, created when none exists yet."""
    company = company.strip()
    if not company:
        raise ValidationError({"company": _("This field cannot be blank.")})
    if len(company) > 200:
        raise ValidationError({"company": _("Ensure this value has at most 200 characters.")})
    return Account.objects.get(pk=accounts_for([company])[company.lower()])
