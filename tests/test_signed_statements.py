"""Every check judges what was signed, however the JSON spells it.

A Data Integrity signature covers RDF statements; the same statements can be written under full IRIs, compact
IRIs, inline aliases, inside ``@graph``, through ``@reverse``, as ``@set`` or ``@value`` objects. The alias matrix
signs a revoked, an expired, a not-yet-valid credential (and others) in every such spelling and checks that none of
them verifies as genuine and valid; equivalent spellings of a valid credential still verify. The tamper matrix
changes every leaf of a signed micro-credential, one at a time: none of them may still verify.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone

import pytest

from app.domain import eddsa_rdfc_2022, proof_checks
from app.domain.verification import verify_credential
from app.errors import InvalidInput, JsonLdRefused, NotFound
from tests.apphelpers import (
    issue,
    DID_A,
    NOW,
    OTHER_DID,
    OTHER_DID_URL,
    OTHER_LIST,
    OTHER_SIGNER,
    did_of,
    new_tenant,
    other_did_document,
    sign,
    signed_status_list,
    with_status,
)

VC2 = "https://www.w3.org/ns/credentials/v2"
CRED = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
REVOKED_INDEX = 7

# The term a check reads -> its IRI (VC 2.0 and Bitstring Status List contexts) and whether its value is an IRI.
FIELDS = {
    "credentialStatus": (CRED + "credentialStatus", True),
    "issuer": (CRED + "issuer", True),
    "credentialSubject": (CRED + "credentialSubject", True),
    "validFrom": (CRED + "validFrom", False),
    "validUntil": (CRED + "validUntil", False),
}
SPELLINGS = ["full-iri", "compact-iri", "alias", "graph", "reverse", "set", "value"]


def base(**changes) -> dict:
    doc = {"@context": [VC2], "id": "urn:uuid:5d0b1f7a-6f35-4b7d-8c1e-2a1f6b9e0001", "type": ["VerifiableCredential"],
           "issuer": OTHER_DID, "validFrom": "2024-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:learner", "name": "Jānis Bērziņš"}}
    return {**with_status(doc, index=REVOKED_INDEX + 1), **changes}


def respell(doc: dict, field: str, how: str) -> dict:
    """``doc`` with ``field`` written another way that makes the same statements."""
    doc = copy.deepcopy(doc)
    iri, is_node = FIELDS[field]
    value = doc.pop(field)
    if how == "full-iri":
        doc[iri] = {"@id": value} if is_node and isinstance(value, str) else value
    elif how == "compact-iri":
        doc["@context"] = [*doc["@context"], {"c": CRED}]
        doc["c:" + field] = {"@id": value} if is_node and isinstance(value, str) else value
    elif how == "alias":
        doc["@context"] = [*doc["@context"], {"st": {"@id": iri, "@type": "@id"} if is_node else iri}]
        doc["st"] = value
    elif how == "graph":
        doc[field] = value
        context = doc.pop("@context")
        return {"@context": context, "@graph": [doc]}
    elif how == "reverse":
        node = dict(value) if isinstance(value, dict) else {"id": value}
        node["@reverse"] = {iri: {"@id": doc["id"]}}
        doc["@included"] = [node]
    elif how == "set":
        # (a string in @set under an @id-typed term: pyld makes it a literal, unlike the JSON-LD 1.1 algorithm;
        # a node object is unambiguous)
        doc[field] = {"@set": [{"@id": value} if is_node and isinstance(value, str) else value]}
    elif how == "value":
        if is_node:
            doc[field] = {"@id": value} if isinstance(value, str) else {**value, "@id": value.get("id")}
            doc[field].pop("id", None)
        else:
            doc[field] = {"@value": value, "@type": XSD_DATETIME}
    return doc


class World:
    """The did:web issuer on another host, its status list (index 7 revoked), for the pure verifier."""

    def __init__(self, loader):
        self.loader = loader
        self.docs = {OTHER_LIST: signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader,
                                                    set_bits=[REVOKED_INDEX])}
        self.fetched: list[str] = []

    def resolve_did(self, did):
        self.fetched.append(did)
        return other_did_document() if did == OTHER_DID else None

    def fetch(self, urls):
        self.fetched.extend(urls)
        return {u: self.docs.get(u, NotFound("no such list")) for u in urls}

    def verify(self, doc, **kw):
        return verify_credential(doc, loader=self.loader, resolve_did=self.resolve_did, fetch_status_lists=self.fetch,
                                 now=datetime.now(timezone.utc), **kw)  # the list was signed at fixture time


@pytest.fixture(scope="module")
def world(loader):
    return World(loader)


def outcome(result) -> dict:
    return {c.check: (c.outcome, c.code) for c in result.checks}


# --- the alias matrix, on verification ----------------------------------------------------------------------------

SCENARIOS = {
    # field respelled -> (the document's change that makes it dangerous, the verdict that must come out)
    "credentialStatus": ({"credentialStatus": with_status({}, index=REVOKED_INDEX)["credentialStatus"]}, "revoked"),
    "validUntil": ({"validUntil": "2025-01-01T00:00:00Z"}, "expired"),
    "validFrom": ({"validFrom": "2099-01-01T00:00:00Z"}, "not-yet-valid"),
}


def applicable(fields) -> list[tuple[str, str]]:
    """(field, spelling) pairs: @reverse states a relation to a node, so it does not apply to literal fields."""
    return [(f, how) for f in fields for how in SPELLINGS if FIELDS[f][1] or how != "reverse"]


@pytest.mark.parametrize("field,how", applicable(SCENARIOS))
def test_respelled_revocation_and_validity_are_still_judged(world, loader, field, how):
    change, verdict = SCENARIOS[field]
    result = world.verify(sign(respell(base(**change), field, how), OTHER_SIGNER, loader))
    assert result.verdict == verdict, (outcome(result), result.warnings)
    assert result.verified is False


@pytest.mark.parametrize("field,how", applicable(FIELDS))
def test_equivalent_spellings_of_a_valid_credential_verify(world, loader, field, how):
    result = world.verify(sign(respell(base(validUntil="2099-01-01T00:00:00Z"), field, how), OTHER_SIGNER, loader))
    assert result.verified, (outcome(result), result.warnings)
    assert outcome(result)["status"] == ("ok", "not-revoked")


@pytest.mark.parametrize("how", ["full-iri", "compact-iri", "alias", "reverse"])
def test_a_second_issuer_in_another_spelling_is_not_a_credential(world, loader, how):
    doc = base()
    extra = respell({"issuer": DID_A, "id": doc["id"], "@context": [VC2]}, "issuer", how)
    doc = {**doc, "@context": extra["@context"], **{k: v for k, v in extra.items() if k not in ("id", "@context")}}
    result = world.verify(sign(doc, OTHER_SIGNER, loader))
    assert result.verdict == "invalid" and outcome(result)["issuer"] == ("failed", "issuer-missing"), outcome(result)


@pytest.mark.parametrize("field,iri", [("statusPurpose", STATUS + "statusPurpose"),
                                       ("statusListIndex", STATUS + "statusListIndex"),
                                       ("statusListCredential", STATUS + "statusListCredential")])
def test_respelled_status_entry_fields_are_still_read(world, loader, field, iri):
    doc = base(**SCENARIOS["credentialStatus"][0])
    entry = doc["credentialStatus"]
    value = entry.pop(field)
    entry[iri] = {"@id": value} if field == "statusListCredential" else value
    result = world.verify(sign(doc, OTHER_SIGNER, loader))
    assert result.verdict == "revoked", outcome(result)


def test_type_written_with_the_keyword_is_the_same_credential(world, loader):
    doc = base()
    doc["@type"] = doc.pop("type")
    assert world.verify(sign(doc, OTHER_SIGNER, loader)).verified


def test_type_written_as_a_full_iri_changes_what_the_terms_mean_and_is_refused(world, loader):
    """VC 2.0 defines its terms in a context scoped to the type VerifiableCredential: typed by the full rdf:type
    IRI, the document's terms are undefined, which is refused, never read as the JSON shows."""
    doc = base()
    doc.pop("type")
    doc[RDF_TYPE] = {"@id": CRED + "VerifiableCredential"}
    with pytest.raises(JsonLdRefused):
        sign(doc, OTHER_SIGNER, loader)
    signed = sign(base(), OTHER_SIGNER, loader)
    signed.pop("type")
    signed[RDF_TYPE] = {"@id": CRED + "VerifiableCredential"}
    assert outcome(world.verify(signed))["format"] == ("failed", "undefined-terms")


