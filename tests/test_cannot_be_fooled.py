"""Verification that cannot be fooled: names in every language and form, statements by their IRIs, VC 1.1
validity in any credential (issue 16).

- Names: a recognised issuer's credential whose issuer or any awarding body carries another name (in one language,
  as an alternative label, under a respelled property, with invisible characters) is never ``verified``, and the
  page says which name differs; normalisation (case, whitespace, NFKC) alone changes nothing.
- Term names are not statements: an inline, property-scoped or type-scoped context that gives an unrelated IRI the
  name of a checked term (validity, status, issuer) changes nothing in what is read; where Digital Bazaar's
  verifier can read the document (its JSON keys are the statements), it agrees on expiry.
- VC 1.1 validity terms in a VC 2.0 credential count, the strictest wins.
- On issue, a ready VC that says anything about validity or this service's status lists other than through their
  IRIs is refused.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone

import pytest

from app.domain.verification import RecognisedIssuer, verify_credential
from app.domain.verification.names import invisible, normalised
from app.errors import NotFound
from tests.apphelpers import (
    issue,
    DID_A,
    OTHER_DID,
    OTHER_LIST,
    OTHER_SIGNER,
    SIGNER_A,
    auth,
    did_of,
    new_tenant,
    other_did_document,
    sign,
    signed_status_list,
    with_status,
)
from tests.peer import peer_verify, requires_peer

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
CRED = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
UL = {"lv": "Latvijas Universitāte", "en": "University of Latvia"}
PAST, FUTURE = "2025-01-01T00:00:00Z", "2099-01-01T00:00:00Z"
REVOKED_INDEX = 7


def now():
    return datetime.now(timezone.utc)


def recognise_ul(did):
    return RecognisedIssuer(did, UL, "trust-list") if did in (DID_A, OTHER_DID) else None


class World:
    """The did:web issuer on another host with its status list (index 7 revoked), and the operator's trust list
    naming DID_A and that issuer the University of Latvia."""

    def __init__(self, loader):
        self.loader = loader
        self.lists = {OTHER_LIST: signed_status_list(OTHER_LIST, OTHER_DID, OTHER_SIGNER, loader,
                                                     set_bits=[REVOKED_INDEX])}

    def verify(self, doc):
        return verify_credential(doc, loader=self.loader,
                                 resolve_did=lambda d: other_did_document() if d == OTHER_DID else None,
                                 fetch_status_lists=lambda urls: {u: self.lists.get(u, NotFound("none"))
                                                                  for u in urls},
                                 now=now(), recognise=recognise_ul)


@pytest.fixture(scope="module")
def world(loader):
    return World(loader)


def outcome(result) -> dict:
    return {c.check: (c.outcome, c.code) for c in result.checks}


# --- names ---------------------------------------------------------------------------------------------------------


def every_awarding_body(node, body) -> None:
    if isinstance(node, list):
        for item in node:
            every_awarding_body(item, body)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "awardingBody":
                node[key] = copy.deepcopy(body)
            else:
                every_awarding_body(value, body)


@pytest.fixture(scope="module")
def ul_unsigned(client):
    """A full micro-credential as this service builds it, naming the University of Latvia (DID_A, trust-listed)
    as issuer and every awarding body; unsigned."""
    slug, key = new_tenant(client)
    cred = copy.deepcopy(issue(client, key).json()["verifiableCredential"])
    for name in ("proof", "credentialStatus"):
        cred.pop(name)
    cred["issuer"]["id"] = DID_A
    cred["issuer"]["legalName"] = dict(UL)
    every_awarding_body(cred, cred["issuer"])
    return cred


def claim_body(cred):
    return cred["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"]


def nested_bodies(cred):
    """The awarding bodies other than the claim's (the assessment's, the activity's...)."""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "awardingBody" and path != ("credentialSubject", "hasClaim", "awardedBy"):
                    out.append(v)
                walk(v, (*path, k))
        elif isinstance(node, list):
            for v in node:
                walk(v, path)
    walk(cred, ())
    return out


