"""Feedback fixtures: items given through the service, as sellers give them."""

import pytest

from feedback import services


@pytest.fixture
def give(db):
    """``give(author, **fields)``: feedback given through feedback_create."""

    def make(author, **fields):
        fields.setdefault("kind", "objection")
        fields.setdefault("text", "Prospect says the price is too high.")
        return services.feedback_create(author=author, **fields)

    return make


@pytest.fixture
def item(give, seller):
    return give(seller, tags=["pricing"])