def test_a_hidden_second_credential_node_is_not_a_credential(world, loader):
    """Two nodes typed VerifiableCredential: which one would a JSON reader see? Neither is accepted."""
    doc = base()
    doc["@included"] = [{"id": "urn:uuid:other", "type": "VerifiableCredential", "issuer": DID_A,
                         "credentialSubject": {"id": "did:example:x", "name": "x"}}]
    result = world.verify(sign(doc, OTHER_SIGNER, loader))
    assert outcome(result)["format"] == ("failed", "not-a-credential")


def test_nothing_is_fetched_once_the_proof_has_failed(world, loader):
    signed = sign(base(**SCENARIOS["credentialStatus"][0]), OTHER_SIGNER, loader)
    signed["proof"]["proofValue"] = signed["proof"]["proofValue"][:-3] + "abc"
    world.fetched.clear()
    result = world.verify(signed)
    assert outcome(result)["proof"] == ("failed", "signature-invalid")
    assert outcome(result)["status"] == ("unknown", "not-checked")
    assert OTHER_LIST not in world.fetched
    # and a malformed proof does not even look up the issuer's DID document
    signed["proof"]["proofPurpose"] = "authentication"
    world.fetched.clear()
    assert outcome(world.verify(signed))["proof"][0] == "failed"
    assert world.fetched == []