def _other_in_english(c):
    claim_body(c)["legalName"]["en"] = "Riga Technical University"


def _other_issuer_in_latvian(c):
    c["issuer"]["legalName"]["lv"] = "Rīgas Tehniskā universitāte"


def _alternative_name(c):
    claim_body(c)["altLabel"] = {"en": "RTU"}


def _full_iri_legal_name(c):
    claim_body(c).pop("legalName")
    claim_body(c)["http://www.w3.org/ns/regorg#legalName"] = [{"@value": "Latvijas Universitāte", "@language": "lv"},
                                                              {"@value": "Riga Technical University",
                                                               "@language": "en"}]


def _nested_body(c):
    bodies = nested_bodies(c)
    assert bodies, "the service's credential has awarding processes besides the claim's"
    bodies[0]["legalName"] = {"lv": "Latvijas Universitāte", "en": "Riga Stradiņš University"}


def _invisible(char):
    def change(c):
        claim_body(c)["legalName"]["en"] = "University of" + char + " Latvia"
    return change


DIFFERING = {
    "awarding body in English": (_other_in_english, "awardingBody", "Riga Technical University"),
    "issuer in Latvian": (_other_issuer_in_latvian, "issuer", "Rīgas Tehniskā universitāte"),
    "alternative name": (_alternative_name, "awardingBody", "RTU"),
    "legal name under its full IRI": (_full_iri_legal_name, "awardingBody", "Riga Technical University"),
    "a nested awarding body": (_nested_body, "awardingBody", "Riga Stradiņš University"),
    "zero-width space": (_invisible("\u200b"), "awardingBody", None),
    "right-to-left override": (_invisible("\u202e"), "awardingBody", None),
    "soft hyphen": (_invisible("\u00ad"), "awardingBody", None),
    "byte order mark": (_invisible("\ufeff"), "awardingBody", None),
    "word joiner": (_invisible("\u2060"), "awardingBody", None),
}


@pytest.mark.parametrize("case", DIFFERING)
def test_every_name_of_issuer_and_awarding_body_must_be_the_recognised_ones(world, loader, ul_unsigned, case):
    change, field, name = DIFFERING[case]
    doc = copy.deepcopy(ul_unsigned)
    change(doc)
    result = world.verify(sign(doc, SIGNER_A, loader))
    assert result.verdict == "unrecognised-issuer", (outcome(result), result.warnings)
    assert result.names_match is False and result.issuer_info()["recognised"] is False
    differing = result.name_differences
    # (the issuer and its awarding bodies are one node, DID_A: a name given to one is the other's too)
    assert field in {d["field"] for d in differing}
    if name:
        assert name in [d["name"] for d in differing]
    else:
        assert {d["reason"] for d in differing} == {"invisible-characters"}
    warning = next(w for w in result.warnings if w["code"] == "issuer-name-mismatch")
    assert (name or "U+") in warning["message"]["en"] and (name or "U+") in warning["message"]["lv"]


def test_the_same_names_in_every_language_and_form_verify(world, loader, ul_unsigned):
    result = world.verify(sign(copy.deepcopy(ul_unsigned), SIGNER_A, loader))
    assert result.verdict == "verified", (outcome(result), result.warnings)


@pytest.mark.parametrize("spelling", ["UNIVERSITY OF LATVIA", "  University   of\tLatvia ", "Ｕｎｉｖｅｒｓｉｔｙ of Latvia",
                                      "Latvijas Universitāte", "Latvijas Universita\u0304te"])
def test_names_are_compared_after_unicode_normalisation(world, loader, ul_unsigned, spelling):
    doc = copy.deepcopy(ul_unsigned)
    claim_body(doc)["legalName"]["en"] = spelling
    doc["issuer"]["altLabel"] = {"lv": spelling}
    result = world.verify(sign(doc, SIGNER_A, loader))
    assert result.verdict == "verified", result.name_differences


def test_normalisation_and_invisible_characters():
    assert normalised("ＬＵ\u00a0 Rīga") == normalised("lu rīga")
    assert invisible("a\u200bb\u2066c") == ["U+200B", "U+2066"]
    assert invisible("Latvijas Universitāte") == []


