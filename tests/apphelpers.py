"""Test helpers: build the app on a migrated database, create tenants with API keys."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path

from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient

from app import admin
from app.config import Settings
from app.domain import bitstring, eddsa_rdfc_2022, status_list
from app.domain.did_key import did_key_for, verification_method_id
from app.domain.keys import Ed25519Signer, private_key_from_seed, public_key_multibase
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


def did_of(client: TestClient, slug: str) -> str:
    """The DID an institution issues as."""
    from app.storage import institutions

    with client.app.state.session_factory() as session:
        return institutions.by_slug(session, slug).did


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


def issue_vc(client: TestClient, key: str, credential: dict):
    """POST /credentials/issue of an unsigned VC, its issuer set to the DID of the institution that ``key``
    belongs to (the VC API issuer requires the issuer, and it must be the institution's own)."""
    from app.storage import api_keys

    with client.app.state.session_factory() as session:
        did = api_keys.authenticate(session, key).institution.did
    return client.post("/credentials/issue", json={"credential": {**credential, "issuer": did}}, headers=auth(key))


def pdf_pages(pdf: bytes, scale: float = 3.0) -> list[tuple[str, object]]:
    """Each page of a PDF as (its text, its picture): rendered by PDFium, the text as a PDF reader extracts it."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [(page.get_textpage().get_text_range(), page.render(scale=scale).to_pil()) for page in doc]
    finally:
        doc.close()
