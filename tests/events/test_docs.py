"""docs/ARCHITECTURE.md documents every domain event and every subscriber."""

from pathlib import Path

from events.catalog import EVENT_TYPES

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


def test_every_event_of_the_catalogue_has_a_row_in_the_architecture_page():
    text = ARCHITECTURE.read_text()
    missing = [name for name in EVENT_TYPES if f"| `{name}` |" not in text]
    assert missing == []