def test_a_generic_credential_naming_its_issuer_otherwise_is_not_verified(world, loader):
    doc = {"@context": [VC2], "id": "urn:uuid:0f0e7a52-7e55-4a1e-9a36-6d2b1e1f0a01",
           "type": ["VerifiableCredential"], "issuer": {"id": DID_A, "name": [
               {"@value": "University of Latvia", "@language": "en"},
               {"@value": "Rīgas Stradiņa universitāte", "@language": "lv"}]},
           "validFrom": "2024-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:x", "name": "x"}}
    result = world.verify(sign(doc, SIGNER_A, loader))
    assert result.verdict == "unrecognised-issuer"
    assert [d["name"] for d in result.name_differences] == ["Rīgas Stradiņa universitāte"]
    doc["issuer"]["name"][1]["@value"] = "Latvijas Universitāte"
    assert world.verify(sign(doc, SIGNER_A, loader)).verdict == "verified"


def test_the_page_says_which_name_differs_and_shows_no_green_headline(trusted_client, loader, ul_unsigned):
    client, _ = trusted_client
    doc = copy.deepcopy(ul_unsigned)
    _other_in_english(doc)
    signed = sign(doc, SIGNER_A, loader)
    for lang, headline in (("en", "genuine and valid"), ("lv", "ir īsts un derīgs")):
        r = client.post("/verify", data={"credential": json.dumps(signed), "lang": lang})
        assert re.search(r'data-verdict="([^"]+)"', r.text).group(1) == "unrecognised-issuer"
        assert headline not in r.text
        assert "Riga Technical University" in r.text.split("data-verdict")[1]
        assert "«Riga Technical University»" in r.text


# --- term names are not statements ------------------------------------------------------------------------------


def vc2(**changes) -> dict:
    doc = {"@context": [VC2], "id": "urn:uuid:5d0b1f7a-6f35-4b7d-8c1e-2a1f6b9e0101", "type": ["VerifiableCredential"],
           "issuer": OTHER_DID, "validFrom": "2024-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:learner", "name": "Jānis Bērziņš"}}
    return {**with_status(doc, index=REVOKED_INDEX + 1), **changes}


def property_scoped(doc: dict, term: str, value, iri: str | None = None) -> dict:
    """``doc`` plus a node with the credential's own id, under a property whose scoped context names an unrelated
    IRI ``term``: the same node gets a statement a term-name reader would take for ``term``."""
    doc = copy.deepcopy(doc)
    iri = iri or f"urn:example:{term}"
    scoped = {term: {"@id": iri, "@type": "@id"} if isinstance(value, dict) else iri}
    doc["@context"] = [*doc["@context"], {"about": {"@id": "urn:example:about", "@context": scoped}}]
    doc["about"] = {"id": doc["id"], term: value}
    return doc


def type_scoped(doc: dict, term: str, value) -> dict:
    doc = copy.deepcopy(doc)
    doc["@context"] = [*doc["@context"], {"Special": {"@id": "urn:example:Special", "@context": {
        term: {"@id": f"urn:example:{term}", "@type": "@id"} if isinstance(value, dict) else f"urn:example:{term}"}}}]
    doc["type"] = [*doc["type"], "Special"]
    doc[term] = value
    return doc


def inline(doc: dict, term: str, value) -> dict:
    doc = copy.deepcopy(doc)
    doc["@context"] = [*doc["@context"], {term: f"urn:example:{term}"}]
    doc[term] = value
    return doc


def test_property_scoped_look_alike_validity_does_not_hide_expiry(world, loader, tmp_path):
    signed = sign(property_scoped(vc2(validUntil=PAST), "validUntil", FUTURE), OTHER_SIGNER, loader)
    result = world.verify(signed)
    assert result.verdict == "expired", outcome(result)
    assert result.by_name("validity").data["validUntil"] == PAST


