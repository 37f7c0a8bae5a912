"""Binding a proof's key to the issuer (or holder) it names: DID resolution once per verification.

VC Data Integrity 1.0, section 4.5 (the verification method must be authorised for the proof purpose by its
controller); did:key (pure) and did:web (resolved by the caller's ``resolve_did``).
"""

from __future__ import annotations

from typing import Any, Callable

from app.domain import did_key, did_web
from app.domain.jsonld import as_list
from app.domain.verification.results import FAILED, OK, UNKNOWN, Check
from app.errors import InvalidInput, McredError, UpstreamUnavailable

ResolveDid = Callable[[str], "dict | None"]


def did_of(did_url: str) -> str:
    return did_url.split("#", 1)[0]


def is_did(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("did:")


class DidCache:
    """Resolves each DID once per verification (the proof, the issuer and the status list share the answer)."""

    def __init__(self, resolve_did: ResolveDid):
        self._resolve = resolve_did
        self._docs: dict[str, Any] = {}

    def document(self, did: str) -> dict | None:
        if did not in self._docs:
            if did.startswith("did:key:"):
                self._docs[did] = did_key.did_document(did)  # pure: the DID is its key
            else:
                try:
                    self._docs[did] = self._resolve(did)
                except McredError as exc:  # remember refusals too, so they are reported consistently
                    self._docs[did] = exc
        doc = self._docs[did]
        if isinstance(doc, McredError):
            raise doc
        return doc

    def looked_up(self, did: str) -> bool:
        return did in self._docs or did.startswith("did:key:")

    def resolver_for(self, issuer: str | None) -> Callable[[str], dict | None]:
        """Verification methods a proof may name: did:key (offline), or a did:web key of the issuer itself.

        A proof naming a did:web key of someone other than the issuer is not looked up at all: the verifier does
        not fetch documents a forged credential points it at.
        """

        def resolve(vm_id: str) -> dict | None:
            if not isinstance(vm_id, str) or not vm_id.startswith(("did:key:", "did:web:")):
                return None
            if vm_id.startswith("did:web:") and did_of(vm_id) != issuer:
                raise InvalidInput(f"{vm_id} is not a key of the issuer, so it is not looked up.")
            doc = self.document(did_of(vm_id))
            return did_web.verification_method_from(doc, vm_id) if isinstance(doc, dict) else None

        return resolve


def check_issuer_key(issuer: str | None, proofs: list, dids: DidCache, purpose: str = "assertionMethod") -> Check:
    """A DID issuer resolves and lists the key of a verified proof under ``purpose``; a non-DID issuer is
    reported as unbound (the key cannot be tied to it)."""
    if not issuer:
        return Check("issuer", FAILED, "issuer-missing")
    if not is_did(issuer):
        return Check("issuer", OK, "issuer-unbound", f"The issuer {issuer!r} is not a DID.",
                     data={"issuer": issuer, "bound": False})
    if not (issuer.startswith("did:key:") or issuer.startswith("did:web:")):
        return Check("issuer", FAILED, "unsupported-did-method", f"The issuer {issuer!r} is not a did:key or did:web.")
    keys = [r.verification_method for r in proofs if isinstance(r.verification_method, str)]
    if not dids.looked_up(issuer):  # never fetched for a proof that failed before its key was looked up
        return Check("issuer", UNKNOWN, "not-checked", "No proof got as far as looking up the issuer's key.")
    try:
        doc = dids.document(issuer)
    except UpstreamUnavailable as exc:
        return Check("issuer", UNKNOWN, "did-unavailable", exc.detail)
    except McredError as exc:
        return Check("issuer", FAILED, "did-invalid", exc.detail)
    if not isinstance(doc, dict):
        return Check("issuer", FAILED, "did-not-found", f"No DID document for {issuer}.")
    if doc.get("id") != issuer:
        return Check("issuer", FAILED, "did-document-mismatch", f"The DID document of {issuer} names another DID.")
    allowed = set()
    for ref in as_list(doc.get(purpose)):
        ref_id = ref.get("id") if isinstance(ref, dict) else ref
        if isinstance(ref_id, str):
            allowed.add(issuer + ref_id if ref_id.startswith("#") else ref_id)
    for vm_id in keys:
        if did_of(vm_id) == issuer and did_web.verification_method_from(doc, vm_id) is not None \
                and vm_id in allowed:
            return Check("issuer", OK, "issuer-key-valid", data={"issuer": issuer, "bound": True})
    if any(did_of(k) == issuer and did_web.verification_method_from(doc, k) is not None for k in keys):
        return Check("issuer", FAILED, "key-not-authorized", f"No proof key is listed under {purpose}.")
    return Check("issuer", FAILED, "key-not-issuers", f"No proof was made with a key of {issuer}.")
