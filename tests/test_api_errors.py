"""The API's error format: 400 with field messages, 409 for "not now", never a 500."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from smarketing.api import exception_handler
from smarketing.errors import Conflict, NotAllowed


def test_django_validation_errors_become_400_with_field_messages():
    error = ValidationError({"email": ["Enter a valid email address."], "__all__": ["Both."]})

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {
        "email": ["Enter a valid email address."],
        "non_field_errors": ["Both."],
    }


def test_a_plain_validation_error_is_a_non_field_error():
    response = exception_handler(ValidationError("Nope."), {})

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Nope."]}


def test_conflict_becomes_409():
    response = exception_handler(Conflict("Someone else changed this lead."), {})

    assert response.status_code == 409
    assert response.data == {"detail": "Someone else changed this lead.", "code": "conflict"}


def test_not_allowed_becomes_400_with_its_message():
    response = exception_handler(NotAllowed("A SAL cannot be accepted."), {})

    assert response.status_code == 400
    assert response.data["code"] == "not_allowed"


def test_an_integrity_error_is_a_409_not_a_500():
    response = exception_handler(IntegrityError("duplicate key"), {})

    assert response.status_code == 409


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert b"bearerAuth" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200