@pytest.mark.parametrize("dress", [inline, type_scoped, property_scoped])
def test_a_vc11_expiration_date_in_a_vc2_credential_counts_whatever_else_is_named_so(world, loader, dress):
    doc = vc2(validUntil=FUTURE)
    doc[CRED + "expirationDate"] = {"@value": PAST, "@type": XSD_DATETIME}
    result = world.verify(sign(dress(doc, "expirationDate", FUTURE), OTHER_SIGNER, loader))
    assert result.verdict == "expired", outcome(result)
    assert result.by_name("validity").data["validUntil"] == PAST  # the strictest of both IRIs


@pytest.mark.parametrize("iri", [CRED + "issuanceDate", CRED + "validFrom"])
def test_every_start_of_validity_counts(world, loader, iri):
    doc = vc2()
    doc[iri if iri.endswith("issuanceDate") else "validFrom"] = {"@value": FUTURE, "@type": XSD_DATETIME} \
        if iri.endswith("issuanceDate") else FUTURE
    assert world.verify(sign(doc, OTHER_SIGNER, loader)).verdict == "not-yet-valid"


REVOKED_ENTRY = with_status({}, index=REVOKED_INDEX)["credentialStatus"]
GOOD_ENTRY = with_status({}, index=REVOKED_INDEX + 1)["credentialStatus"]


# (A type-scoped context cannot rename the VC 2.0 terms credentialStatus and issuer: they are protected. A
# property-scoped one can, and is used below.)
@pytest.mark.parametrize("dress", [property_scoped])
def test_a_look_alike_status_entry_does_not_hide_revocation(world, loader, dress):
    doc = vc2(credentialStatus=REVOKED_ENTRY)
    decoy = {**GOOD_ENTRY, "id": OTHER_LIST + "#decoy"}
    result = world.verify(sign(dress(doc, "credentialStatus", decoy), OTHER_SIGNER, loader))
    assert result.verdict == "revoked", outcome(result)


@pytest.mark.parametrize("dress", [property_scoped])
def test_a_look_alike_issuer_is_not_the_issuer(world, loader, dress):
    result = world.verify(sign(dress(vc2(), "issuer", {"id": DID_A}), OTHER_SIGNER, loader))
    assert result.issuer == OTHER_DID
    assert result.verdict == "verified", outcome(result)  # OTHER_DID signed it and is trust-listed


# --- against Digital Bazaar's verifier (did:key issuer, no status: the documents it can read) --------------------

PEER_CASES = {
    "vc1 expired": ({"@context": [VC1], "type": ["VerifiableCredential"], "issuanceDate": "2024-01-01T00:00:00Z",
                     "expirationDate": PAST}, "expired"),
    "vc1 current": ({"@context": [VC1], "type": ["VerifiableCredential"], "issuanceDate": "2024-01-01T00:00:00Z",
                     "expirationDate": FUTURE}, "current"),
    "vc2 expired": ({"@context": [VC2], "type": ["VerifiableCredential"], "validUntil": PAST}, "expired"),
    "vc2 not yet valid": ({"@context": [VC2], "type": ["VerifiableCredential"], "validFrom": FUTURE}, "not-yet-valid"),
    "vc2 expired, look-alike later": (None, "expired"),
    "vc1 expired, look-alike later": (None, "expired"),
}


def _peer_doc(case: str) -> dict:
    doc, _ = PEER_CASES[case]
    subject = {"id": "did:example:x", "name": "x"} if not case.startswith("vc1") else {"id": "did:example:x"}
    if case == "vc2 expired, look-alike later":
        doc = property_scoped({"@context": [VC2], "id": "urn:uuid:5d0b1f7a-6f35-4b7d-8c1e-2a1f6b9e0201",
                               "type": ["VerifiableCredential"], "validUntil": PAST}, "validUntil", FUTURE)
    elif case == "vc1 expired, look-alike later":
        doc = property_scoped({"@context": [VC1], "id": "urn:uuid:5d0b1f7a-6f35-4b7d-8c1e-2a1f6b9e0202",
                               "type": ["VerifiableCredential"], "issuanceDate": "2024-01-01T00:00:00Z",
                               "expirationDate": PAST}, "expirationDate", FUTURE)
    return {**copy.deepcopy(doc), "issuer": DID_A, "credentialSubject": subject}


