"""Building micro-credentials as European Learning Model (ELM 3) European Digital Credentials.

build_credential() turns the friendly input (app.domain.microcredential, EU Council Recommendation 2022/C 243/02
Annex I) into a W3C Verifiable Credential (VC Data Model 1.1 + the EDC application profile context) shaped like
the EU's official micro-credential sample (Sample-MC-Annex1): Person -hasClaim-> LearningAchievement, awardedBy
AwardingProcess, provenBy LearningAssessment, specifiedBy Qualification, influencedBy LearningActivity.

Every node has an id (no blank nodes): blank-node canonicalization is the expensive, attack-prone part of RDFC-1.0,
and ids keep the credential's triples stable. Ids are urn:uuid v5 derived from the credential id (or, for an
organisation's parts, from its DID), so building the same input twice gives the same document.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from app.domain import display, vocab
from app.domain.elm.read import organisation_country
from app.domain.microcredential import MicroCredentialInput
from app.domain.timefmt import to_xsd
from app.errors import Conflict, InvalidInput

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
BASE_CONTEXTS = (VC_V1_CONTEXT, ELM_CONTEXT, DATA_INTEGRITY_CONTEXT)
# The EU sample validates against the generic EDC SHACL shapes; there is no micro-credential-specific profile.
# The EDC shapes require a credentialSchema. mcred's credentials meet edc-generic-full (with the no-cv shapes it
# imports) in every constraint but one that no W3C status list can meet: the shapes want credentialStatus as at most
# one literal URI, and a Bitstring Status List entry is a node (two with suspension). tests/test_elm_shacl.py proves
# it with pySHACL; README "What a credential is" documents the clash.
CREDENTIAL_SCHEMA = {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"}


# --- ids and small node builders ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _namespace(base: str) -> bytes:
    """The uuid5 namespace of a document or organisation (its own uuid, else one made from its IRI), as bytes;
    remembered: a credential names ~40 nodes from one base."""
    try:
        return uuid.UUID(base.removeprefix("urn:uuid:")).bytes
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, base).bytes


def derived_id(base: str, name: str) -> str:
    """A deterministic urn:uuid for the node ``name`` of the document or organisation ``base``: RFC 4122 (RFC 9562
    section 5.5) version 5, ``uuid.uuid5(namespace, name)``, written without building UUID objects."""
    digest = bytearray(hashlib.sha1(_namespace(base) + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
        # The registration number is the organisation's legal identifier, and the one EDC requires of an issuer as
        # its eIDAS legal identifier (edc:IssuerNodeShape); one node serves both, as in the EU sample.
        legal_id = {
            "id": derived_id(did, "registration"),
            "type": "LegalIdentifier",
            "notation": str(profile["registration"]),
            "spatial": country_concept,
        }
        node["eIDASIdentifier"] = legal_id
        node["registration"] = legal_id
    if profile.get("homepage"):
        node["homepage"] = _web_resource(derived_id(did, "homepage"), str(profile["homepage"]))
    if profile.get("email"):
        node["contactPoint"] = {
            "id": derived_id(did, "contactPoint"),
            "type": "ContactPoint",
            "emailAddress": {"id": f"mailto:{profile['email']}", "type": "Mailbox"},
        }
    return node


# --- building -----------------------------------------------------------------------------------------------------


def can_issue(issuer: dict) -> None:
    """Whether ``issuer`` (an Organisation node) can issue ELM micro-credentials at all; raises Conflict if not."""
    if not isinstance(issuer.get("eIDASIdentifier"), Mapping):
        raise Conflict(
            "The institution's profile has no registration number: the European Digital Credential profile requires "
            "the issuer's legal identifier (eIDAS), so mcred cannot issue ELM micro-credentials for it. Give the "
            "institution its registration number (e.g. from the Register of Enterprises): `mcred update-institution "
            "SLUG --registration NUMBER`.",
            slug="institution-profile-incomplete",
        )


def buildable(mc: MicroCredentialInput, issuer: dict, *, issued_at: datetime,
              valid_until: datetime | date | None = None) -> tuple[str, str, str | None]:
    """What ``build_credential`` checks of the input and the issuer before it builds anything, raising what it
    raises (InvalidInput, Conflict); returns (the issuer's country, validFrom, validUntil or None). A batch
    validates its items with this (and the input model) alone: building every document costs several times more,
    and the signing processes build it anyway."""
    can_issue(issuer)
    country = mc.country or organisation_country(issuer)
    if country is None:
        raise InvalidInput(
            "The country of the issuer is a mandatory element and neither the input nor the institution gives it.",
            errors=[{"field": "country", "message": "the country/region of the issuer is required (Annex I)"}],
        )
    if mc.region and country != vocab.REGION_COUNTRY:
        raise InvalidInput(
            "The region code is a region of Latvia, but the country of the issuer is not Latvia.",
            errors=[{"field": "region", "message": f"{mc.region} is a region of Latvia (LVA), not of {country}: "
                     "leave 'region' out for an issuer in another country"}],
        )
    # Valid from the start of the date of issue (UTC), and never after the moment of issuing.
    starts = min(datetime.combine(mc.date_of_issue, time(0, 0, 0), UTC), issued_at) if mc.date_of_issue else issued_at
    valid_from = to_xsd(starts)
    expires = valid_until if valid_until is not None else mc.valid_until
    valid_until = None
    if expires is not None:
        if not isinstance(expires, datetime):
            expires = datetime.combine(expires, time(23, 59, 59), UTC)
        valid_until = to_xsd(expires)
        # A record from before (its date of issue and expiry both past) is issued expired (the caller says so);
        # without a date of issue the date of issue is today, so a past expiry would precede it.
        if expires <= starts:
            raise InvalidInput(
                "The expiration date must be after the date of issue.",
                errors=[{"field": "validUntil", "message": "must be after the date of issue (today, unless "
                         "'dateOfIssue' gives the date of issue of a record from before)"}],
            )

    return country, valid_from, valid_until


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

    ``issued_at`` is the moment of issuing (VC ``issued``). The credential is valid from the start of the date of
    issue when the input gives one (so the date of issue and "valid from" never contradict each other), else from
    ``issued_at``; ``validFrom`` and VC 1.1's ``issuanceDate`` say the same, and the awarding date is the date of
    issue. ``valid_until`` (e.g. the
    institution's default validity) overrides ``mc.valid_until``; a date means the end of that day (UTC).
    """
    nid = lambda name: derived_id(credential_id, name)
    # Names, regions: text that is not translated; tag it with the credential's primary language.
    primary = "lv" if "lv" in mc.title else "en"

    country, valid_from, valid_until = buildable(mc, issuer, issued_at=issued_at, valid_until=valid_until)

    if mc.awarding_body is not None:
        body = _input_organisation(mc.awarding_body, nid("awardingBody"), country)
    else:
        body = dict(issuer)  # a copy: institutional quality assurance is added to the awarding body below
    qa = mc.quality_assurance
    if qa.kind == "institutional":
        # Institutional quality assurance accredits the organisation (ELM Organisation.accreditation).
        body["accreditation"] = _accreditation(mc, country, nid)

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
            region = vocab.REGIONS[mc.region]
            location["geographicName"] = dict(region.pref_label)
            location["spatialCode"] = region.to_elm()
        awarded_by["location"] = location

    achievement: dict[str, Any] = {
        "id": nid("learningAchievement"),
        "type": "LearningAchievement",
        "title": dict(mc.title),
        "awardedBy": awarded_by,
        "provenBy": _assessment(mc, body, awarded_by, languages, nid),
        "specifiedBy": _qualification(mc, country, participation, languages, nid),
    }
    if mc.learning_period is not None:
        achievement["influencedBy"] = _activity(mc, body, awarded_by, participation, languages, nid)

    doc: dict[str, Any] = {
        "@context": [*BASE_CONTEXTS, *contexts_extra],
        "id": credential_id,
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": vocab.CREDENTIAL_PROFILE_GENERIC.to_elm(),
        "credentialSchema": dict(CREDENTIAL_SCHEMA),
        "displayParameter": _display(mc, body, valid_from, primary, nid),
        "issuer": issuer,
        # VC 1.1 verifiers (e.g. @digitalbazaar/vc) require issuanceDate/expirationDate on v1 credentials; ELM and
        # VC 2.0 readers use validFrom/validUntil; EDC requires `issued`. All are defined by the pinned VC v1 context.
        "issued": to_xsd(issued_at),
        "issuanceDate": valid_from,
        "validFrom": valid_from,
        "credentialSubject": _person(mc, achievement, primary, nid),
    }
    if valid_until is not None:
        doc["expirationDate"] = valid_until
        doc["validUntil"] = valid_until
    return doc


def _input_organisation(org, node_id: str, country: str) -> dict:
    """An organisation given in the input (awarding body, quality assurance body) as an ELM Organisation."""
    return organisation(
        {
            "did": org.id or node_id,
            "legalName": org.legal_name,
            "country": org.country or country,
            "homepage": org.homepage,
            "email": org.email,
        }
    )


def _accreditation(mc: MicroCredentialInput, country: str, nid) -> dict:
    """Annex I "type of quality assurance" as an ELM Accreditation: EU accreditation type, title, accrediting agent."""
    qa = mc.quality_assurance
    return {
        "id": nid("accreditation"),
        "type": "Accreditation",
        "dcType": vocab.QA_KINDS[qa.kind].to_elm(),
        "title": dict(qa.type),
        "accreditingAgent": _input_organisation(qa.body, nid("qualityAssuranceBody"), country),
    }


def _display(mc: MicroCredentialInput, body: dict, valid_from: str, primary: str, nid) -> dict:
    """ELM DisplayParameter: the document's title, its languages, and one page image per language (EDC requires them)."""
    ptype = vocab.LV_PROGRAMME_TYPES.get(mc.programme_type) if mc.programme_type else None
    document = ptype.document if ptype else vocab.MICRO_CREDENTIAL_DOCUMENT
    shown = [lang for lang in ("lv", "en") if lang in mc.title]
    learner = f"{mc.learner.given_name} {mc.learner.family_name}"
    displays = []
    for lang in shown:
        labels = display.LABELS[lang]
        level = f"{labels['eqf']} {mc.eqf_level}" + (f", {labels['lki']} {mc.nqf_level}" if mc.nqf_level else "")
        workload = ", ".join(
            part for part in (
                f"{_number(mc.workload.ects)} {labels['ects']}" if mc.workload.ects is not None else None,
                f"{_number(mc.workload.hours)} {labels['hours']}" if mc.workload.hours is not None else None,
            ) if part
        )
        svg = display.page_svg(
            vocab.pick_label(document, lang),
            vocab.pick_label(vocab.MICRO_CREDENTIAL_DOCUMENT, lang) if ptype else "",
            vocab.pick_label(mc.title, lang),
            [
                (labels["learner"], learner),
                (labels["awardingBody"], vocab.pick_label(body.get("legalName") or {}, lang)),
                (labels["dateOfIssue"], valid_from[:10]),
                (labels["level"], level),
                (labels["workload"], workload),
            ],
        )
        displays.append({
            "id": nid(f"individualDisplay:{lang}"),
            "type": "IndividualDisplay",
            "language": vocab.LANGUAGES[lang].to_elm(),
            "displayDetail": {
                "id": nid(f"displayDetail:{lang}"),
                "type": "DisplayDetail",
                "image": {
                    "id": nid(f"displayImage:{lang}"),
                    "type": "MediaObject",
                    "content": base64.b64encode(svg).decode("ascii"),
                    "contentEncoding": vocab.CONTENT_ENCODING_BASE64.to_elm(),
                    "contentType": vocab.FILE_TYPE_SVG.to_elm(),
                },
                "page": 1,
            },
        })
    return {
        "id": nid("displayParameter"),
        "type": "DisplayParameter",
        "title": {lang: document[lang] for lang in shown},
        "primaryLanguage": vocab.LANGUAGES[primary].to_elm(),
        "language": _one_or_many([vocab.LANGUAGES[lang].to_elm() for lang in shown]),
        "individualDisplay": _one_or_many(displays),
    }


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


# The grade when the input gives none: EDC requires a grade on every assessment, and a micro-credential is only
# awarded for a passed assessment, so "passed" is what every awarded one can truthfully state.
PASSED = {"lv": "ieskaitīts", "en": "passed"}


def _assessment(mc: MicroCredentialInput, body: dict, awarded_by: dict, languages: list, nid) -> dict:
    spec: dict[str, Any] = {
        "id": nid("learningAssessmentSpecification"),
        "type": "LearningAssessmentSpecification",
        "title": dict(mc.assessment.type),
    }
    if mc.assessment.method:
        spec["dcType"] = vocab.ASSESSMENT_TYPES[mc.assessment.method].to_elm()
    if mc.assessment.mode:
        spec["mode"] = vocab.LEARNING_MODES[mc.assessment.mode].to_elm()
    if languages:
        spec["language"] = _one_or_many(languages)
    assessment: dict[str, Any] = {
        "id": nid("learningAssessment"),
        "type": "LearningAssessment",
        "title": dict(mc.assessment.type),
        "assessedBy": body,
        "awardedBy": awarded_by,
        "grade": _note(nid("grade"), mc.grade or PASSED),
    }
    if mc.supervision:
        assessment["idVerification"] = vocab.SUPERVISION[mc.supervision].to_elm()
    assessment["specifiedBy"] = spec
    return assessment


def _related(name: str, node_type: str, related, nid) -> dict:
    node: dict[str, Any] = {"id": related.id or nid(name), "type": node_type, "title": dict(related.title)}
    if related.homepage:
        node["homepage"] = _web_resource(nid(f"{name}:homepage"), related.homepage)
    return node


def _qualification(mc: MicroCredentialInput, country: str, participation: dict, languages: list, nid) -> dict:
    q: dict[str, Any] = {
        "id": nid("qualification"),
        "type": "Qualification",
        "title": dict(mc.title),
    }
    if mc.programme_type:
        # the EU learning opportunity type, and the national programme type (ELM allows several types)
        ptype = vocab.LV_PROGRAMME_TYPES[mc.programme_type]
        q["dcType"] = [ptype.opportunity.to_elm(), ptype.concept.to_elm()]
    q["eqfLevel"] = vocab.EQF_LEVELS[mc.eqf_level].to_elm()
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

    stack = mc.stackability
    if stack and stack.is_partial_qualification is not None:
        q["isPartialQualification"] = stack.is_partial_qualification
    if stack and stack.part_of:
        q["isPartOf"] = _one_or_many(
            [_related(f"partOf:{n}", "Qualification", r, nid) for n, r in enumerate(stack.part_of, 1)])
    if stack and stack.entitles_to:
        entitlements = []
        for n, r in enumerate(stack.entitles_to, 1):
            node = _related(f"entitlesTo:{n}", "LearningEntitlementSpecification", r, nid)
            node["dcType"] = vocab.ENTITLEMENT_TYPE_LEARNING_OPPORTUNITY.to_elm()
            node["entitlementStatus"] = vocab.ENTITLEMENT_STATUS_PROSPECTIVE.to_elm()
            entitlements.append(node)
        q["entitlesTo"] = _one_or_many(entitlements)

    notes = []
    if mc.quality_assurance.kind is None:
        # quality assurance without an accrediting body: a note on accreditation and quality assurance
        notes.append(_note(nid("qualityAssuranceNote"), mc.quality_assurance.type, vocab.NOTE_SUBJECTS["quality-assurance"]))
    if stack and stack.description:
        notes.append(_note(nid("stackabilityNote"), stack.description, vocab.NOTE_SUBJECTS["stackability"]))
    info = mc.further_information
    if info and info.text:
        notes.append(_note(nid("furtherInformationNote"), info.text, vocab.NOTE_SUBJECTS["further-information"]))
    if notes:
        q["additionalNote"] = _one_or_many(notes)
    if info and info.url:
        q["homepage"] = _web_resource(nid("furtherInformationPage"), info.url)
    if mc.quality_assurance.kind == "programme":
        # Programme quality assurance accredits the qualification itself (ELM Qualification.accreditation).
        q["accreditation"] = _accreditation(mc, country, nid)
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


def _activity(mc: MicroCredentialInput, body: dict, awarded_by: dict, participation: dict, languages: list, nid) -> dict:
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
        "awardedBy": awarded_by,
        "directedBy": body,
        "temporal": temporal,
        "specifiedBy": spec,
    }
