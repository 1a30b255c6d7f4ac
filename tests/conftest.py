"""Personas (one per role) and API clients that authenticate like integrations do."""

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ApiTokenScope
from accounts.roles import Role
from tests.factories import UserFactory

ALL_SCOPES = ApiTokenScope.values


@pytest.fixture
def marketer(db):
    return UserFactory(username="marketer", role=Role.MARKETER)


@pytest.fixture
def marketing_manager(db):
    return UserFactory(username="marketing_manager", role=Role.MARKETING_MANAGER)


@pytest.fixture
def seller(db):
    return UserFactory(username="seller", role=Role.SELLER)


@pytest.fixture
def other_seller(db):
    return UserFactory(username="seller2", role=Role.SELLER)


@pytest.fixture
def sales_manager(db):
    return UserFactory(username="sales_manager", role=Role.SALES_MANAGER)


@pytest.fixture
def executive(db):
    return UserFactory(username="executive", role=Role.EXECUTIVE)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def api_client_for(db):
    """``api_client_for(user, scopes=[...])``: a client sending a real bearer token."""

    def make(user, scopes=ALL_SCOPES, expires_days=None):
        _token, raw_token = account_services.api_token_create(
            user=user, name="test", scopes=scopes, expires_days=expires_days
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
        return client

    return make


@pytest.fixture
def session_client_for(db):
    """``session_client_for(user)``: a browser-like client, logged in."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """Give transactional tests the rows that data migrations make (reason codes).

    A transactional test ends by flushing its database, so the next one on that worker
    starts without them; ordinary tests roll back and keep them.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from leads.models import ReasonCode

    seeded = importlib.import_module("leads.migrations.0002_reason_codes_and_role_permissions")
    for position, (code, label) in enumerate(seeded.REASON_CODES):
        ReasonCode.objects.get_or_create(code=code, defaults={"label": label, "position": position})


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    """Cached dashboard panels never leak from one test's data into the next."""
    from kpis.cache import bump_dashboards_generation

    bump_dashboards_generation()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections_when_the_test_database_is_dropped(django_db_setup, django_db_blocker):
    """End connections that threads of concurrency and browser tests may leave behind.

    PostgreSQL refuses to drop a database someone is connected to, and a connection of a
    finished thread can linger until garbage collection. This teardown runs just before
    pytest-django drops the test database.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