@pytest.mark.parametrize("case", PEER_CASES)
def test_expiry_and_issuer_agree_with_the_independent_verifier(world, loader, tmp_path, case):
    signed = sign(_peer_doc(case), SIGNER_A, loader)
    ours = world.verify(signed)
    theirs = peer_verify(signed, tmp_path)
    expected = PEER_CASES[case][1]
    peer_says = "current" if theirs["verified"] else (
        "expired" if re.search(r"expired|expirationDate|validUntil", theirs["error"] or "") else
        "not-yet-valid" if re.search(r"validFrom|issuanceDate|not valid", theirs["error"] or "") else theirs["error"])
    our_says = {"verified": "current", "unrecognised-issuer": "current"}.get(ours.verdict, ours.verdict)
    assert our_says == peer_says == expected, (ours.verdict, theirs)
    assert ours.issuer == DID_A


for _mark in requires_peer:
    test_expiry_and_issuer_agree_with_the_independent_verifier = _mark(
        test_expiry_and_issuer_agree_with_the_independent_verifier)


# --- on issue ------------------------------------------------------------------------------------------------------


def ready(client, slug, **extra) -> dict:
    return {"@context": [VC2], "type": ["VerifiableCredential"], "issuer": did_of(client, slug),
            "credentialSubject": {"id": "did:example:x", "name": "x"}, **extra}


def test_issue_refuses_validity_said_other_than_through_its_iri(client):
    slug, key = new_tenant(client)
    origin = client.app.state.services.settings.public_origin
    own_list = f"{origin}/status/{slug}/revocation/1"
    cases = {
        "issuer-dependent expirationDate": ready(client, slug, expirationDate=PAST),
        "another vocabulary's validUntil": {**ready(client, slug), "@context": [VC2, {"ex": "https://example.org/"}],
                                            "ex:validUntil": PAST},
        "property-scoped look-alike": property_scoped(ready(client, slug, id="urn:uuid:5d0b1f7a-0000-4000-8000-1"),
                                                      "validUntil", FUTURE),
        "look-alike status entry": property_scoped(ready(client, slug, id="urn:uuid:5d0b1f7a-0000-4000-8000-2"),
                                                   "credentialStatus", {"id": own_list + "#3"}),
        "type-scoped look-alike validity": type_scoped(ready(client, slug), "expirationDate", {"id": "urn:x:y"}),
        "inline look-alike validity": inline(ready(client, slug), "issuanceDate", PAST),
        "own status list named elsewhere": ready(client, slug, credentialSubject={
            "id": "did:example:x", "name": "x", "seeAlso": {"id": own_list}},
            **{"@context": [VC2, {"seeAlso": {"@id": "http://www.w3.org/2000/01/rdf-schema#seeAlso",
                                              "@type": "@id"}}]}),
    }
    for name, doc in cases.items():
        r = issue(client, key, credential=doc)
        assert r.status_code == 422, (name, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    # and nothing was stored
    assert client.get("/credentials", headers=auth(key)).json()["total"] == 0


def test_a_ready_vc_states_its_status_entry_and_its_records_validity(client, loader, remote):
    """The entry the service adds is read back by IRI before signing, and the record's validity is the
    statements': revoking it makes every verifier see "revoked"."""
    slug, key = new_tenant(client)
    doc = ready(client, slug)
    doc[CRED + "validUntil"] = {"@value": "2030-06-30T23:59:59Z", "@type": XSD_DATETIME}
    r = issue(client, key, credential=doc)
    assert r.status_code == 201, r.text
    issued = r.json()
    record = client.get(f"/credentials/{issued['id']}", headers=auth(key)).json()
    assert "2030-06-30" in json.dumps(record)
    assert client.post(f"/credentials/{issued['id']}/revoke", json={"reason": "fraud"},
                       headers=auth(key)).status_code == 200
    body = client.post("/credentials/verify", json={"verifiableCredential": issued["verifiableCredential"]}).json()
    assert body["verdict"] == "revoked", body
