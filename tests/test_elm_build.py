"""Building ELM micro-credentials and reading them back (ours and the EU sample)."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, date, datetime

import pytest

from app.domain import vocab
from app.domain.elm import (
    MANDATORY_ELEMENTS,
    build_credential,
    missing_micro_credential_elements,
    organisation,
    summarize,
)
from app.domain.rdfc import canonicalize
from app.domain.microcredential import EXAMPLE, parse_micro_credential
from app.errors import Conflict, InvalidInput
from tests.apphelpers import find_undefined_terms

CREDENTIAL_ID = "urn:uuid:2f8f1b1e-8d9c-4b8e-9a43-3b7f0e2a6c11"
ISSUED_AT = datetime(2024, 6, 28, 10, 0, tzinfo=UTC)
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
INSTITUTION = {
    "did": "did:web:issuer.example:lu",
    "legalName": {"lv": "Latvijas Universitāte", "en": "University of Latvia"},
    "country": "LVA",
    "homepage": "https://www.lu.lv",
    "registration": "90000076669",
    "email": "info@example.lv",
}


def issuer() -> dict:
    return organisation(INSTITUTION)


def build(data: dict | None = None, **kw) -> dict:
    mc = parse_micro_credential(copy.deepcopy(EXAMPLE) if data is None else data, today=ISSUED_AT.date())
    kw.setdefault("credential_id", CREDENTIAL_ID)
    kw.setdefault("issued_at", ISSUED_AT)
    return build_credential(mc, issuer(), **kw)


def minimal() -> dict:
    keep = {"learner", "title", "learningOutcomes", "workload", "eqfLevel", "assessment", "participation", "qualityAssurance"}
    data = {k: v for k, v in copy.deepcopy(EXAMPLE).items() if k in keep}
    data["qualityAssurance"] = {"type": data["qualityAssurance"]["type"]}
    return data


def nodes(value):
    """Every JSON object of a document."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from nodes(v)
    elif isinstance(value, list):
        for v in value:
            yield from nodes(v)


def test_the_example_builds_with_only_defined_terms_and_canonicalizes(loader):
    doc = build(contexts_extra=[STATUS_CONTEXT])
    assert find_undefined_terms(doc, loader) == []
    nquads = canonicalize(doc, loader)
    assert "_:" not in nquads  # blank-node free
    assert "<http://data.europa.eu/snb/eqf/6>" in nquads


def test_the_minimal_input_builds_with_only_defined_terms(loader):
    doc = build(minimal())
    assert find_undefined_terms(doc, loader) == []
    assert "_:" not in canonicalize(doc, loader)


