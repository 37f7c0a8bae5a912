"""Test helpers (plain functions; the fixtures are in conftest.py): build the app on a migrated database, create
tenants with API keys, issue, and the keys, proofs and JSON-LD checks only the tests need."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path

from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app import admin
from app.config import Settings
from app.domain import bitstring, did_key, eddsa_rdfc_2022, jsonld, multibase, proof_checks, proof_result, rdfc
from app.domain import status_list
from app.domain.did_key import did_key_for
from app.domain.did_web import verification_method_from
from app.domain.jsonld import DEFAULT_LIMITS, DocumentLoader, Limits, as_list
from app.domain.keys import Ed25519Signer, public_key_multibase
from app.domain.microcredential import EXAMPLE
from app.domain.multibase import KeyFormatError
from app.domain.proof_checks import Cryptosuite, Resolver
from app.domain.proof_result import ProofResult
from app.errors import InvalidInput, JsonLdRefused
from app.main import create_app

ORIGIN = "http://127.0.0.1:8765"


def make_client(database_url: str, keys_dir: Path, **overrides) -> TestClient:
    settings = replace(Settings(), database_url=database_url, keys_dir=keys_dir, public_url=ORIGIN, **overrides)
    return TestClient(create_app(settings), base_url=ORIGIN, raise_server_exceptions=False)


def new_tenant(client: TestClient, *, did_method: str = "web", **kwargs) -> tuple[str, str]:
    """A fresh institution with an API key: returns (slug, api_key)."""
    services = client.app.state.services
    slug = f"inst-{secrets.token_hex(4)}"
    kwargs.setdefault("registration", "90000076669")  # an ELM issuer needs its legal (eIDAS) identifier
    with client.app.state.session_factory() as session:
        inst = admin.create_institution(session, services, slug=slug, country="LVA", did_method=did_method,
                                        legal_name={"lv": f"Iestāde {slug}", "en": f"Institution {slug}"},
                                        homepage="https://example.lv", **kwargs)
        key = admin.create_api_key(session, services, inst, "tests")
        session.commit()
    return slug, key


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def resolver(client):
    """Resolve this service's did:web verification methods through its own HTTP endpoint."""

    def resolve(vm_id: str):
        did = vm_id.split("#")[0]
        path = "/" + "/".join(did.split(":")[3:]) + "/did.json"
        response = client.get(path)
        return verification_method_from(response.json(), vm_id) if response.status_code == 200 else None

    return resolve


def assert_problem(response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if slug:
        assert body["type"].endswith("/" + slug), body["type"]
    return body


def count(client, key) -> int:
    return client.get("/credentials?limit=1000", headers=auth(key)).json()["count"]


def did_of(client: TestClient, slug: str) -> str:
    """The DID an institution issues as."""
    from app.storage import institutions

    with client.app.state.session_factory() as session:
        return institutions.by_slug(session, slug).did


# --- keys, proofs and JSON-LD checks only the tests need (the service itself never does these) ------------------


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """The Ed25519 private key whose 32-byte seed (RFC 8032 "private key") is ``seed``."""
    if not isinstance(seed, (bytes, bytearray)) or len(seed) != 32:
        raise KeyFormatError("An Ed25519 private key seed is 32 bytes.")
    return Ed25519PrivateKey.from_private_bytes(bytes(seed))


def encode_multikey_private(raw32: bytes) -> str:
    """Ed25519 private key seed -> Multikey ``secretKeyMultibase`` ("z3u2...")."""
    multibase._check_raw(raw32, "private key seed")
    return multibase.multibase_encode(multibase.ED25519_PRIV_HEADER + bytes(raw32), "z")


def decode_multikey_private(text: str) -> bytes:
    """Multikey ``secretKeyMultibase`` -> the 32-byte Ed25519 private key seed."""
    return multibase._decode_multikey(text, multibase.ED25519_PRIV_HEADER, "private key")


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    """A Multikey ``secretKeyMultibase`` ("z3u2...") -> private key."""
    return private_key_from_seed(decode_multikey_private(text))


def private_key_multibase(private_key: Ed25519PrivateKey) -> str:
    seed = private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())
    return encode_multikey_private(seed)


