"""Micro-credentials as European Learning Model (ELM 3) European Digital Credentials, and reading them back.

build_credential() turns the friendly input (app.domain.microcredential, EU Council Recommendation 2022/C 243/02
Annex I) into a W3C Verifiable Credential (VC Data Model 1.1 + the EDC application profile context) shaped like
the EU's official micro-credential sample (Sample-MC-Annex1): Person -hasClaim-> LearningAchievement, awardedBy
AwardingProcess, provenBy LearningAssessment, specifiedBy Qualification, influencedBy LearningActivity.

Every node has an id (no blank nodes): blank-node canonicalization is the expensive, attack-prone part of RDFC-1.0,
and ids keep the credential's triples stable. Ids are urn:uuid v5 derived from the credential id (or, for an
organisation's parts, from its DID), so building the same input twice gives the same document.

summarize() and missing_micro_credential_elements() read any ELM credential, ours or others' (e.g. the EU sample),
for the human display page and the verifier's format check.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from app.domain import vocab
from app.domain.jsonld import as_list
from app.domain.microcredential import MicroCredentialInput
from app.domain.timefmt import to_xsd
from app.errors import InvalidInput

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
BASE_CONTEXTS = (VC_V1_CONTEXT, ELM_CONTEXT, DATA_INTEGRITY_CONTEXT)
# The EU sample validates against the generic EDC SHACL shapes; there is no micro-credential-specific profile.
CREDENTIAL_SCHEMA = {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"}

MANDATORY_ELEMENTS: Mapping[str, Mapping[str, str]] = {
    "learner": {"en": "Identification of the learner", "lv": "Izglītojamā identifikācija"},
    "title": {"en": "Title of the micro-credential", "lv": "Mikrokvalifikācijas nosaukums"},
    "country": {"en": "Country/region of the issuer", "lv": "Izdevēja valsts/reģions"},
    "awardingBody": {"en": "Awarding body", "lv": "Piešķīrējiestāde"},
    "dateOfIssue": {"en": "Date of issue", "lv": "Izdošanas datums"},
    "learningOutcomes": {"en": "Learning outcomes", "lv": "Mācīšanās rezultāti"},
    "workload": {"en": "Notional workload (ECTS credits wherever possible)", "lv": "Nosacītā slodze (ECTS kredītpunkti, ja iespējams)"},
    "eqfLevel": {"en": "Level of the learning experience (EQF)", "lv": "Mācību pieredzes līmenis (EKI)"},
    "assessment": {"en": "Type of assessment", "lv": "Novērtēšanas veids"},
    "participation": {"en": "Form of participation in the learning activity", "lv": "Dalības veids mācībās"},
    "qualityAssurance": {"en": "Type of quality assurance", "lv": "Kvalitātes nodrošināšanas veids"},
}


# --- ids and small node builders ------------------------------------------------------------------------------


def _namespace(base: str) -> uuid.UUID:
    try:
        return uuid.UUID(base.removeprefix("urn:uuid:"))
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, base)


def derived_id(base: str, name: str) -> str:
    """A deterministic urn:uuid for the node ``name`` of the document or organisation ``base``."""
    return f"urn:uuid:{uuid.uuid5(_namespace(base), name)}"


def _note(node_id: str, text: Mapping[str, str], subject: vocab.Concept | None = None) -> dict:
    note = {"id": node_id, "type": "Note", "noteLiteral": dict(text)}
    if subject is not None:
        note["subject"] = subject.to_elm()
    return note


def _web_resource(node_id: str, url: str) -> dict:
    return {"id": node_id, "type": "WebResource", "contentURL": url}


def _one_or_many(nodes: list) -> Any:
    return nodes[0] if len(nodes) == 1 else nodes


def _day_start(d: date) -> str:
    return to_xsd(datetime.combine(d, time(0, 0, 0), UTC))


def _iso_hours(hours: float) -> str:
    """ISO 8601 duration for notional hours (ELM volumeOfLearning is xsd:duration), e.g. 12.5 -> PT12H30M."""
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    return f"PT{h}H" + (f"{m}M" if m else "")


def _number(value: float) -> str:
    return f"{value:g}"


# --- organisations ----------------------------------------------------------------------------------------------


def organisation(profile: Mapping[str, Any]) -> dict:
    """The ELM Organisation node of an institution profile.

    ``profile``: {"did", "legalName": {"lv", "en"}, "country": "LVA", "homepage"?, "registration"?, "email"?}.
    ELM requires an Organisation's legal name and location (with a country); the location, registration and
    contact nodes get ids derived from the DID, so the same institution always yields the same nodes.
    """
    errors = []
    did = profile.get("did")
    if not isinstance(did, str) or ":" not in did:
        errors.append({"field": "did", "message": "must be the organisation's DID or another absolute URI"})
    legal_name = profile.get("legalName")
    if not isinstance(legal_name, Mapping) or not legal_name or not all(isinstance(v, str) and v for v in legal_name.values()):
        errors.append({"field": "legalName", "message": 'must be a language map such as {"lv": "...", "en": "..."}'})
    country = profile.get("country")
    if country not in vocab.COUNTRIES:
        errors.append({"field": "country", "message": "must be a known ISO 3166-1 alpha-3 country code such as LVA"})
    if errors:
        raise InvalidInput("The institution profile cannot describe an ELM organisation.", errors=errors)

    country_concept = vocab.COUNTRIES[country].to_elm()
    node: dict[str, Any] = {
        "id": did,
        "type": "Organisation",
        "legalName": dict(legal_name),
        "location": {
            "id": derived_id(did, "location"),
            "type": "Location",
            "address": {"id": derived_id(did, "address"), "type": "Address", "countryCode": country_concept},
        },
    }
    if profile.get("registration"):
        node["registration"] = {
            "id": derived_id(did, "registration"),
            "type": "LegalIdentifier",
            "notation": str(profile["registration"]),
            "spatial": country_concept,
        }
    if profile.get("homepage"):
        node["homepage"] = _web_resource(derived_id(did, "homepage"), str(profile["homepage"]))
    if profile.get("email"):
        node["contactPoint"] = {
            "id": derived_id(did, "contactPoint"),
            "type": "ContactPoint",
            "emailAddress": {"id": f"mailto:{profile['email']}", "type": "Mailbox"},
        }
    return node


def _organisation_country(org: Mapping[str, Any]) -> str | None:
    address = _get(_first(_get(org, "location")), "address")
    return vocab.country_code_of(_get(_first(_get(_first(address), "countryCode")), "id"))


# --- building -----------------------------------------------------------------------------------------------------


def build_credential(
    mc: MicroCredentialInput,
    issuer: dict,
    *,
    credential_id: str,
    issued_at: datetime,
    contexts_extra: Iterable[str] = (),
    valid_until: datetime | date | None = None,
) -> dict:
    """The unsigned ELM micro-credential for ``mc``, issued by ``issuer`` (an ELM Organisation node).

    ``valid_until`` (e.g. the institution's default validity) overrides ``mc.valid_until``; a date means the end
    of that day (UTC).
    """
    nid = lambda name: derived_id(credential_id, name)
    # Names, regions: text that is not translated; tag it with the credential's primary language.
    primary = "lv" if "lv" in mc.title else "en"

    country = mc.country or _organisation_country(issuer)
    if country is None:
        raise InvalidInput(
            "The country of the issuer is a mandatory element and neither the input nor the institution gives it.",
            errors=[{"field": "country", "message": "the country/region of the issuer is required (Annex I)"}],
        )
    expires = valid_until if valid_until is not None else mc.valid_until
    valid_until = None
    if expires is not None:
        if not isinstance(expires, datetime):
            expires = datetime.combine(expires, time(23, 59, 59), UTC)
        valid_until = to_xsd(expires)
        if valid_until <= to_xsd(issued_at):
            raise InvalidInput(
                "The expiration date must be after the date of issue.",
                errors=[{"field": "validUntil", "message": "must be after the date of issue"}],
            )

    if mc.awarding_body is not None:
        ab = mc.awarding_body
        body = organisation(
            {
                "did": ab.id or nid("awardingBody"),
                "legalName": ab.legal_name,
                "country": ab.country or country,
                "homepage": ab.homepage,
                "email": ab.email,
            }
        )
    else:
        body = issuer

    participation = vocab.LEARNING_MODES[mc.participation].to_elm()
    languages = [vocab.LANGUAGES[code].to_elm() for code in (mc.languages or [])]

    awarded_by: dict[str, Any] = {
        "id": nid("awardingProcess"),
        "type": "AwardingProcess",
        "awardingBody": body,
        "awardingDate": _day_start(mc.date_of_issue) if mc.date_of_issue else to_xsd(issued_at),
    }
    if mc.country or mc.region:
        location: dict[str, Any] = {
            "id": nid("awardingLocation"),
            "type": "Location",
            "address": {"id": nid("awardingAddress"), "type": "Address", "countryCode": vocab.COUNTRIES[country].to_elm()},
        }
        if mc.region:
            location["geographicName"] = {primary: mc.region}
        awarded_by["location"] = location

    achievement: dict[str, Any] = {
        "id": nid("learningAchievement"),
        "type": "LearningAchievement",
        "title": dict(mc.title),
        "awardedBy": awarded_by,
        "provenBy": _assessment(mc, body, languages, nid),
        "specifiedBy": _qualification(mc, country, participation, languages, nid),
    }
    if mc.learning_period is not None:
        achievement["influencedBy"] = _activity(mc, body, participation, languages, nid)

    doc: dict[str, Any] = {
        "@context": [*BASE_CONTEXTS, *contexts_extra],
        "id": credential_id,
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": vocab.CREDENTIAL_PROFILE_GENERIC.to_elm(),
        "credentialSchema": dict(CREDENTIAL_SCHEMA),
        "issuer": issuer,
        # VC 1.1 verifiers (e.g. @digitalbazaar/vc) require issuanceDate/expirationDate on v1 credentials; ELM and
        # VC 2.0 readers use validFrom/validUntil. Both pairs are defined by the pinned VC v1 context.
        "issuanceDate": to_xsd(issued_at),
        "validFrom": to_xsd(issued_at),
        "credentialSubject": _person(mc, achievement, primary, nid),
    }
    if valid_until is not None:
        doc["expirationDate"] = valid_until
        doc["validUntil"] = valid_until
    return doc


def _person(mc: MicroCredentialInput, achievement: dict, primary: str, nid) -> dict:
    learner = mc.learner
    person: dict[str, Any] = {
        "id": learner.id or nid("person"),
        "type": "Person",
        "givenName": {primary: learner.given_name},
        "familyName": {primary: learner.family_name},
        "fullName": {primary: f"{learner.given_name} {learner.family_name}"},
    }
    if learner.reference:
        person["identifier"] = {
            "id": nid("learnerReference"),
            "type": "Identifier",
            "schemeName": "Learner reference",
            "notation": learner.reference,
        }
    if learner.email:
        person["contactPoint"] = {
            "id": nid("learnerContactPoint"),
            "type": "ContactPoint",
            "emailAddress": {"id": f"mailto:{learner.email}", "type": "Mailbox"},
        }
    if learner.date_of_birth:
        person["dateOfBirth"] = _day_start(learner.date_of_birth)
    if learner.national_id:
        person["nationalID"] = {
            "id": nid("nationalId"),
            "type": "LegalIdentifier",
            "notation": learner.national_id.value,
            "spatial": vocab.COUNTRIES[learner.national_id.country].to_elm(),
        }
    person["hasClaim"] = achievement
    return person


def _assessment(mc: MicroCredentialInput, body: dict, languages: list, nid) -> dict:
    spec: dict[str, Any] = {
        "id": nid("learningAssessmentSpecification"),
        "type": "LearningAssessmentSpecification",
        "title": dict(mc.assessment.type),
    }
    if mc.assessment.mode:
        spec["mode"] = vocab.LEARNING_MODES[mc.assessment.mode].to_elm()
    if languages:
        spec["language"] = _one_or_many(languages)
    assessment: dict[str, Any] = {
        "id": nid("learningAssessment"),
        "type": "LearningAssessment",
        "title": dict(mc.assessment.type),
        "assessedBy": body,
    }
    # ELM's shape wants a grade; the Recommendation makes it optional, and we do not invent one.
    if mc.grade:
        assessment["grade"] = _note(nid("grade"), mc.grade)
    if mc.supervision:
        assessment["idVerification"] = vocab.SUPERVISION[mc.supervision].to_elm()
    assessment["specifiedBy"] = spec
    return assessment


def _qualification(mc: MicroCredentialInput, country: str, participation: dict, languages: list, nid) -> dict:
    q: dict[str, Any] = {
        "id": nid("qualification"),
        "type": "Qualification",
        "title": dict(mc.title),
        "eqfLevel": vocab.EQF_LEVELS[mc.eqf_level].to_elm(),
    }
    if mc.nqf_level:
        q["nqfLevel"] = vocab.LKI_LEVELS[mc.nqf_level].to_elm()
    if mc.fields_of_education:
        q["thematicArea"] = _one_or_many([vocab.ISCED_F[c].to_elm() for c in dict.fromkeys(mc.fields_of_education)])
    if mc.workload.ects is not None:
        q["creditPoint"] = {
            "id": nid("creditPoint"),
            "type": "CreditPoint",
            "framework": vocab.ECTS.to_elm(),
            "point": _number(mc.workload.ects),
        }
    if mc.workload.hours is not None:
        q["volumeOfLearning"] = _iso_hours(mc.workload.hours)
    q["learningOutcome"] = [_outcome(o, n, nid) for n, o in enumerate(mc.learning_outcomes, 1)]
    if mc.prerequisites:
        q["entryRequirement"] = _note(nid("entryRequirement"), mc.prerequisites)
    q["mode"] = participation
    if mc.learning_setting:
        q["learningSetting"] = vocab.LEARNING_SETTINGS[mc.learning_setting].to_elm()
    if languages:
        q["language"] = _one_or_many(languages)
    if mc.stackability and mc.stackability.is_partial_qualification is not None:
        q["isPartialQualification"] = mc.stackability.is_partial_qualification

    notes = [_note(nid("qualityAssuranceNote"), mc.quality_assurance.type, vocab.NOTE_SUBJECTS["quality-assurance"])]
    if mc.stackability and mc.stackability.description:
        notes.append(_note(nid("stackabilityNote"), mc.stackability.description, vocab.NOTE_SUBJECTS["stackability"]))
    info = mc.further_information
    if info and info.text:
        notes.append(_note(nid("furtherInformationNote"), info.text, vocab.NOTE_SUBJECTS["further-information"]))
    q["additionalNote"] = _one_or_many(notes)
    if info and info.url:
        q["homepage"] = _web_resource(nid("furtherInformationPage"), info.url)

    qa_body = mc.quality_assurance.body
    if qa_body is not None:
        q["accreditation"] = {
            "id": nid("accreditation"),
            "type": "Accreditation",
            "title": dict(mc.quality_assurance.type),
            "dcType": vocab.QA_ACCREDITATION_TYPE.to_elm(),
            "accreditingAgent": organisation(
                {
                    "did": qa_body.id or nid("qualityAssuranceBody"),
                    "legalName": qa_body.legal_name,
                    "country": qa_body.country or country,
                    "homepage": qa_body.homepage,
                    "email": qa_body.email,
                }
            ),
        }
    return q


def _outcome(outcome, n: int, nid) -> dict:
    node: dict[str, Any] = {"id": nid(f"learningOutcome:{n}"), "type": "LearningOutcome", "title": dict(outcome.text)}
    if outcome.esco_skill:
        node["relatedESCOSkill"] = {
            "id": outcome.esco_skill,
            "type": "Concept",
            "inScheme": {"id": vocab.ESCO_SKILL_SCHEME, "type": "ConceptScheme"},
        }
    return node


def _activity(mc: MicroCredentialInput, body: dict, participation: dict, languages: list, nid) -> dict:
    period = mc.learning_period
    temporal = {"id": nid("learningPeriod"), "type": "PeriodOfTime", "startDate": _day_start(period.start_date)}
    if period.end_date:
        temporal["endDate"] = to_xsd(datetime.combine(period.end_date, time(23, 59, 59), UTC))
    spec: dict[str, Any] = {
        "id": nid("learningActivitySpecification"),
        "type": "LearningActivitySpecification",
        "title": dict(mc.title),
        "mode": participation,
    }
    if languages:
        spec["language"] = _one_or_many(languages)
    if mc.workload.hours is not None:
        spec["volumeOfLearning"] = _iso_hours(mc.workload.hours)
    return {
        "id": nid("learningActivity"),
        "type": "LearningActivity",
        "title": dict(mc.title),
        "directedBy": body,
        "temporal": temporal,
        "specifiedBy": spec,
    }


# --- reading ------------------------------------------------------------------------------------------------------


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, Mapping) else None


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(langmap: Any, lang: str) -> str | None:
    """Text in ``lang`` from a JSON-LD language map, falling back to en, lv, then any language."""
    if isinstance(langmap, str):
        return langmap or None
    if not isinstance(langmap, Mapping) or not langmap:
        return None
    def as_str(v: Any) -> str | None:
        if isinstance(v, list):
            v = " ".join(x for x in v if isinstance(x, str))
        return v if isinstance(v, str) and v else None
    for key in (lang, "en", "lv"):
        if as_str(langmap.get(key)):
            return as_str(langmap.get(key))
    return next((s for s in map(as_str, langmap.values()) if s), None)


def _label(concept: Any, lang: str) -> str | None:
    """A concept's label in ``lang``: the credential's own, else mcred's vocabulary, else any language."""
    concept = _first(concept)
    labels = _get(concept, "prefLabel")
    if isinstance(labels, Mapping) and labels.get(lang):
        return _text({lang: labels[lang]}, lang)
    known = vocab.concept_by_id(_get(concept, "id"))
    if known is not None and known.pref_label.get(lang):
        return known.label(lang)
    return _text(labels, lang)


_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?$")


def _hours(duration: Any) -> float | int | None:
    if not isinstance(duration, str):
        return None
    m = _DURATION.match(duration)
    if not m or duration in ("P", "PT"):
        return None
    days, hours, minutes = (float(x) if x else 0.0 for x in m.groups())
    return _tidy(days * 24 + hours + minutes / 60)


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _claim(credential: Any) -> Any:
    subject = _first(_get(credential, "credentialSubject"))
    claims = as_list(_get(subject, "hasClaim"))
    for claim in claims:
        if "LearningAchievement" in as_list(_get(claim, "type")):
            return claim
    return _first(claims)


def _notes_about(spec: Any, subject_id: str, lang: str) -> list[str]:
    out = []
    for note in as_list(_get(spec, "additionalNote")):
        if _get(_first(_get(note, "subject")), "id") == subject_id:
            text = _text(_get(note, "noteLiteral"), lang)
            if text:
                out.append(text)
    return out


def summarize(credential: dict, lang: str = "lv") -> dict:
    """The human-readable fields of an ELM micro-credential, in ``lang`` where the credential has it."""
    subject = _first(_get(credential, "credentialSubject"))
    claim = _claim(credential)
    spec = _first(_get(claim, "specifiedBy"))
    awarded = _first(_get(claim, "awardedBy"))
    body = _first(_get(awarded, "awardingBody"))
    proven = _first(_get(claim, "provenBy"))

    learner = _text(_get(subject, "fullName"), lang)
    if not learner:
        parts = [_text(_get(subject, "givenName"), lang), _text(_get(subject, "familyName"), lang)]
        learner = " ".join(p for p in parts if p) or None

    country_concept = _get(_first(_get(_first(_get(awarded, "location")), "address")), "countryCode")
    if country_concept is None:
        country_concept = _get(_first(_get(_first(_get(body, "location")), "address")), "countryCode")

    ects = None
    for cp in as_list(_get(spec, "creditPoint")):
        if _get(_first(_get(cp, "framework")), "id") == vocab.ECTS.id:
            try:
                ects = _tidy(float(_get(cp, "point")))
            except (TypeError, ValueError):
                pass
            break

    qa = _notes_about(spec, vocab.NOTE_SUBJECTS["quality-assurance"].id, lang)
    if not qa:
        qa = [t for t in (_text(_get(a, "title"), lang) for a in as_list(_get(spec, "accreditation"))) if t]

    further_text = _notes_about(spec, vocab.NOTE_SUBJECTS["further-information"].id, lang)
    further_url = _get(_first(_get(spec, "homepage")), "contentURL")
    further = None
    if further_text or further_url:
        further = {"text": "\n".join(further_text) or None, "url": further_url if isinstance(further_url, str) else None}

    assessment_spec = _first(_get(proven, "specifiedBy"))
    stack = _notes_about(spec, vocab.NOTE_SUBJECTS["stackability"].id, lang)
    reference = next(
        (_get(i, "notation") for i in as_list(_get(subject, "identifier")) if isinstance(_get(i, "notation"), str)), None
    )
    return {
        "title": _text(_get(claim, "title"), lang) or _text(_get(spec, "title"), lang),
        "learnerName": learner,
        "learnerRef": reference,
        "awardingBody": _text(_get(body, "legalName"), lang),
        "country": _label(country_concept, lang),
        "dateOfIssue": _get(awarded, "awardingDate") or _get(credential, "issuanceDate") or _get(credential, "validFrom"),
        "ects": ects,
        "hours": _hours(_get(spec, "volumeOfLearning")),
        "eqfLevel": vocab.eqf_level_of(_get(_first(_get(spec, "eqfLevel")), "id")),
        "nqfLevel": _label(_get(spec, "nqfLevel"), lang),
        "learningOutcomes": [t for t in (_text(_get(o, "title"), lang) for o in as_list(_get(spec, "learningOutcome"))) if t],
        "assessment": _text(_get(assessment_spec, "title"), lang) or _text(_get(proven, "title"), lang),
        "assessmentMode": _label(_get(assessment_spec, "mode"), lang),
        "participation": _label(_get(spec, "mode"), lang),
        "qualityAssurance": "\n".join(qa) or None,
        "grade": _text(_get(_first(_get(proven, "grade")), "noteLiteral"), lang),
        "validFrom": _get(credential, "validFrom") or _get(credential, "issuanceDate"),
        "validUntil": _get(credential, "validUntil") or _get(credential, "expirationDate"),
        "supervision": _label(_get(proven, "idVerification"), lang),
        "prerequisites": _text(_get(_first(_get(spec, "entryRequirement")), "noteLiteral"), lang),
        "fieldsOfEducation": [t for t in (_label(c, lang) for c in as_list(_get(spec, "thematicArea"))) if t],
        "furtherInformation": further,
        "stackability": "\n".join(stack) or None,
        "isPartialQualification": _get(spec, "isPartialQualification"),
        "languages": [t for t in (_label(c, lang) for c in as_list(_get(spec, "language"))) if t],
        "learningSetting": _label(_get(spec, "learningSetting"), lang),
    }


def missing_micro_credential_elements(credential: dict) -> list[str]:
    """The Annex I mandatory elements (keys of MANDATORY_ELEMENTS) an ELM credential does not carry."""
    s = summarize(credential, "en")
    spec = _first(_get(_claim(credential), "specifiedBy"))
    present = {
        "learner": bool(s["learnerName"]),
        "title": bool(s["title"]),
        "country": bool(s["country"]),
        "awardingBody": bool(s["awardingBody"]),
        "dateOfIssue": bool(s["dateOfIssue"]),
        "learningOutcomes": bool(s["learningOutcomes"]),
        "workload": s["ects"] is not None or s["hours"] is not None,
        "eqfLevel": _get(spec, "eqfLevel") is not None,
        "assessment": bool(s["assessment"]),
        "participation": bool(s["participation"]),
        "qualityAssurance": bool(s["qualityAssurance"]),
    }
    return [key for key in MANDATORY_ELEMENTS if not present[key]]
