"""The domain events Smarketing records: a closed, documented set.

Pure data. Every event a service records is named here with the kind of object it
concerns and the API scope area that may read it in the changes feed. Names use the words
of DOMAIN.md: ``<object>.<what happened>`` in the past tense. docs/ARCHITECTURE.md lists
each event's payload, who records it and who subscribes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    name: str
    object_kind: str
    # The API scope area (``<area>:read``) a token needs to read it in the changes feed.
    area: str
    description: str


LEAD_CREATED = "lead.created"
LEAD_UPDATED = "lead.updated"
LEAD_STAGE_CHANGED = "lead.stage_changed"
LEAD_HANDED_OVER = "lead.handed_over"
LEAD_REASSIGNED = "lead.reassigned"
TOUCH_CREATED = "touch.created"
LEAD_IMPORT_REQUESTED = "lead_import.requested"
BREACH_CREATED = "breach.created"
BREACH_ACKNOWLEDGED = "breach.acknowledged"
SLA_VERSION_DRAFTED = "sla.version_drafted"
SLA_VERSION_SIGNED = "sla.version_signed"
SLA_VERSION_ACTIVATED = "sla.version_activated"
SLA_VERSION_ENDED = "sla.version_ended"
FEEDBACK_CREATED = "feedback.created"
FEEDBACK_ANSWERED = "feedback.answered"
FEEDBACK_COMMENTED = "feedback.commented"
CAMPAIGN_CREATED = "campaign.created"
CAMPAIGN_UPDATED = "campaign.updated"
CAMPAIGN_DELETED = "campaign.deleted"

EVENT_TYPES: dict[str, EventType] = {
    event_type.name: event_type
    for event_type in (
        EventType(LEAD_CREATED, "lead", "leads", "A lead was created (by a person or a sync)."),
        EventType(LEAD_UPDATED, "lead", "leads", "A lead's record changed (not its stage)."),
        EventType(LEAD_STAGE_CHANGED, "lead", "leads", "A lifecycle move: qualify, accept…"),
        EventType(
            LEAD_HANDED_OVER, "lead", "leads", "A lead reached MQL and has an owner in sales."
        ),
        EventType(LEAD_REASSIGNED, "lead", "leads", "A handed-over lead got another owner."),
        EventType(TOUCH_CREATED, "lead", "leads", "A lead was touched: by a campaign or a seller."),
        EventType(
            LEAD_IMPORT_REQUESTED, "lead_import", "leads", "A CSV of leads waits to be imported."
        ),
        EventType(BREACH_CREATED, "breach", "sla", "An SLA commitment was missed."),
        EventType(BREACH_ACKNOWLEDGED, "breach", "sla", "A breach was acknowledged."),
        EventType(SLA_VERSION_DRAFTED, "sla_version", "sla", "A new SLA version was drafted."),
        EventType(SLA_VERSION_SIGNED, "sla_version", "sla", "A party signed an SLA version."),
        EventType(SLA_VERSION_ACTIVATED, "sla_version", "sla", "An SLA version is in force."),
        EventType(
            SLA_VERSION_ENDED,
            "sla_version",
            "sla",
            "A version was superseded, withdrawn or expired.",
        ),
        EventType(FEEDBACK_CREATED, "feedback", "feedback", "Sales gave feedback to marketing."),
        EventType(FEEDBACK_ANSWERED, "feedback", "feedback", "Marketing answered feedback."),
        EventType(
            FEEDBACK_COMMENTED, "feedback", "feedback", "Someone wrote in a feedback thread."
        ),
        EventType(CAMPAIGN_CREATED, "campaign", "campaigns", "A campaign was planned."),
        EventType(
            CAMPAIGN_UPDATED, "campaign", "campaigns", "A campaign's plan, status or spend changed."
        ),
        EventType(
            CAMPAIGN_DELETED, "campaign", "campaigns", "A campaign planned by mistake was deleted."
        ),
    )
}


def event_type(name: str) -> EventType:
    """The catalogue entry for ``name``; a name outside the catalogue is a programming error."""
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise LookupError(f"“{name}” is not a domain event; add it to events/catalog.py.") from None