def verification_method_id(did: str) -> str:
    """The DID URL of a did:key's single verification method: ``did:key:z...#z...``."""
    return f"{did}#{did_key._key_of(did)}"


def verify_proof(signed: dict, suite: Cryptosuite = eddsa_rdfc_2022.SUITE, *, loader: DocumentLoader,
                 resolve_verification_method: Resolver, limits: Limits = DEFAULT_LIMITS, now: datetime | None = None,
                 expected_proof_purpose: str | None = "assertionMethod") -> ProofResult:
    """Verify a document that carries one proof of ``suite`` (eddsa-rdfc-2022 unless named; VC Data Integrity 1.0,
    section 4.5): ``resolve_verification_method(id)`` returns the verification method dict or None; with ``now``,
    a proof ``created`` more than 5 minutes after it, or ``expires`` before it, fails."""
    deadline = limits.deadline()
    document = proof_checks.take_apart(signed, loader, deadline=deadline, limits=limits)
    if not document.proofs:
        return ProofResult.fail(proof_result.PROOF_MISSING, "The document has no proof.")
    if len(document.proofs) > 1:
        return ProofResult.fail(proof_result.PROOF_MALFORMED,
                                "The document carries several proofs; verify them as a set.")
    [result] = proof_checks.verify_all(document, [suite], loader=loader,
                                       resolve_verification_method=resolve_verification_method,
                                       expect=proof_checks.ProofCheck(purpose=expected_proof_purpose, now=now),
                                       deadline=deadline, limits=limits)
    return result


def add_proof(secured: dict, signer: Ed25519Signer, *, loader: DocumentLoader, created: str,
              previous_proof: str | list[str] | None = None, proof_id: str | None = None,
              proof_purpose: str = "assertionMethod", limits: Limits = DEFAULT_LIMITS) -> dict:
    """VC Data Integrity 1.0, section 4.3 "Add Proof Set/Chain": a new eddsa-rdfc-2022 proof beside the document's
    proofs (a set), or, with ``previous_proof``, over the document together with the proofs it names (a chain)."""
    existing = as_list(secured.get("proof"))
    document = eddsa_rdfc_2022.with_suite_context({k: v for k, v in secured.items() if k != "proof"})
    signed_input = document
    if previous_proof is not None:
        wanted = as_list(previous_proof)
        matching = [p for p in existing if isinstance(p, dict) and p.get("id") in wanted]
        if len(matching) != len(wanted):
            raise InvalidInput("previous_proof names a proof the document does not carry.")
        signed_input = {**document, "proof": matching[0] if len(matching) == 1 else matching}
    extra = {k: v for k, v in (("id", proof_id), ("previousProof", previous_proof)) if v is not None}
    options = {"type": eddsa_rdfc_2022.PROOF_TYPE, "cryptosuite": eddsa_rdfc_2022.CRYPTOSUITE, "created": created,
               "verificationMethod": signer.verification_method, "proofPurpose": proof_purpose, **extra}
    proof = {**options, "proofValue": proof_checks.sign(signed_input, options, eddsa_rdfc_2022.SUITE, signer,
                                                        loader=loader, limits=limits)}
    return {**document, "proof": [*existing, proof]}