def test_the_document_has_the_shape_of_the_eu_sample():
    doc = build(contexts_extra=[STATUS_CONTEXT])
    assert doc["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "http://data.europa.eu/snb/model/context/edc-ap",
        "https://w3id.org/security/data-integrity/v2",
        STATUS_CONTEXT,
    ]
    assert doc["id"] == CREDENTIAL_ID
    assert doc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert doc["credentialProfiles"]["id"] == "http://data.europa.eu/snb/credential/e34929035b"
    assert doc["credentialSchema"] == {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"}
    assert doc["issuer"] == issuer()
    assert doc["issuer"]["eIDASIdentifier"]["notation"] == "90000076669"
    # valid from the start of the date of issue; `issued` is the moment of issuing
    assert doc["issuanceDate"] == doc["validFrom"] == "2024-06-28T00:00:00Z"
    assert doc["issued"] == "2024-06-28T10:00:00Z"
    assert "validUntil" not in doc and "expirationDate" not in doc

    display = doc["displayParameter"]
    assert display["title"] == {"lv": "Augstskolas (AII) apliecība", "en": "Higher education institution certificate"}
    assert display["primaryLanguage"]["id"].endswith("/LAV")
    assert [d["language"]["id"][-3:] for d in display["individualDisplay"]] == ["LAV", "ENG"]
    svg = base64.b64decode(display["individualDisplay"][0]["displayDetail"]["image"]["content"]).decode()
    assert svg.startswith("<svg") and "Anna Bērziņa" in svg and "Datu analīze ar Python" in svg
    # compact (it is in every copy, signed): each font given once on a group, not on each of the 12 lines
    assert len(svg.encode()) < 1100 and svg.count("font-size=") == 5 and "<text x" in svg

    person = doc["credentialSubject"]
    assert person["type"] == "Person" and person["fullName"] == {"lv": "Anna Bērziņa"}
    assert person["dateOfBirth"] == "1998-04-17T00:00:00Z"
    claim = person["hasClaim"]
    assert claim["type"] == "LearningAchievement"
    body = dict(claim["awardedBy"]["awardingBody"])
    body.pop("accreditation")  # the institutional quality assurance, checked below
    assert body == issuer()
    assert claim["awardedBy"]["awardingDate"] == "2024-06-28T00:00:00Z"
    assert claim["awardedBy"]["location"]["geographicName"] == {"lv": "Rīga", "en": "Rīga"}
    assert claim["awardedBy"]["location"]["spatialCode"]["id"] == "http://data.europa.eu/nuts/code/LV006"

    q = claim["specifiedBy"]
    assert q["type"] == "Qualification"
    assert [t["id"] for t in q["dcType"]] == [
        "http://data.europa.eu/snb/learning-opportunity/0f7dac46ca",
        "urn:mcred:lv-programme-type:study-course",
    ]
    assert q["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6"
    assert q["eqfLevel"]["inScheme"]["id"] == "http://data.europa.eu/snb/eqf/25831c2"
    assert q["nqfLevel"]["id"] == vocab.LKI_LEVELS[6].id
    assert q["creditPoint"]["framework"]["id"] == "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    assert q["creditPoint"]["point"] == "3"
    assert q["volumeOfLearning"] == "PT80H"
    assert [t["id"] for t in q["thematicArea"]] == [
        "http://data.europa.eu/snb/isced-f/0613",
        "http://data.europa.eu/snb/isced-f/0542",
    ]
    assert len(q["learningOutcome"]) == 3
    assert q["learningOutcome"][2]["relatedESCOSkill"]["id"].startswith("http://data.europa.eu/esco/skill/")
    assert q["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/e92d221e4d"
    assert q["learningSetting"]["id"] == "http://data.europa.eu/snb/learning-setting/e207a81fc7"
    assert q["isPartialQualification"] is False
    assert q["isPartOf"]["type"] == "Qualification" and q["isPartOf"]["title"]["en"].startswith("Computer Science")
    entitlement = q["entitlesTo"]
    assert entitlement["type"] == "LearningEntitlementSpecification"
    assert entitlement["dcType"]["id"] == "http://data.europa.eu/snb/entitlement/64aad92881"
    assert entitlement["entitlementStatus"]["id"] == "http://data.europa.eu/snb/entitlement-status/5b8d6b34fb"
    # institutional quality assurance accredits the awarding body, with the EU accreditation type
    assert "accreditation" not in q
    accreditation = claim["awardedBy"]["awardingBody"]["accreditation"]
    assert accreditation["dcType"]["id"] == "http://data.europa.eu/snb/accreditation/bb4618238e"
    assert accreditation["title"]["en"].startswith("Internal quality assurance")
    assert accreditation["accreditingAgent"]["legalName"]["en"] == "Academic Information Centre"
    assert {n["subject"]["id"] for n in q["additionalNote"]} == {
        "http://data.europa.eu/snb/qualification-topics#pathways",
        "urn:mcred:note-subject:further-information",
    }

    assessment = claim["provenBy"]
    assert assessment["type"] == "LearningAssessment"
    assert assessment["awardedBy"] == claim["awardedBy"]
    assert assessment["specifiedBy"]["dcType"]["id"] == "http://data.europa.eu/snb/assessment/795dac4096"
    assert assessment["specifiedBy"]["title"]["en"] == "Practical project with an oral defence"
    assert assessment["specifiedBy"]["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"
    assert assessment["grade"]["noteLiteral"] == {"lv": "9 (teicami)", "en": "9 (excellent)"}
    assert assessment["idVerification"]["id"] == vocab.SUPERVISION["supervised-online-id-verification"].id

    activity = claim["influencedBy"]
    assert activity["temporal"]["startDate"] == "2024-04-02T00:00:00Z"
    assert activity["awardedBy"] == claim["awardedBy"]


def test_every_node_has_an_id_and_ids_are_deterministic():
    doc = build()
    assert all("id" in node for node in nodes(doc) if "type" in node)
    assert build() == doc
    other = build(credential_id="urn:uuid:9b2c6a43-0f51-4c52-8d4e-7f8c2f0b1d22")
    assert other["credentialSubject"]["id"] != doc["credentialSubject"]["id"]
    assert other["issuer"] == doc["issuer"]  # the institution's nodes are the institution's, not the credential's


def test_the_learner_id_becomes_the_subject_id():
    data = copy.deepcopy(EXAMPLE)
    data["learner"]["id"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert build(data)["credentialSubject"]["id"] == data["learner"]["id"]


def test_defaults_come_from_the_institution_and_the_clock():
    doc = build(minimal())
    claim = doc["credentialSubject"]["hasClaim"]
    assert claim["awardedBy"]["awardingBody"] == doc["issuer"]
    assert claim["awardedBy"]["awardingDate"] == "2024-06-28T10:00:00Z"
    assert "location" not in claim["awardedBy"]
    assert summarize(doc, "en")["country"] == "Latvia"
    assert "influencedBy" not in claim
    # EDC requires a grade; an awarded micro-credential's assessment was passed
    assert claim["provenBy"]["grade"]["noteLiteral"] == {"lv": "ieskaitīts", "en": "passed"}
    assert doc["issuanceDate"] == doc["validFrom"] == doc["issued"] == "2024-06-28T10:00:00Z"
    assert doc["displayParameter"]["title"] == {"lv": "Mikrokvalifikācija", "en": "Micro-credential"}


def test_the_awarding_body_and_country_can_be_overridden(loader):
    data = copy.deepcopy(EXAMPLE)
    data["country"] = "EST"
    data["awardingBody"] = {"legalName": {"en": "Baltic Summer School"}, "homepage": "https://summer.example.ee"}
    with pytest.raises(InvalidInput) as info:  # LV006 is a region of Latvia
        build(data)
    assert info.value.errors[0]["field"] == "region" and "LV006 is a region of Latvia" in info.value.errors[0]["message"]
    del data["region"]
    doc = build(data)
    body = doc["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"]
    assert body["legalName"] == {"en": "Baltic Summer School"}
    assert body["id"].startswith("urn:uuid:") and body["id"] != doc["issuer"]["id"]
    assert body["location"]["address"]["countryCode"]["id"].endswith("/EST")
    summary = summarize(doc, "lv")
    assert summary["country"] == "Igaunija" and summary["awardingBody"] == "Baltic Summer School"
    assert find_undefined_terms(doc, loader) == []


def test_expiration_sets_valid_until_and_expiration_date():
    data = copy.deepcopy(EXAMPLE)
    data["validUntil"] = "2029-06-28"
    doc = build(data)
    assert doc["validUntil"] == doc["expirationDate"] == "2029-06-28T23:59:59Z"
    data["validUntil"] = "2024-06-28"
    del data["dateOfIssue"]
    with pytest.raises(InvalidInput) as info:
        build(data, issued_at=datetime(2024, 7, 1, tzinfo=UTC))
    assert info.value.errors[0]["field"] == "validUntil"


def test_the_caller_can_set_the_expiry():
    # e.g. the institution's default validity period; a datetime is taken as is, a date means the end of that day
    doc = build(valid_until=datetime(2027, 1, 1, 12, 0, tzinfo=UTC))
    assert doc["validUntil"] == doc["expirationDate"] == "2027-01-01T12:00:00Z"
    data = copy.deepcopy(EXAMPLE)
    data["validUntil"] = "2029-06-28"
    assert build(data, valid_until=date(2030, 1, 31))["validUntil"] == "2030-01-31T23:59:59Z"


def test_fractional_hours_become_an_iso_duration():
    data = minimal()
    data["workload"] = {"hours": 12.5}
    q = build(data)["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert q["volumeOfLearning"] == "PT12H30M" and "creditPoint" not in q


def test_a_country_is_required_from_somewhere():
    bare_issuer = {"id": "did:web:issuer.example", "type": "Organisation", "legalName": {"en": "X"}}
    bare_issuer["eIDASIdentifier"] = {"id": "urn:x", "type": "LegalIdentifier", "notation": "1"}
    mc = parse_micro_credential(minimal(), today=ISSUED_AT.date())
    with pytest.raises(InvalidInput) as info:
        build_credential(mc, bare_issuer, credential_id=CREDENTIAL_ID, issued_at=ISSUED_AT)
    assert info.value.errors[0]["field"] == "country"


def test_an_issuer_without_a_legal_identifier_is_refused():
    # EDC requires the issuer's eIDAS legal identifier: an institution without a registration number cannot issue
    no_registration = organisation({k: v for k, v in INSTITUTION.items() if k != "registration"})
    mc = parse_micro_credential(minimal(), today=ISSUED_AT.date())
    with pytest.raises(Conflict) as info:
        build_credential(mc, no_registration, credential_id=CREDENTIAL_ID, issued_at=ISSUED_AT)
    assert info.value.status == 409 and "registration number" in info.value.detail


def test_organisation_refuses_an_incomplete_profile():
    with pytest.raises(InvalidInput) as info:
        organisation({"did": "issuer", "legalName": "Universitāte", "country": "LV"})
    assert [e["field"] for e in info.value.errors] == ["did", "legalName", "country"]


def test_summarize_our_credential_in_both_languages():
    doc = build()
    lv, en = summarize(doc, "lv"), summarize(doc, "en")
    assert lv["title"] == "Datu analīze ar Python" and en["title"] == "Data analysis with Python"
    assert lv["learnerName"] == en["learnerName"] == "Anna Bērziņa"
    assert en["learnerRef"] == "ST-2024-01734"
    assert lv["awardingBody"] == "Latvijas Universitāte" and en["awardingBody"] == "University of Latvia"
    assert lv["country"] == "Latvija" and en["country"] == "Latvia"
    assert en["ects"] == 3 and en["hours"] == 80 and en["eqfLevel"] == 6
    assert en["nqfLevel"] == "LQF Level 6" and lv["nqfLevel"] == "LKI 6. līmenis"
    assert len(en["learningOutcomes"]) == 3 and en["learningOutcomes"][0].startswith("Prepares and cleans")
    assert en["assessment"] == "Practical project with an oral defence"
    assert en["assessmentType"] == "project work" and lv["assessmentType"] == "projekta darbs"
    assert en["programmeType"] == "Study course, module or set of modules (higher education)"
    assert lv["programmeType"] == "Studiju kurss, modulis vai moduļu kopa"
    assert en["documentType"] == "Higher education institution certificate"
    assert lv["documentType"] == "Augstskolas (AII) apliecība"
    assert en["learningOpportunityType"] == "Programme module"
    assert en["region"] == lv["region"] == "Rīga"
    assert en["partOf"] == ["Computer Science (bachelor's study programme)"]
    assert lv["entitlesTo"] == ["Datu zinātne (maģistra studiju programma)"]
    assert en["participation"] == "Blended" and lv["participation"].startswith("Jaukta")
    assert en["qualityAssurance"] == (
        "Internal quality assurance within the quality management system of an accredited higher education "
        "institution (Institutional Quality Assurance; Academic Information Centre)")
    assert lv["qualityAssurance"].endswith("(Institucionālā kvalitātes nodrošināšana; Akadēmiskās informācijas centrs)")
    assert en["grade"] == "9 (excellent)"
    assert en["supervision"] == "Supervised online with ID verification"
    assert en["prerequisites"] == "Secondary education and basic programming skills"
    assert en["fieldsOfEducation"] == ["Software and applications development and analysis", "Statistics"]
    assert en["furtherInformation"]["url"] == "https://www.example.lv/mikrokvalifikacijas/datu-analize"
    assert en["dateOfIssue"] == en["validFrom"] == "2024-06-28T00:00:00Z"
    assert en["validUntil"] is None


def test_summarize_the_eu_sample(elm_sample):
    s = summarize(elm_sample, "en")
    assert s["title"] == "Digital micro-credential creation"
    assert s["learnerName"] == "Ana Andromeda"
    assert s["awardingBody"] == "University of Zed"
    assert s["country"] == "Ireland"
    assert s["eqfLevel"] == 6 and s["ects"] == 2 and s["hours"] == 60
    assert s["nqfLevel"] == "RQF Level 6"
    assert s["learningOutcomes"] == ["Communication, collaboration and creativity", "Developing digital content"]
    assert s["assessment"] == "Digital artefact assessment"
    assert s["participation"] == "Blended"
    assert s["grade"] == "Pass"
    assert s["supervision"] == "Unsupervised without ID Verification"
    assert s["dateOfIssue"] == s["validFrom"] == "2022-12-31T23:00:00Z"
    # asked in Latvian, the English-only sample falls back to English text but uses Latvian vocabulary labels
    lv = summarize(elm_sample, "lv")
    assert lv["title"] == "Digital micro-credential creation" and lv["country"] == "Īrija"


def test_missing_elements_of_the_eu_sample_and_of_ours(elm_sample):
    # The EU sample does not state the type of quality assurance.
    assert missing_micro_credential_elements(elm_sample) == ["qualityAssurance"]
    assert missing_micro_credential_elements(build()) == []
    assert missing_micro_credential_elements(build(minimal())) == []


def test_missing_elements_of_broken_documents():
    assert missing_micro_credential_elements({}) == list(MANDATORY_ELEMENTS)
    odd = {"credentialSubject": [{"hasClaim": "not a node"}], "validFrom": 5}
    assert "title" in missing_micro_credential_elements(odd)
    doc = build()
    del doc["credentialSubject"]["hasClaim"]["specifiedBy"]["eqfLevel"]
    doc["credentialSubject"]["hasClaim"]["specifiedBy"]["creditPoint"]["point"] = "many"
    del doc["credentialSubject"]["hasClaim"]["specifiedBy"]["volumeOfLearning"]
    assert missing_micro_credential_elements(doc) == ["workload", "eqfLevel"]


def _normal(summary: dict) -> dict:
    """A summary with its lists and multi-line texts in a fixed order (RDF statements have none)."""
    def norm(v):
        if isinstance(v, list):
            return sorted(v)
        if isinstance(v, str) and "\n" in v:
            return "\n".join(sorted(v.split("\n")))
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v
    return {k: norm(v) for k, v in summary.items()}


@pytest.mark.parametrize("which", ["full", "minimal", "eu-sample"])
def test_the_readers_read_the_tree_rebuilt_from_the_signed_statements(rdf_tree, elm_sealed_sample, which):
    doc = {"full": build, "minimal": lambda: build(minimal()), "eu-sample": lambda: elm_sealed_sample}[which]()
    tree = rdf_tree(doc)
    assert tree != doc  # nodes merged, values reordered, numbers and booleans as the RDF literals give them
    for lang in ("lv", "en"):
        assert _normal(summarize(tree, lang)) == _normal(summarize(doc, lang))
    assert missing_micro_credential_elements(tree) == missing_micro_credential_elements(doc)


def test_quality_assurance_is_read_wherever_elm_puts_it(elm_sample):
    accreditation = build()["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"]["accreditation"]
    where = {
        "specification": lambda d: d["credentialSubject"]["hasClaim"]["specifiedBy"],
        "issuer": lambda d: d["issuer"],
        "awarding body": lambda d: d["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"],
        "assessing body": lambda d: d["credentialSubject"]["hasClaim"]["provenBy"]["assessedBy"],
    }
    for name, holder in where.items():
        sample = copy.deepcopy(elm_sample)
        target = holder(sample)
        target = target[0] if isinstance(target, list) else target
        target["accreditation"] = [accreditation]
        assert missing_micro_credential_elements(sample) == [], name
        assert summarize(sample, "en")["qualityAssurance"].endswith("(Institutional Quality Assurance; Academic "
                                                                    "Information Centre)"), name
    sample = copy.deepcopy(elm_sample)
    sample["evidence"] = {"id": "urn:x:evidence", "type": "Evidence", "accreditation": accreditation}
    assert missing_micro_credential_elements(sample) == []
    # a quality assurance note (the EU topic, or the subject mcred's earlier credentials used) counts as well
    for subject in ("http://data.europa.eu/snb/qualification-topics#accreditation-and-quality-assurance",
                    "urn:mcred:note-subject:quality-assurance"):
        sample = copy.deepcopy(elm_sample)
        sample["credentialSubject"]["hasClaim"]["specifiedBy"]["additionalNote"] = {
            "id": "urn:x:note", "type": "Note", "noteLiteral": {"en": "Internal QA"}, "subject": {"id": subject}}
        assert missing_micro_credential_elements(sample) == [] and summarize(sample, "en")["qualityAssurance"] == "Internal QA"


def test_the_eu_samples_lack_only_quality_assurance(elm_sample, elm_sealed_sample):
    assert missing_micro_credential_elements(elm_sealed_sample) == ["qualityAssurance"]
    assert missing_micro_credential_elements(elm_sample) == ["qualityAssurance"]
    lacking = [MANDATORY_ELEMENTS[k] for k in missing_micro_credential_elements(elm_sealed_sample)]
    assert lacking == [{"en": "Type of quality assurance", "lv": "Kvalitātes nodrošināšanas veids"}]


def test_derived_ids_are_uuid5_of_the_base_and_the_name():
    import uuid as uuid_module

    from app.domain.elm.build import derived_id
    base = "urn:uuid:7d0d5c2e-6a53-4a8e-9b1e-0c1f2e3d4a5b"
    for name in ("person", "displayImage:lv", "awardingBody", "ā😀", ""):
        assert derived_id(base, name) == f"urn:uuid:{uuid_module.uuid5(uuid_module.UUID(base[9:]), name)}"
        other = "did:web:example.lv:institutions:x"
        assert derived_id(other, name) == \
            f"urn:uuid:{uuid_module.uuid5(uuid_module.uuid5(uuid_module.NAMESPACE_URL, other), name)}"
