"""Bitstring Status List v1.0: the entries credentials carry (section 2.1 "BitstringStatusListEntry") and the
status list credentials that publish them (section 2.2 "BitstringStatusListCredential").
"""

from __future__ import annotations

from datetime import datetime

from app.domain import bitstring
from app.domain.jsonld import as_list
from app.domain.timefmt import to_xsd

STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
PURPOSES = ("revocation", "suspension")


def entry(list_url: str, index: int, purpose: str) -> dict:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        # statusListIndex is a string holding an integer (section 2.1).
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(list_url: str, issuer: str, purpose: str, bits: bytes, *, valid_from: datetime,
                    valid_until: datetime, ttl_ms: int) -> dict:
    """The unsigned status list credential (VC 2.0, whose base context defines the status list terms)."""
    return {
        "@context": [VC2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": to_xsd(valid_from),
        "validUntil": to_xsd(valid_until),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "ttl": ttl_ms,
            "encodedList": bitstring.encode(bits),
        },
    }


def add_status_context(credential: dict) -> dict:
    """ELM credentials sit on the VC 1.1 context, which lacks the status list terms: add their context."""
    ctx = as_list(credential.get("@context"))
    if VC2_CONTEXT not in ctx and STATUS_CONTEXT not in ctx:
        return {**credential, "@context": [*ctx, STATUS_CONTEXT]}
    return credential
