"""The terms of an SLA version as a signature covers them: pure functions, no ORM."""

import hashlib
import json

from sla.models import SLAVersion

# Lead fields an MQL definition may require.
REQUIRABLE_LEAD_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "phone",
    "account",
    "source",
    "segment",
    "region",
)


def terms_canonical_json(version: SLAVersion) -> str:
    """The terms as canonical JSON (sorted keys, no spaces): what a signature covers."""
    return json.dumps(version.terms(), sort_keys=True, separators=(",", ":"))


def terms_fingerprint(version: SLAVersion) -> str:
    """The SHA-256 of the canonical terms: what a signer sees and sends back to sign."""
    return hashlib.sha256(terms_canonical_json(version).encode()).hexdigest()
