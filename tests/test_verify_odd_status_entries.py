"""Odd status entries in a credential given to POST /credentials/verify: never a 500, but a verification result
whose status check is unknown or failed (a 4xx problem), on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.apphelpers import (
    ORIGIN,
    OTHER_DID,
    OTHER_DID_URL,
    OTHER_LIST,
    OTHER_SIGNER,
    new_tenant,
    other_did_document,
    sign,
    signed_status_list,
    with_status,
)
from tests.test_verify_api import checks, vc2, verify


@pytest.fixture(scope="module")
def slug(client):
    return new_tenant(client)[0]


@pytest.mark.parametrize("seq", ["²", "99999999999999999999", "0"])
def test_own_status_list_url_with_an_odd_sequence(client, loader, remote, slug, seq):
    remote.docs[OTHER_DID_URL] = other_did_document()
    credential = sign(with_status(vc2(OTHER_DID), url=f"{ORIGIN}/status/{slug}/revocation/{seq}"), OTHER_SIGNER,
                      loader)
    response = verify(client, credential)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert checks(response)["status"][0] in ("unknown", "failed")


@pytest.mark.parametrize("index", ["²", "7" * 5000, "1" + "0" * 40])
def test_status_list_index_that_is_no_index(client, loader, remote, index):
    remote.docs[OTHER_DID_URL] = other_did_document()
    remote.docs[OTHER_LIST] = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader)
    credential = sign(with_status(vc2(OTHER_DID), index=index), OTHER_SIGNER, loader)
    response = verify(client, credential)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert checks(response)["status"][0] in ("unknown", "failed")
