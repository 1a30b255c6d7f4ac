"""Meeting fixtures: the feedback a brief counts is given as sellers give it."""

from tests.feedback.conftest import give  # noqa: F401 - the fixture, shared
