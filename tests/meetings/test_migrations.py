"""The weekly brief moved from feedback to meetings: rows and permissions come along.

Runs the real migrations backwards to before the move, writes a brief the old way, and
forwards again, on whichever database the suite runs on (PostgreSQL and SQLite).
"""

from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.roles import ROLE_GROUP_NAME, Role, grant_role_permissions
from meetings.models import WeeklyBrief
from tests.factories import UserFactory

BEFORE_THE_MOVE = [("feedback", "0002_role_permissions"), ("meetings", None)]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_briefs_and_their_permissions_survive_the_move():
    _migrate(BEFORE_THE_MOVE)
    try:
        assert "feedback_weeklybrief" in connection.introspection.table_names()
        old_apps = MigrationExecutor(connection).loader.project_state(BEFORE_THE_MOVE[0]).apps
        grant_role_permissions(old_apps, "feedback", {Role.SELLER: {"weeklybrief": ("view",)}})
        OldBrief = old_apps.get_model("feedback", "WeeklyBrief")
        old = OldBrief.objects.create(
            week_start=date(2026, 11, 9), content={"funnel": []}, rendered="The brief."
        )
        reader = UserFactory(username="reader", role=Role.EXECUTIVE)
        reader.user_permissions.add(
            Permission.objects.get(content_type__app_label="feedback", codename="view_weeklybrief")
        )
    finally:
        _migrate(_latest())

    tables = connection.introspection.table_names()
    assert "meetings_weeklybrief" in tables
    assert "feedback_weeklybrief" not in tables
    brief = WeeklyBrief.objects.get()
    assert (brief.pk, brief.week_start, brief.content, brief.rendered) == (
        old.pk,
        date(2026, 11, 9),
        {"funnel": []},
        "The brief.",
    )
    # The id sequence came along with the table: new rows get fresh ids.
    assert WeeklyBrief.objects.create(week_start=date(2026, 11, 16)).pk > old.pk

    assert not ContentType.objects.filter(app_label="feedback", model="weeklybrief").exists()
    seller_group = Group.objects.get(name=ROLE_GROUP_NAME[Role.SELLER])
    assert seller_group.permissions.filter(
        content_type__app_label="meetings", codename="view_weeklybrief"
    ).exists()
    manager_group = Group.objects.get(name=ROLE_GROUP_NAME[Role.SALES_MANAGER])
    assert set(
        manager_group.permissions.filter(content_type__app_label="meetings").values_list(
            "codename", flat=True
        )
    ) == {"view_weeklybrief", "add_weeklybrief", "change_weeklybrief"}
    reader = type(reader).objects.get(pk=reader.pk)
    assert reader.has_perm("meetings.view_weeklybrief")
