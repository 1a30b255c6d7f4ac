"""Demo people: one login per role, named after it, all with the password ``demo1234``."""

from accounts import services
from accounts.models import Team, User
from accounts.roles import Role, TeamKind

DEMO_PASSWORD = "demo1234"

DEMO_TEAMS = (
    ("Marketing", TeamKind.MARKETING),
    ("Sales", TeamKind.SALES),
    ("Leadership", TeamKind.LEADERSHIP),
)

# username, role, team, first name, last name
DEMO_USERS = (
    ("marketer", Role.MARKETER, "Marketing", "Maria", "Marketer"),
    ("marketing_manager", Role.MARKETING_MANAGER, "Marketing", "Max", "Manager"),
    ("seller", Role.SELLER, "Sales", "Sam", "Seller"),
    ("seller2", Role.SELLER, "Sales", "Sophie", "Seller"),
    ("sales_manager", Role.SALES_MANAGER, "Sales", "Sasha", "Salesmanager"),
    ("executive", Role.EXECUTIVE, "Leadership", "Eve", "Executive"),
    ("admin", Role.ADMIN, "Leadership", "Ada", "Admin"),
)
# The CRM integration of the README's "Sync your CRM": a service account (no password;
# it only uses API tokens) with the marketing manager's role, so it may sync leads,
# report the CRM's moves and subscribe webhooks.
DEMO_SERVICE_ACCOUNT = ("crm", Role.MARKETING_MANAGER, "Marketing", "CRM", "Sync")


def seed(*, seed: int, leads: int, out) -> None:
    """Create the demo teams and users; existing ones are left as they are."""
    teams = {}
    for name, kind in DEMO_TEAMS:
        teams[name], _created = Team.objects.get_or_create(name=name, defaults={"kind": kind})
    created = 0
    for username, role, team_name, first_name, last_name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        services.user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            team=teams[team_name],
            email=f"{username}@smarketing.example",
            first_name=first_name,
            last_name=last_name,
        )
        created += 1
    username, role, team_name, first_name, last_name = DEMO_SERVICE_ACCOUNT
    if not User.objects.filter(username=username).exists():
        services.user_create(
            username=username,
            password=None,
            role=role,
            team=teams[team_name],
            first_name=first_name,
            last_name=last_name,
            is_service_account=True,
        )
    out.write(f"Demo users: {created} created, {len(DEMO_USERS) - created} already there.")
