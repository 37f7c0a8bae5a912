"""Verification work is done once per exact input: a status list once per version, a credential's proof and
issuer once per document and DID document; a new version, another key, an altered document or the end of a
validity is never served from what was verified before."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.domain.verification import Memo, verify_credential
from app.domain.verification import credential as credential_module
from app.domain.verification import status as status_module
from app.errors import NotFound
from tests.apphelpers import (
    OTHER_DID,
    OTHER_LIST,
    OTHER_SIGNER,
    other_did_document,
    sign,
    signed_status_list,
    with_status,
)
from tests.test_signed_statements import base


def test_a_verified_list_is_reused_until_it_changes(loader, monkeypatch):
    lists = {OTHER_LIST: signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader)}
    cache = Memo()
    credential = sign(base(), OTHER_SIGNER, loader)  # index 8 of OTHER_LIST
    verifications = []
    real = status_module.StatusLists._verify
    monkeypatch.setattr(status_module.StatusLists, "_verify",
                        lambda self, *a: verifications.append(1) or real(self, *a))

    def run(now=None):
        return verify_credential(credential, loader=loader, resolve_did=lambda d: other_did_document(),
                                 fetch_status_lists=lambda urls: {u: lists.get(u, NotFound("x")) for u in urls},
                                 now=now or datetime.now(timezone.utc), verified=cache)

    assert run().by_name("status").code == "not-revoked" and len(verifications) == 1
    assert run().by_name("status").code == "not-revoked" and len(verifications) == 1  # reused
    lists[OTHER_LIST] = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader, set_bits=[8])
    assert run().by_name("status").code == "revoked" and len(verifications) == 2  # a new version is verified
    later = datetime.now(timezone.utc) + timedelta(days=2)  # past the list's validUntil: checked again (expired)
    assert run(later).by_name("status").code == "status-list-expired" and len(verifications) == 3


def test_a_forged_list_is_not_cached_as_verified(loader):
    cache = Memo()
    forged = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader, set_bits=[8])
    forged["credentialSubject"]["encodedList"] = signed_status_list(
        OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader)["credentialSubject"]["encodedList"]
    credential = sign(with_status(base(), index=8), OTHER_SIGNER, loader)
    for _ in range(2):
        result = verify_credential(credential, loader=loader, resolve_did=lambda d: other_did_document(),
                                   fetch_status_lists=lambda urls: {u: forged for u in urls},
                                   now=datetime.now(timezone.utc), verified=cache)
        assert result.by_name("status").code == "status-list-invalid"


def test_a_credential_is_read_and_its_proof_checked_once_per_document(loader, monkeypatch):
    memo = Memo()
    credential = sign(base(), OTHER_SIGNER, loader)
    did_document = {"doc": other_did_document()}
    reads = []
    real = credential_module.read
    for module in (credential_module, status_module):  # the credential's reading and its status list's
        monkeypatch.setattr(module, "read", lambda *a, **k: reads.append(1) or real(*a, **k))

    lists = {OTHER_LIST: signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader)}

    def run(doc):
        return verify_credential(doc, loader=loader, resolve_did=lambda d: did_document["doc"],
                                 fetch_status_lists=lambda urls: {u: lists[u] for u in urls},
                                 now=datetime.now(timezone.utc), verified=memo)

    first, again = run(credential), run(credential)
    assert first.to_dict() == again.to_dict() and first.verified
    assert len(reads) == 2  # the credential once, its status list once: the second verification read nothing
    tampered = {**credential, "validFrom": "2024-01-02T00:00:00Z"}
    assert run(tampered).by_name("proof").code == "signature-invalid"
    assert run(tampered).by_name("proof").code == "signature-invalid"  # failures are never remembered as authentic
    # the issuer's DID document changes (its key rotated away): the remembered verification no longer applies
    did_document["doc"] = {**other_did_document(), "assertionMethod": []}
    assert run(credential).by_name("issuer").code == "key-not-authorized"
