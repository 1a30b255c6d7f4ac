"""One factory per model. Factories build the world; services perform the act under test."""

import factory
from factory.django import DjangoModelFactory

from accounts import services as account_services
from accounts.models import Team, User
from accounts.roles import ROLE_TEAM_KIND, Role

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
