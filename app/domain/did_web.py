"""did:web (W3C CCG "did:web Method Specification", sections 3.2 Create and 3.3 Read) and the DID documents
this service publishes for its institutions.

An institution's DID is ``did:web:<host>[%3A<port>]:institutions:<slug>``, its document is served at
``<origin>/institutions/<slug>/did.json``. Retired keys stay in the document (they no longer sign, but they still
verify what they signed), so key rotation never invalidates credentials already issued.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from app.errors import InvalidInput

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_for_path(origin: str, *path: str) -> str:
    parts = urlsplit(origin)
    if not parts.hostname:
        raise InvalidInput(f"Cannot derive a did:web from {origin!r}: it has no host.")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    # The port's colon is percent-encoded; path segments are joined with ':' (spec 3.2).
    return "did:web:" + ":".join([quote(host, safe=""), *(quote(p, safe="") for p in path)])


def did_to_url(did: str, *, scheme: str = "https") -> str:
    """The https URL of a did:web document (section 3.3 Read): path segments or /.well-known/did.json."""
    if not did.startswith("did:web:"):
        raise InvalidInput(f"{did!r} is not a did:web DID.")
    segments = did.split("#", 1)[0][len("did:web:"):].split(":")
    host = unquote(segments[0])
    if not host or "/" in host or "@" in host:
        raise InvalidInput(f"{did!r} does not name a valid host.")
    path = "/".join(unquote(s) for s in segments[1:])
    return f"{scheme}://{host}/{path}/did.json" if path else f"{scheme}://{host}/.well-known/did.json"


def did_document(did: str, keys: list[dict]) -> dict:
    """``keys``: [{"id": vm id, "publicKeyMultibase": ..., "active": bool}] oldest first."""
    methods = [{"id": k["id"], "type": "Multikey", "controller": did, "publicKeyMultibase": k["publicKeyMultibase"]}
               for k in keys]
    doc = {
        "@context": DID_CONTEXT,
        "id": did,
        "verificationMethod": methods,
        # Every key, retired ones too, may have asserted credentials in its time: keep them all verifiable.
        "assertionMethod": [k["id"] for k in keys],
        # Only the current key authenticates as the institution today.
        "authentication": [k["id"] for k in keys if k.get("active")],
    }
    return doc


def verification_method_from(doc: dict, vm_id: str) -> dict | None:
    """Find a verification method (full id or ``#fragment`` form) in a DID document."""
    did = doc.get("id", "")
    for method in doc.get("verificationMethod", []) or []:
        if not isinstance(method, dict):
            continue
        mid = method.get("id", "")
        if mid == vm_id or (mid.startswith("#") and did + mid == vm_id):
            return {**method, "id": vm_id}
    return None
