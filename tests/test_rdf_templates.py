"""Statements from templates (app.domain.rdf_templates) against the full computation (app.domain.rdfc.statements):
the same canonical N-Quads, or the same refusal, for every document; and the template is really used."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import eddsa_rdfc_2022, elm, rdf_templates, rdfc
from app.domain.jsonld import DEFAULT_LIMITS, make_document_loader
from app.domain.microcredential import EXAMPLE, parse_micro_credential
from app.errors import McredError

ISSUED = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)
ORG = elm.organisation({"legalName": {"lv": "Veidņu Universitāte", "en": "Template University"}, "country": "LVA",
                        "did": "did:web:example.lv:institutions:t", "registration": "90000000001"})
V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def fresh_loader(context_documents):
    """A loader of its own: no template learned by another test."""
    return make_document_loader(context_documents)


def credential(k: int = 0, **learner) -> dict:
    item = json.loads(json.dumps(EXAMPLE))
    item["learner"].update({"givenName": f"Anna{k}", "reference": f"ST-{uuid.uuid4().hex[:8]}", **learner})
    mc = parse_micro_credential(item, today=ISSUED.date())
    doc = elm.build_credential(mc, ORG, credential_id=f"urn:uuid:{uuid.uuid4()}", issued_at=ISSUED, valid_until=None)
    return eddsa_rdfc_2022.with_suite_context(doc)


def outcome(compute, doc, loader):
    try:
        found = compute(doc, loader)
    except McredError as exc:
        return type(exc).__name__, exc.slug
    return found


def assert_same(doc, loader):
    """The template path (a shape met once is computed in full: the first call makes it met) against the full one:
    the N-Quads, and (``statements``, for verifying) the dataset, in to_dataset's order where no blank node is
    relabelled."""
    outcome(rdf_templates.nquads, doc, loader)
    full = outcome(lambda d, lo: rdfc.statements(d, lo), doc, loader)
    if not isinstance(full, rdfc.Statements):  # a refusal: the same one
        assert outcome(rdf_templates.nquads, doc, loader) == full
        assert outcome(rdf_templates.statements, doc, loader) == full
        return
    assert outcome(rdf_templates.nquads, doc, loader) == full.nquads
    templated = rdf_templates.statements(doc, loader)
    assert templated.nquads == full.nquads
    if "_:" in full.nquads:
        assert sorted(json.dumps(t, sort_keys=True) for t in templated.dataset["@default"]) == sorted(
            json.dumps(t, sort_keys=True) for t in full.dataset["@default"])
    else:
        assert templated.dataset == full.dataset


def test_a_cohort_is_signed_from_one_template_and_says_exactly_what_each_document_says(fresh_loader, monkeypatch):
    cohort = [credential(0), credential(1)] + [
        credential(k, familyName=f"Bērziņa{k}", dateOfBirth=f"199{k}-0{k}-1{k}", email=f"l{k}@example.lv")
        for k in range(2, 7)]
    expected = [rdfc.statements(doc, fresh_loader).nquads for doc in cohort]  # the full computation, unwatched
    expansions = []
    real = rdf_templates.expand
    monkeypatch.setattr(rdfc, "expand", lambda *a, **k: expansions.append(1) or real(*a, **k))
    monkeypatch.setattr(rdf_templates, "expand", lambda *a, **k: expansions.append(1) or real(*a, **k))
    assert rdf_templates.nquads(cohort[0], fresh_loader) == expected[0]
    assert expansions == [1], "a shape met once is computed in full, once"
    assert rdf_templates.nquads(cohort[1], fresh_loader) == expected[1]
    assert len(expansions) > 1, "the second document of a shape builds its template"
    for doc, nquads in zip(cohort[2:], expected[2:]):
        expansions.clear()
        assert rdf_templates.nquads(doc, fresh_loader) == nquads
        assert expansions == [], "the template was not used"


def test_a_signature_made_from_a_template_verifies_with_the_full_computation(fresh_loader):
    from tests.apphelpers import private_key_from_seed, verification_method_id, verify_proof
    from app.domain.did_key import did_key_for, resolve_did_key
    from app.domain.keys import Ed25519Signer, public_key_multibase
    key = private_key_from_seed(bytes([9]) * 32)
    signer = Ed25519Signer(key, verification_method_id(did_key_for(public_key_multibase(key))))
    for k in range(3):
        signed = eddsa_rdfc_2022.create_proof(credential(k), signer, loader=fresh_loader,
                                              created="2026-05-04T10:00:00Z")
        assert verify_proof(signed, loader=fresh_loader, resolve_verification_method=resolve_did_key).verified


def _leaves(doc, path=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k != "@context":
                yield from _leaves(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _leaves(v, path + (i,))
    elif isinstance(doc, str):
        yield path


def _set(doc, path, value):
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


BASE = credential(0)
PATHS = list(_leaves(BASE))
# What a value may be turned into: IRIs of schemes the contexts define as prefixes (dc:, skos:, xsd:), of others,
# with and without //, blank node labels, terms of the contexts, relative IRIs, IRIs with spaces, the issuer's own
# IRI (a node the template has), the sentinel vocabulary, the placeholder marker, and plain text.
REPLACEMENTS = st.sampled_from([
    "urn:uuid:00000000-0000-4000-8000-000000000001", "urn:uuid:00000000-0000-4000-8000-000000000002",
    "https://example.org/a", "https://example.org/a#b", "http:x", "mailto:someone@example.lv", "did:web:example.lv",
    "dc:title", "skos:Concept", "xsd:string", "elm:Person", "_:b0", "_:x", "Person", "type", "id", "name",
    "relative/path", "has space:x y", "urn:mcred:undefined-term:x", f"urn:{rdf_templates.MARKER}1",
    rdf_templates.MARKER + "0", "Anna", "", "2026-01-01T00:00:00Z", "lv", "en", "\u0000", "ā😀", "a\u0001b\u0002c",
    "urn:x:\u0001\u0002", 'quote " and \\ backslash\nnew line',
    "did:web:example.lv:institutions:t", "http://data.europa.eu/snb/model/elm/Person",
])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), REPLACEMENTS), min_size=1, max_size=4))
def test_any_value_anywhere_gives_what_the_full_computation_gives(loader, changes):
    """The template of the unchanged document is learned first (the shared loader keeps it), then any value of it
    becomes any of the above: the statements (or the refusal) must be exactly the full computation's."""
    rdf_templates.nquads(BASE, loader)
    rdf_templates.nquads(BASE, loader)
    doc = copy.deepcopy(BASE)
    for path, value in changes:
        _set(doc, path, value)
    assert_same(doc, loader)


