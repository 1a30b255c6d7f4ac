"""KPI definitions and targets: owners from both teams, units, periods, permissions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpis import services
from kpis.models import KpiDefinition, KpiTarget


def test_a_shared_kpi_needs_an_owner_from_marketing_and_from_sales(
    executive, marketing_manager, sales_manager
):
    with pytest.raises(ValidationError) as error:
        services.kpi_definition_create(
            actor=executive,
            name="Revenue",
            measure="revenue",
            period="month",
            owners=[marketing_manager, executive],
        )

    assert list(error.value.message_dict) == ["owners"]
    assert "sales" in error.value.message_dict["owners"][0]
    assert KpiDefinition.objects.exists() is False

    kpi = services.kpi_definition_create(
        actor=executive,
        name="Revenue",
        measure="revenue",
        period="month",
        owners=[marketing_manager, sales_manager],
    )
    assert kpi.unit == "currency"
    assert set(kpi.owners.all()) == {marketing_manager, sales_manager}


def test_a_team_kpi_may_have_owners_from_one_side(executive, sales_manager):
    kpi = services.kpi_definition_create(
        actor=executive,
        name="Speed to lead",
        measure="speed_to_decision",
        period="week",
        owners=[sales_manager],
        is_shared=False,
    )

    assert kpi.unit == "hours"


def test_the_unit_must_fit_the_measure_and_filters_must_be_known(
    executive, marketing_manager, sales_manager
):
    owners = [marketing_manager, sales_manager]
    with pytest.raises(ValidationError) as error:
        services.kpi_definition_create(
            actor=executive,
            name="X",
            measure="revenue",
            period="month",
            owners=owners,
            unit="hours",
        )
    assert list(error.value.message_dict) == ["unit"]

    with pytest.raises(ValidationError) as error:
        services.kpi_definition_create(
            actor=executive,
            name="Y",
            measure="revenue",
            period="month",
            owners=owners,
            filters={"colour": "blue"},
        )
    assert list(error.value.message_dict) == ["filters"]


def test_sellers_do_not_define_kpis(seller, marketing_manager, sales_manager):
    with pytest.raises(PermissionDenied):
        services.kpi_definition_create(
            actor=seller,
            name="Mine",
            measure="revenue",
            period="month",
            owners=[marketing_manager, sales_manager],
        )


def test_targets_are_set_once_per_period_and_start_on_a_period_start(
    executive, marketing_manager, sales_manager, seller
):
    kpi = services.kpi_definition_create(
        actor=executive,
        name="New customers",
        measure="new_customers",
        period="quarter",
        owners=[marketing_manager, sales_manager],
    )

    services.kpi_target_set(
        actor=marketing_manager, kpi=kpi, period_start=dt.date(2026, 4, 1), value=10
    )
    services.kpi_target_set(
        actor=sales_manager, kpi=kpi, period_start=dt.date(2026, 4, 1), value=12
    )

    assert list(KpiTarget.objects.values_list("period_start", "value")) == [
        (dt.date(2026, 4, 1), 12)
    ]
    with pytest.raises(ValidationError) as error:
        services.kpi_target_set(actor=executive, kpi=kpi, period_start=dt.date(2026, 5, 1), value=3)
    assert list(error.value.message_dict) == ["period_start"]
    with pytest.raises(ValidationError):
        services.kpi_target_set(
            actor=executive, kpi=kpi, period_start=dt.date(2026, 4, 1), value=-1
        )
    with pytest.raises(PermissionDenied):
        services.kpi_target_set(actor=seller, kpi=kpi, period_start=dt.date(2026, 4, 1), value=1)
