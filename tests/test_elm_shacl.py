"""Every micro-credential mcred can issue conforms to the EU's EDC SHACL shapes (edc-generic-full + no-cv), as EDC
validates them; the harness is proven against the EU's own samples first."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from app.domain import vocab
from app.domain.elm import build_credential, organisation
from app.domain.microcredential import EXAMPLE, parse_micro_credential
from tests.apphelpers import auth, new_tenant
from tests.conftest import CREDENTIAL_STATUS

ISSUED_AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ISSUER = organisation({"did": "did:web:issuer.example:lu", "legalName": {"lv": "Latvijas Universitāte"},
                       "country": "LVA", "registration": "90000076669"})
MANDATORY = ("learner", "title", "learningOutcomes", "workload", "eqfLevel", "assessment", "participation",
             "qualityAssurance")


def example() -> dict:
    return copy.deepcopy(EXAMPLE)


def minimal() -> dict:
    data = {k: v for k, v in example().items() if k in MANDATORY}
    data["qualityAssurance"] = {"type": data["qualityAssurance"]["type"]}
    return data


def build(data: dict) -> dict:
    mc = parse_micro_credential(data, today=ISSUED_AT.date())
    return build_credential(mc, ISSUER, credential_id="urn:uuid:7d0d5c2e-6a53-4a8e-9b1e-0c1f2e3d4a5b",
                            issued_at=ISSUED_AT)


def paths(results: list[dict]) -> set[str]:
    return {r["path"].rsplit("/", 1)[-1].rsplit("#", 1)[-1] for r in results}


def test_the_eus_sealed_sample_conforms(edc_report, elm_sealed_sample):
    assert edc_report(elm_sealed_sample) == []


def test_the_harness_finds_what_edc_finds_in_the_unsigned_sample(edc_report, elm_sample):
    # the unsigned file lacks `issued` and the issuer's eIDAS identifier: EDC refuses both
    assert paths(edc_report(elm_sample)) == {"issued", "issuer"}


def test_the_harness_finds_an_invented_accreditation_type(edc_violations):
    doc = build(example())
    holder = doc["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"]
    holder["accreditation"]["dcType"] = {"id": "urn:mcred:accreditation-type:quality-assurance", "type": "Concept",
                                         "inScheme": {"id": "urn:mcred:accreditation-type", "type": "ConceptScheme"}}
    assert "type" in paths(edc_violations(doc))


def _without(path: tuple) -> dict:
    data = example()
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return data


OPTIONAL = [
    ("programmeType",), ("country",), ("region",), ("dateOfIssue",), ("nqfLevel",), ("prerequisites",),
    ("supervision",), ("grade",), ("stackability",), ("fieldsOfEducation",), ("furtherInformation",), ("languages",),
    ("learningSetting",), ("learningPeriod",), ("assessment", "method"), ("assessment", "mode"),
    ("learner", "email"), ("learner", "dateOfBirth"), ("learner", "reference"), ("stackability", "partOf"),
    ("stackability", "entitlesTo"), ("furtherInformation", "url"), ("learningOutcomes", 2, "escoSkill"),
]


def _variants() -> list:
    out = [pytest.param(minimal(), id="minimal"), pytest.param(example(), id="full")]
    out += [pytest.param(_without(p), id="without-" + ".".join(map(str, p))) for p in OPTIONAL]
    programme_qa = example()
    programme_qa["qualityAssurance"]["kind"] = "programme"
    out.append(pytest.param(programme_qa, id="programme-quality-assurance"))
    own_body = example()
    own_body["awardingBody"] = {"legalName": {"en": "Baltic Summer School"}, "country": "EST"}
    own_body["country"] = "LVA"
    out.append(pytest.param(own_body, id="awarding-body-and-institutional-qa"))
    text_only = example()
    text_only["qualityAssurance"] = {"type": text_only["qualityAssurance"]["type"]}
    del text_only["programmeType"]
    out.append(pytest.param(text_only, id="quality-assurance-as-text"))
    english = example()
    english["title"] = {"en": english["title"]["en"]}
    out.append(pytest.param(english, id="english-only"))
    hours = minimal()
    hours["workload"] = {"hours": 12.5}
    hours["supervision"] = "unsupervised-no-id-verification"
    out.append(pytest.param(hours, id="hours-only"))
    return out


@pytest.mark.parametrize("data", _variants())
def test_each_input_builds_a_conforming_credential(edc_report, data):
    assert edc_report(build(data)) == []


@pytest.mark.parametrize("code", list(vocab.LV_PROGRAMME_TYPES))
def test_each_programme_type_builds_a_conforming_credential(edc_report, code):
    data = example()
    data["programmeType"] = code
    data["nqfLevel"] = data["eqfLevel"] = 4
    doc = build(data)
    assert edc_report(doc) == []
    types = {t["id"] for t in doc["credentialSubject"]["hasClaim"]["specifiedBy"]["dcType"]}
    assert types == {vocab.LV_PROGRAMME_TYPES[code].opportunity.id, vocab.LV_PROGRAMME_TYPES[code].concept.id}


def test_what_the_service_issues_conforms_but_for_the_status_clash(client, edc_report, edc_violations):
    """A cohort through the API (signed, with revocation and suspension entries): only the documented clash."""
    _, key = new_tenant(client, suspension_enabled=True)
    items = [minimal(), example()]
    for code in vocab.LV_PROGRAMME_TYPES:
        item = example()
        item["programmeType"] = code
        item["nqfLevel"] = item["eqfLevel"] = 3
        item["dateOfIssue"] = date.today().isoformat()  # the service's clock is the real one here
        items.append(item)
    r = client.post("/credentials/cohorts", json={"microCredentials": items}, headers=auth(key))
    assert r.status_code == 201, r.text
    issued = [c["verifiableCredential"] for c in r.json()["credentials"]]
    assert len(issued) == len(items)
    for vc in issued:
        assert vc["proof"] and len(vc["credentialStatus"]) == 2
        assert edc_violations(vc) == []
        # the clash is real: EDC wants one literal URI, a status list entry is a node (two here)
        clash = [r for r in edc_report(vc) if r["path"] == CREDENTIAL_STATUS]
        assert {r["component"].rsplit("#", 1)[-1] for r in clash} == {"DatatypeConstraintComponent",
                                                                      "MaxCountConstraintComponent"}


def test_the_readme_example_conforms(edc_report):
    import json
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    body = json.loads(re.search(r"-d '(\{.*?\})'\n", readme, re.S).group(1))
    assert edc_report(build(body["microCredential"])) == []