def test_two_values_that_become_equal_merge_as_in_the_document(fresh_loader):
    assert_same(credential(0), fresh_loader)
    doc = credential(1)
    doc["credentialSubject"]["id"] = doc["id"]  # the learner's node is now the credential's node
    assert_same(doc, fresh_loader)
    doc = credential(2)
    doc["credentialSubject"]["id"] = doc["issuer"]["id"]  # a node the template holds as a constant
    assert_same(doc, fresh_loader)


def test_types_are_kept_and_documents_that_cannot_be_templated_are_computed_in_full(fresh_loader):
    doc = credential(0)
    assert_same(doc, fresh_loader)
    retyped = copy.deepcopy(doc)
    retyped["credentialSubject"]["type"] = "Organisation"  # another type-scoped context below it
    assert_same(retyped, fresh_loader)
    inline = {**copy.deepcopy(doc), "@context": [*doc["@context"], {"extra": "https://example.org/extra"}],
              "extra": "x"}
    assert rdf_templates._shape(inline, rdf_templates._cache_for(fresh_loader), DEFAULT_LIMITS) is None
    assert_same(inline, fresh_loader)
    nested = copy.deepcopy(doc)
    nested["credentialSubject"]["@context"] = {"x": "https://example.org/x"}
    assert rdf_templates._shape(nested, rdf_templates._cache_for(fresh_loader), DEFAULT_LIMITS) is None
    assert_same(nested, fresh_loader)


def test_a_vc2_document_with_undefined_terms_and_vocabulary_values(fresh_loader):
    def vc(k, value):
        return {"@context": [V2], "id": f"urn:uuid:{k}", "type": ["VerifiableCredential"],
                "issuer": "did:example:issuer", "validFrom": "2026-01-01T00:00:00Z",
                "credentialSubject": {"id": f"did:example:{k}", "undefinedTerm": value, "type": "Thing"}}
    for k, value in enumerate(["x", "y", "https://example.org/z", "did:example:issuer", {"id": "did:example:1"}]):
        assert_same(vc(k, value), fresh_loader)


def test_an_iri_whose_scheme_is_a_prefix_of_the_contexts_is_expanded_not_swapped(fresh_loader):
    """``skos:a`` is not an absolute IRI here but a compact one (the ELM context defines the prefix skos): its
    placeholder comes out expanded, so the value is kept in the skeleton and each such document gets its own."""
    for k, value in enumerate(["skos:a", "skos:b", "dc:c", "urn:x:d", "urn:x:e"]):
        doc = credential(k)
        doc["credentialSubject"]["id"] = value
        assert_same(doc, fresh_loader)


def test_documents_past_the_limits_are_refused_as_the_full_computation_refuses_them(fresh_loader):
    assert_same(credential(0), fresh_loader)
    deep = credential(1)
    node: dict = deep["credentialSubject"]
    for _ in range(45):
        node["fullName"] = {}
        node = node["fullName"]
    assert_same(deep, fresh_loader)
    wide = credential(2)
    wide["credentialSubject"]["givenName"] = [f"n{k}" for k in range(1001)]
    assert outcome(rdf_templates.nquads, wide, fresh_loader) == ("LimitExceeded", "too-many-values")


def test_a_proof_configuration_met_again_is_not_computed_again(fresh_loader):
    config = {"@context": [*BASE["@context"]], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
              "created": "2026-05-04T10:00:00Z", "verificationMethod": "did:example:a#key-1",
              "proofPurpose": "assertionMethod"}
    first = rdf_templates.remembered(config, fresh_loader)
    assert first.nquads == rdfc.statements(config, fresh_loader).nquads
    assert rdf_templates.remembered(json.loads(json.dumps(config)), fresh_loader) is first
    later = rdf_templates.remembered({**config, "created": "2026-05-04T10:00:01Z"}, fresh_loader)
    assert later is not first and "10:00:01" in later.nquads
