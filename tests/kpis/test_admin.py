"""Admin screens for KPIs, and the role permissions the data migration grants."""

from django.contrib.auth.models import Group

from accounts.roles import ROLE_GROUP_NAME, Role
from kpis.models import KpiDefinition


def test_role_groups_hold_the_kpi_permissions(db):
    seller = set(
        Group.objects.get(name=ROLE_GROUP_NAME[Role.SELLER]).permissions.values_list(
            "codename", flat=True
        )
    )
    executive = set(
        Group.objects.get(name=ROLE_GROUP_NAME[Role.EXECUTIVE]).permissions.values_list(
            "codename", flat=True
        )
    )

    assert {"view_kpidefinition", "view_kpitarget"} <= seller
    assert "change_kpidefinition" not in seller
    assert {"add_kpidefinition", "change_kpitarget"} <= executive


def test_admin_refuses_a_shared_kpi_owned_by_one_side(
    admin_user, marketing_manager, sales_manager, session_client_for
):
    client = session_client_for(admin_user)
    assert client.get("/admin/kpis/kpidefinition/add/").status_code == 200
    form = {
        "name": "Revenue",
        "description": "",
        "measure": "revenue",
        "filters": "{}",
        "unit": "currency",
        "period": "month",
        "is_shared": "on",
        "owners": [marketing_manager.pk],
        "position": 0,
        "targets-TOTAL_FORMS": 0,
        "targets-INITIAL_FORMS": 0,
    }

    refused = client.post("/admin/kpis/kpidefinition/add/", form)
    accepted = client.post(
        "/admin/kpis/kpidefinition/add/",
        {**form, "owners": [marketing_manager.pk, sales_manager.pk]},
    )

    assert refused.status_code == 200
    assert "owned by both teams" in refused.content.decode()
    assert accepted.status_code == 302
    assert KpiDefinition.objects.get().owners.count() == 2