def find_undefined_terms(doc: dict, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Terms and IRIs in ``doc`` that JSON-LD would silently drop (empty when there are none)."""
    try:
        ensure_no_dropped_terms(doc, loader, limits)
    except JsonLdRefused as exc:
        if exc.slug == "undefined-terms":
            return list(exc.extra.get("terms") or [exc.detail])
        raise
    return []


def ensure_no_dropped_terms(doc: dict, loader: DocumentLoader, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a document in which JSON-LD processing would drop data."""
    rdfc.to_dataset(jsonld.expand(doc, loader, limits=limits), deadline=limits.deadline(), limits=limits)


# --- other issuers: did:key A and B, and a did:web issuer on another host (its documents served by the `remote`
# fixture of conftest.py) -------------------------------------------------------------------------------------

KEY_A = private_key_from_seed(bytes([1]) * 32)
KEY_B = private_key_from_seed(bytes([2]) * 32)
DID_A = did_key_for(public_key_multibase(KEY_A))
DID_B = did_key_for(public_key_multibase(KEY_B))
SIGNER_A = Ed25519Signer(KEY_A, verification_method_id(DID_A))
SIGNER_B = Ed25519Signer(KEY_B, verification_method_id(DID_B))
NOW = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

OTHER_DID = "did:web:issuer.example:org"
OTHER_VM = OTHER_DID + "#key-1"
OTHER_SIGNER = Ed25519Signer(KEY_B, OTHER_VM)
OTHER_DID_URL = "https://issuer.example/org/did.json"
OTHER_LIST = "https://issuer.example/status/1"


def sign(doc: dict, signer: Ed25519Signer, loader) -> dict:
    return eddsa_rdfc_2022.create_proof(doc, signer, loader=loader, created=NOW)


def signed_status_list(url: str, issuer: str, signer, loader, purpose="revocation", set_bits=()) -> dict:
    bits = bitstring.new_bitstring()
    for index in set_bits:
        bitstring.set_bit(bits, index, True)
    now = datetime.now(timezone.utc)
    unsigned = status_list.list_credential(url, issuer, purpose, bits, valid_from=now - timedelta(minutes=1),
                                           valid_until=now + timedelta(days=1), ttl_ms=300_000)
    return sign(unsigned, signer, loader)


def other_did_document(controller=OTHER_DID) -> dict:
    return {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": controller, "verificationMethod": [
                {"id": "#key-1", "type": "Multikey", "controller": controller,
                 "publicKeyMultibase": public_key_multibase(KEY_B)}],
            "assertionMethod": ["#key-1"]}


def with_status(doc: dict, url=OTHER_LIST, index=42, purpose="revocation") -> dict:
    return {**doc, "credentialStatus": {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
                                        "statusPurpose": purpose, "statusListIndex": str(index),
                                        "statusListCredential": url}}


# --- issuing: every test issues through these ---------------------------------------------------------------------


def issue(client, key: str | None = None, mc: dict | None = None, *, credential: dict | None = None,
          headers: dict | None = None, **body):
    """POST /credentials/issue (the VC API's issuing call): the ready VC ``credential``, else the micro-credential
    ``mc`` (the Annex I input; EXAMPLE when not given), with further members of the request in ``body`` (options,
    ...), authenticated by the API key ``key`` (None: the client's own headers). ``client`` is a TestClient or an
    httpx.Client. Returns the response."""
    request = {"credential": credential} if credential is not None else {"microCredential": EXAMPLE if mc is None
                                                                          else mc}
    return client.post("/credentials/issue", json={**request, **body},
                       headers={**(auth(key) if key else {}), **(headers or {})})


def issue_ok(client, key: str | None = None, mc: dict | None = None, **changes) -> dict:
    """The answer (asserted 201) to issuing the micro-credential ``mc`` (EXAMPLE when not given) with ``changes``."""
    r = issue(client, key, {**(EXAMPLE if mc is None else mc), **changes})
    assert r.status_code == 201, r.text
    return r.json()


def issue_expired(client, key: str) -> dict:
    """Issued on 2024-07-01 (the service's clock set back), valid until 2024-12-31: expired today."""
    services = client.app.state.services
    real = services.clock
    services.clock = lambda: datetime(2024, 7, 1, 9, 0, tzinfo=timezone.utc)
    try:
        return issue_ok(client, key, validUntil="2024-12-31")
    finally:
        services.clock = real


def issue_vc(client: TestClient, key: str, credential: dict):
    """POST /credentials/issue of an unsigned VC, its issuer set to the DID of the institution that ``key``
    belongs to (the VC API issuer requires the issuer, and it must be the institution's own)."""
    from app.storage import api_keys

    with client.app.state.session_factory() as session:
        did = api_keys.authenticate(session, key).institution.did
    return issue(client, key, credential={**credential, "issuer": did})


def pdf_pages(pdf: bytes, scale: float = 3.0) -> list[tuple[str, object]]:
    """Each page of a PDF as (its text, its picture): rendered by PDFium, the text as a PDF reader extracts it."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [(page.get_textpage().get_text_range(), page.render(scale=scale).to_pil()) for page in doc]
    finally:
        doc.close()
