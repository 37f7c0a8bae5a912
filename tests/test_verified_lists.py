"""A status list is verified once per version, not on every verification; a new version, another key or the end
of its validity is never served from what was verified before."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.domain import verify as verify_module
from app.domain.verify import VerifiedLists, verify_credential
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
    cache = VerifiedLists()
    credential = sign(base(), OTHER_SIGNER, loader)  # index 8 of OTHER_LIST
    verifications = []
    real = verify_module._StatusLists._verify
    monkeypatch.setattr(verify_module._StatusLists, "_verify",
                        lambda self, *a: verifications.append(1) or real(self, *a))

    def run(now=None):
        return verify_credential(credential, loader=loader, resolve_did=lambda d: other_did_document(),
                                 fetch_status_lists=lambda urls: {u: lists.get(u, NotFound("x")) for u in urls},
                                 now=now or datetime.now(timezone.utc), verified_lists=cache)

    assert run().by_name("status").code == "not-revoked" and len(verifications) == 1
    assert run().by_name("status").code == "not-revoked" and len(verifications) == 1  # reused
    lists[OTHER_LIST] = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader, set_bits=[8])
    assert run().by_name("status").code == "revoked" and len(verifications) == 2  # a new version is verified
    later = datetime.now(timezone.utc) + timedelta(days=2)  # past the list's validUntil: checked again (expired)
    assert run(later).by_name("status").code == "status-list-expired" and len(verifications) == 3


def test_a_forged_list_is_not_cached_as_verified(loader):
    cache = VerifiedLists()
    forged = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader, set_bits=[8])
    forged["credentialSubject"]["encodedList"] = signed_status_list(
        OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader)["credentialSubject"]["encodedList"]
    credential = sign(with_status(base(), index=8), OTHER_SIGNER, loader)
    for _ in range(2):
        result = verify_credential(credential, loader=loader, resolve_did=lambda d: other_did_document(),
                                   fetch_status_lists=lambda urls: {u: forged for u in urls},
                                   now=datetime.now(timezone.utc), verified_lists=cache)
        assert result.by_name("status").code == "status-list-invalid"
