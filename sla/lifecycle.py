"""Which moves an SLA version may make: pure data, read next to DOMAIN.md §3.

draft → awaiting signatures (first signature) → active (last required signature)
→ superseded (a newer version of the same scope became active) or expired (its
validity ended). A draft may also be abandoned (superseded by the draft that replaced it).
"""

from sla.models import VersionStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    VersionStatus.DRAFT: frozenset(
        {VersionStatus.AWAITING_SIGNATURES, VersionStatus.ACTIVE, VersionStatus.SUPERSEDED}
    ),
    VersionStatus.AWAITING_SIGNATURES: frozenset({VersionStatus.ACTIVE, VersionStatus.SUPERSEDED}),
    VersionStatus.ACTIVE: frozenset({VersionStatus.SUPERSEDED, VersionStatus.EXPIRED}),
    VersionStatus.SUPERSEDED: frozenset(),
    VersionStatus.EXPIRED: frozenset(),
}

# Versions whose terms can still be edited in place (nobody has signed yet).
EDITABLE = frozenset({VersionStatus.DRAFT})
# Versions that can still be signed.
SIGNABLE = frozenset({VersionStatus.DRAFT, VersionStatus.AWAITING_SIGNATURES})


def can_move(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())