# --- proof options: what was signed, not what the JSON shows --------------------------------------------------------


def test_a_proof_purpose_smuggled_through_an_alias_is_refused(world, loader):
    doc = base(**{"@context": [VC2, {"pp": {"@id": "https://w3id.org/security#proofPurpose", "@type": "@vocab"}}]})
    signed = sign(doc, OTHER_SIGNER, loader)
    # the JSON still says assertionMethod, but an alias adds a second, signed purpose
    signed["proof"]["pp"] = "https://w3id.org/security#authenticationMethod"
    result = world.verify(signed)
    assert outcome(result)["proof"] == ("failed", "proof-malformed")


def test_an_unknown_proof_purpose_cannot_be_signed_or_verified(world, loader):
    with pytest.raises((InvalidInput, JsonLdRefused)) as refused:
        eddsa_rdfc_2022.create_proof(base(), OTHER_SIGNER, loader=loader, created=NOW, proof_purpose="bogusPurpose")
    assert refused.value.status == 422 and "bogusPurpose" in refused.value.detail
    signed = sign(base(), OTHER_SIGNER, loader)
    signed["proof"]["proofPurpose"] = "bogusPurpose"
    result = world.verify(signed)
    assert outcome(result)["proof"][0] == "failed"


def test_signed_options_are_read_from_the_statements(loader):
    signed = sign(base(), OTHER_SIGNER, loader)
    document = proof_checks.take_apart(signed, loader, deadline=proof_checks.DEFAULT_LIMITS.deadline(),
                                       limits=proof_checks.DEFAULT_LIMITS)
    [result] = proof_checks.verify_all(document, [eddsa_rdfc_2022.SUITE],
                                       loader=loader, resolve_verification_method=lambda vm: {
                                           "id": vm, "type": "Multikey",
                                           "publicKeyMultibase": other_did_document()["verificationMethod"][0][
                                               "publicKeyMultibase"]},
                                       expect=proof_checks.ProofCheck(), deadline=proof_checks.DEFAULT_LIMITS.deadline())
    assert result.verified
    assert result.options["proofPurpose"] == "https://w3id.org/security#assertionMethod"
    assert result.options["verificationMethod"] == OTHER_SIGNER.verification_method
    assert result.options["created"] == NOW


# --- the tamper matrix: every leaf of a signed micro-credential ---------------------------------------------------


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    else:
        yield path, node


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    return value + "x"


def _set(doc, path, value):
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """A full micro-credential issued by the service, and its verifier (own DID and lists from the database).
    The leaves are the same on either database: one (SQLite) is enough."""
    from app import verifying
    from app.db import migrate
    from tests.apphelpers import make_client

    url = f"sqlite:///{tmp_path_factory.mktemp('leaves') / 'mcred.sqlite3'}"
    migrate.upgrade(url)
    with make_client(url, tmp_path_factory.mktemp("keys")) as client:
        slug, key = new_tenant(client, suspension_enabled=True)
        r = issue(client, key)
        assert r.status_code == 201, r.text

        def verify(doc):
            with client.app.state.session_factory() as session:
                return verifying.verify(session, client.app.state.services, client.app.state.remote_fetcher, doc)

        yield r.json()["verifiableCredential"], verify


