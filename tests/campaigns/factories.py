"""Factories for the campaigns tests."""

import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.roles import Role
from campaigns.models import Campaign, CampaignTouch, SpendEntry
from tests.factories import LeadFactory, UserFactory


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    type = Campaign.Type.WEBINAR
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2026, 3, 31)
    marketing_owner = factory.SubFactory(UserFactory, role=Role.MARKETER)
    budget = 0


class CampaignTouchFactory(DjangoModelFactory):
    class Meta:
        model = CampaignTouch

    lead = factory.SubFactory(LeadFactory)
    campaign = factory.SubFactory(CampaignFactory)
    kind = CampaignTouch.Kind.VISITED


class SpendEntryFactory(DjangoModelFactory):
    class Meta:
        model = SpendEntry

    campaign = factory.SubFactory(CampaignFactory)
    spent_on = datetime.date(2026, 1, 15)
    amount = 100
