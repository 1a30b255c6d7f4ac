from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts import services
from accounts.models import Team, User
from accounts.roles import ROLE_GROUP_NAME, Role


def test_every_role_has_its_group_after_migrating(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUP_NAME.values())


def test_role_groups_carry_their_permissions(db):
    admin_group = Group.objects.get(name=ROLE_GROUP_NAME[Role.ADMIN])
    seller_group = Group.objects.get(name=ROLE_GROUP_NAME[Role.SELLER])

    assert admin_group.permissions.filter(codename="add_apitoken").exists()
    assert seller_group.permissions.filter(codename="view_team").exists()
    assert not seller_group.permissions.filter(codename="change_user").exists()


def test_changing_a_role_moves_the_user_to_exactly_that_group(seller):
    sales = seller.team
    manager_group = ROLE_GROUP_NAME[Role.SALES_MANAGER]

    services.user_set_role(user=seller, role=Role.SALES_MANAGER, team=sales)

    assert list(seller.groups.values_list("name", flat=True)) == [manager_group]
    assert User.objects.get(pk=seller.pk).is_manager is True


def test_a_seller_cannot_sit_in_a_marketing_team(db):
    marketing = Team.objects.create(name="Marketing", kind="marketing")

    with pytest.raises(ValidationError) as error:
        services.user_create(username="s", password="x-long-pass", role=Role.SELLER, team=marketing)

    assert "team" in error.value.message_dict
    assert not User.objects.filter(username="s").exists()


def test_seed_demo_creates_one_login_per_role_and_is_idempotent(db, client):
    call_command("seed_demo", leads=0, stdout=StringIO())
    call_command("seed_demo", leads=0, stdout=StringIO())

    usernames = set(User.objects.values_list("username", flat=True))
    assert usernames == {
        "marketer",
        "marketing_manager",
        "seller",
        "seller2",
        "sales_manager",
        "executive",
        "admin",
        "crm",  # the CRM integration's service account (README, "Sync your CRM")
    }
    crm = User.objects.get(username="crm")
    assert crm.is_service_account
    assert not crm.has_usable_password()
    assert User.objects.get(username="seller2").team == User.objects.get(username="seller").team
    for username in usernames - {"crm"}:  # a service account only uses API tokens
        assert client.login(username=username, password="demo1234"), username
        client.logout()


@pytest.mark.parametrize(
    ("role", "hidden"),
    [(Role.MARKETER, "My inbox"), (Role.SELLER, "Rejected"), (Role.EXECUTIVE, "My inbox")],
)
def test_home_page_shows_each_role_its_work(session_client_for, role, hidden):
    from tests.factories import UserFactory

    user = UserFactory(role=role)
    response = session_client_for(user).get("/")

    assert response.status_code == 200
    assert user.get_role_display() in response.text
    labels = [entry["label"] for entry in response.context["nav_entries"]]
    assert "Home" in labels
    assert hidden not in labels


def test_login_page_logs_in_and_logout_logs_out(seller, client):
    response = client.post("/login/", {"username": "seller", "password": "test-pass-1234"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200

    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_shows_a_form_error(seller, client):
    response = client.post("/login/", {"username": "seller", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_pages_require_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