def test_every_leaf_of_a_signed_micro_credential_is_covered(issued):
    credential, verify = issued
    assert verify(credential).verdict == "verified"
    leaves = list(_leaves(credential))
    assert len(leaves) > 150
    still_valid = []
    for path, value in leaves:
        doc = copy.deepcopy(credential)
        _set(doc, path, _changed(value))
        try:
            result = verify(doc)
        except Exception as exc:  # a refusal of the request (e.g. a limit) is not a valid verdict either
            assert getattr(exc, "status", 500) < 500, (path, exc)
            continue
        if result.verified or result.verdict in ("verified", "unrecognised-issuer"):
            still_valid.append(path)
    assert still_valid == []


# --- on issue: the VC API input is judged by its statements too ---------------------------------------------------


def test_issue_refuses_a_second_issuer_or_a_status_entry_in_this_services_lists(client, loader):
    slug, key = new_tenant(client)
    did = did_of(client, slug)
    doc = {"@context": [VC2], "type": ["VerifiableCredential"], "issuer": did, CRED + "issuer": {"@id": DID_A},
           "credentialSubject": {"id": "did:example:x", "name": "x"}}
    r = issue(client, key, credential=doc)
    assert r.status_code == 422, r.text
    assert any(e["field"] == "credential.issuer" for e in r.json()["errors"])

    other_slug, _ = new_tenant(client, suspension_enabled=True)
    origin = client.app.state.services.settings.public_origin
    foreign = f"{origin}/status/{other_slug}/revocation/1"
    doc = {"@context": [VC2], "type": ["VerifiableCredential"], "issuer": did,
           "credentialSubject": {"id": "did:example:x", "name": "x"},
           CRED + "credentialStatus": {"id": foreign + "#5", "type": "BitstringStatusListEntry",
                                       "statusPurpose": "revocation", "statusListIndex": "5",
                                       "statusListCredential": foreign}}
    r = issue(client, key, credential=doc)
    assert r.status_code == 422, r.text
    assert any(e["field"] == "credential.credentialStatus" for e in r.json()["errors"])


def test_a_well_formed_status_entry_of_the_caller_is_kept_beside_the_services_own(client, loader):
    slug, key = new_tenant(client)
    doc = {"@context": [VC2], "type": ["VerifiableCredential"], "issuer": did_of(client, slug),
           "credentialSubject": {"id": "did:example:x", "name": "x"},
           **{k: v for k, v in with_status({}, url="https://registry.example/lists/3", index=9).items()}}
    r = issue(client, key, credential=doc)
    assert r.status_code == 201, r.text
    entries = r.json()["verifiableCredential"]["credentialStatus"]
    assert isinstance(entries, list) and len(entries) == 2
    assert {e["statusListCredential"].split("/status/")[0] for e in entries} >= {"https://registry.example/lists/3"}


# --- the HTML upload page never shows green for them ------------------------------------------------------------


@pytest.mark.parametrize("field", ["credentialStatus", "validUntil"])
def test_upload_page_shows_no_green_headline_for_respelled_revocation_or_expiry(client, loader, remote, field):
    remote.docs[OTHER_DID_URL] = other_did_document()
    remote.docs[OTHER_LIST] = signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader, set_bits=[REVOKED_INDEX])
    change, verdict = SCENARIOS[field]
    signed = sign(respell(base(**change), field, "full-iri"), OTHER_SIGNER, loader)
    r = client.post("/verify", data={"credential": json.dumps(signed), "lang": "en"})
    assert re.search(r'data-verdict="([^"]+)"', r.text).group(1) == verdict
    assert "genuine and valid" not in r.text


@pytest.mark.parametrize("how", ["full-iri", "compact-iri", "reverse"])
def test_issue_judges_a_second_issuer_in_every_spelling(client, how):
    """(An inline alias of a VC 2.0 term is refused by JSON-LD itself: protected term redefinition.)"""
    slug, key = new_tenant(client)
    own = {"@context": [VC2], "id": "urn:uuid:5d0b1f7a-6f35-4b7d-8c1e-2a1f6b9e0009", "type": ["VerifiableCredential"],
           "issuer": did_of(client, slug), "credentialSubject": {"id": "did:example:x", "name": "x"}}
    extra = respell({"@context": [VC2], "id": own["id"], "issuer": DID_A}, "issuer", how)
    doc = {**own, "@context": extra["@context"], **{k: v for k, v in extra.items() if k not in ("id", "@context")}}
    r = issue(client, key, credential=doc)
    assert r.status_code == 422, r.text
    assert "credential.issuer" in [e["field"] for e in r.json()["errors"]]
