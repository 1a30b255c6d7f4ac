"""SLA fixtures: an agreement between the personas' teams, drafted and signed by services."""

from datetime import date, time

import pytest

from accounts.models import Team
from sla import services, terms
from sla.models import SLAVersion

TERMS = {
    "mql_target": 10,
    "acceptance_rate_target": 60,
    "mql_min_score": 65,
    "mql_required_fields": ["last_name"],
    "decision_hours": 8,
    "first_touch_hours": 4,
    "min_attempts": 3,
    "rejection_comment_required": True,
    "feedback_days": 5,
    "period": "month",
    "time_zone": "Europe/Berlin",
    "working_days": [0, 1, 2, 3, 4],
    "day_start": time(9, 0),
    "day_end": time(17, 0),
    "holidays": ["2026-12-25"],
    "valid_from": date(2026, 1, 1),
    "valid_until": None,
}


@pytest.fixture
def teams(marketing_manager, sales_manager):
    return Team.objects.get(name="Marketing"), Team.objects.get(name="Sales")


@pytest.fixture
def draft(teams, marketing_manager):
    marketing, sales = teams
    return services.sla_create(
        actor=marketing_manager,
        name="Marketing ↔ Sales",
        marketing_team=marketing,
        sales_team=sales,
        **TERMS,
    )


def sign_all(version: SLAVersion, *signers) -> SLAVersion:
    for signer in signers:
        version.refresh_from_db()
        services.version_sign(
            version=version, actor=signer, fingerprint=terms.terms_fingerprint(version)
        )
    version.refresh_from_db()
    return version


@pytest.fixture
def active_version(draft, marketing_manager, sales_manager, executive):
    return sign_all(draft, marketing_manager, sales_manager, executive)
