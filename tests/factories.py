"""One factory per model. Factories build the world; services perform the act under test."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts import services as account_services
from accounts.models import Team, User
from accounts.roles import ROLE_TEAM_KIND, Role
from leads.models import Account, AssignmentRule, Lead, Stage

TEST_PASSWORD = "test-pass-1234"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = "sales"


class UserFactory(DjangoModelFactory):
    """A person with a role, in a team of the right kind, in the role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.MARKETER
    team = factory.LazyAttribute(
        lambda user: TeamFactory(
            name=str(ROLE_TEAM_KIND[Role(user.role)].label), kind=ROLE_TEAM_KIND[Role(user.role)]
        )
    )

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save()
            account_services.user_set_role(user=self, role=self.role, team=self.team)


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.Sequence(lambda n: f"company{n}.example")


class LeadFactory(DjangoModelFactory):
    """A lead. ``handed_over=True`` makes it an MQL with a sales owner (set ``owner=``).

    For tests about a move, make the move with ``lead_transition``; the traits only
    build the starting point.
    """

    class Meta:
        model = Lead

    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    stage = Stage.LEAD
    score = 70

    class Params:
        handed_over = factory.Trait(
            stage=Stage.MQL,
            owner=factory.SubFactory(UserFactory, role=Role.SELLER),
            mql_at=factory.LazyFunction(timezone.now),
            handed_over_at=factory.LazyFunction(timezone.now),
        )


class AssignmentRuleFactory(DjangoModelFactory):
    class Meta:
        model = AssignmentRule

    segment = ""
    region = ""
    team = factory.LazyFunction(lambda: TeamFactory(name="Sales", kind="sales"))
