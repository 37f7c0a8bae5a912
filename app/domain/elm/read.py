"""Reading European Learning Model (ELM 3) credentials back: summarize() and missing_micro_credential_elements()
read any ELM credential, ours or others' (e.g. the EU sample), for the human display page and the verifier's format
check (EU Council Recommendation 2022/C 243/02, Annex I: the mandatory elements).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.domain import vocab
from app.domain.jsonld import as_list

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


# --- reading ------------------------------------------------------------------------------------------------------
# The readers take any ELM credential, ours or others', as JSON-LD compacted with the ELM/VC context terms: the
# document as issued, or a tree rebuilt from its signed RDF statements. So they rely only on the term names; any
# property may hold one value or a list; language-container properties are language maps; an IRI is a node
# {"id": ...} (with its properties where the document has them) or, in compacted JSON-LD, a plain string.


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, Mapping) else None


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _nodes(value: Any) -> list[Mapping]:
    """The nodes (objects) among a property's values."""
    return [v for v in as_list(value) if isinstance(v, Mapping)]


def _id(node: Any) -> str | None:
    """The IRI of a node, or of an IRI given as a plain string."""
    if isinstance(node, str):
        return node
    value = _get(node, "id")
    return value if isinstance(value, str) else None


def _literal(value: Any) -> Any:
    """One literal value (a string, number or boolean), whatever list it comes in."""
    value = _first(value)
    return value if isinstance(value, (str, int, float, bool)) else None


def text_in(langmap: Any, lang: str) -> str | None:
    """Text in ``lang`` from a JSON-LD language map, falling back to en, lv, then any language."""
    if isinstance(langmap, list):  # several values of a property: the first that has text
        return next((t for t in (text_in(v, lang) for v in langmap) if t), None)
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
        return text_in({lang: labels[lang]}, lang)
    known = vocab.concept_by_id(_id(concept))
    if known is not None and known.pref_label.get(lang):
        return known.label(lang)
    return text_in(labels, lang)


def _labels(concepts: Any, lang: str) -> list[str]:
    return [t for t in (_label(c, lang) for c in as_list(concepts)) if t]


_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?$")


def _hours(duration: Any) -> float | int | None:
    duration = _literal(duration)
    if not isinstance(duration, str):
        return None
    m = _DURATION.match(duration)
    if not m or duration in ("P", "PT"):
        return None
    days, hours, minutes = (float(x) if x else 0.0 for x in m.groups())
    return _tidy(days * 24 + hours + minutes / 60)


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _point(credit_point: Any) -> Any:
    """A CreditPoint's point. The ELM context types `point` as xsd:string, which RDF does not distinguish from a plain
    literal, so JSON-LD compacted from the credential's statements keys it by its IRI instead of the term."""
    for key in ("point", "elm:point", "http://data.europa.eu/snb/model/elm/point"):
        if _get(credit_point, key) is not None:
            return _get(credit_point, key)
    return None


def _boolean(value: Any) -> bool | None:
    value = _literal(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return None


def _claim(credential: Any) -> Any:
    subject = _first(_nodes(_get(credential, "credentialSubject")))
    claims = _nodes(_get(subject, "hasClaim"))
    for claim in claims:
        if "LearningAchievement" in as_list(_get(claim, "type")):
            return claim
    return _first(claims)


def _notes_about(spec: Any, subject_ids: frozenset[str] | set[str], lang: str) -> list[str]:
    out = []
    for note in _nodes(_get(spec, "additionalNote")):
        if any(_id(subject) in subject_ids for subject in as_list(_get(note, "subject"))):
            text = text_in(_get(note, "noteLiteral"), lang)
            if text:
                out.append(text)
    return out


def _organisations(credential: Any) -> list[Mapping]:
    """The organisations a micro-credential names: the issuer, awarding bodies, assessing and directing bodies."""
    claim = _claim(credential)
    orgs = _nodes(_get(credential, "issuer"))
    for process in _nodes(_get(claim, "awardedBy")):
        orgs += _nodes(_get(process, "awardingBody"))
    for assessment in _nodes(_get(claim, "provenBy")):
        orgs += _nodes(_get(assessment, "assessedBy"))
    for activity in _nodes(_get(claim, "influencedBy")):
        orgs += _nodes(_get(activity, "directedBy"))
    return orgs


def _accreditations(credential: Any) -> list[Mapping]:
    """Quality assurance wherever ELM puts it: on the specification, on an organisation, on the evidence."""
    spec = _first(_nodes(_get(_claim(credential), "specifiedBy")))
    holders = [spec, *_organisations(credential), *_nodes(_get(credential, "evidence"))]
    found, seen = [], set()
    for holder in holders:
        for acc in _nodes(_get(holder, "accreditation")):
            key = _id(acc) or id(acc)
            if key not in seen:
                seen.add(key)
                found.append(acc)
    return found


def _quality_assurance(credential: Any, spec: Any, lang: str) -> list[str]:
    """Annex I "type of quality assurance" as text: each accreditation (title, EU type, body), and QA notes."""
    lines = []
    for acc in _accreditations(credential):
        title = text_in(_get(acc, "title"), lang) or text_in(_get(acc, "description"), lang)
        kind = _label(_get(acc, "dcType"), lang)
        agent = text_in(_get(_first(_nodes(_get(acc, "accreditingAgent"))), "legalName"), lang)
        details = "; ".join(x for x in (kind, agent) if x)
        line = f"{title} ({details})" if title and details else (title or details)
        if line:
            lines.append(line)
    return lines + _notes_about(spec, vocab.QA_NOTE_SUBJECTS, lang)


def _region(credential: Any, lang: str) -> str | None:
    """The issuer's region: the spatial code (else the geographic name) of the awarding or awarding body's location."""
    claim = _claim(credential)
    locations = []
    for process in _nodes(_get(claim, "awardedBy")):
        locations += _nodes(_get(process, "location"))
        for body in _nodes(_get(process, "awardingBody")):
            locations += _nodes(_get(body, "location"))
    for location in locations:
        text = _label(_get(location, "spatialCode"), lang) or text_in(_get(location, "geographicName"), lang)
        if text:
            return text
    return None


def _programme_type(spec: Any) -> vocab.ProgrammeType | None:
    return next((p for p in map(vocab.programme_type_of, map(_id, as_list(_get(spec, "dcType")))) if p), None)


_LEARNING_OPPORTUNITY = vocab.LEARNING_OPPORTUNITY_SCHEME.rsplit("/", 1)[0] + "/"
_ASSESSMENT_TYPE = vocab.ASSESSMENT_TYPE_SCHEME.rsplit("/", 1)[0] + "/"


def _concepts_under(concepts: Any, prefix: str) -> list:
    return [c for c in as_list(concepts) if (_id(c) or "").startswith(prefix)]


def _learner_name(subject: Any, lang: str) -> str | None:
    learner = text_in(_get(subject, "fullName"), lang)
    if not learner:
        parts = [text_in(_get(subject, "givenName"), lang), text_in(_get(subject, "familyName"), lang)]
        learner = " ".join(p for p in parts if p) or None
    return learner


def _learner_reference(subject: Any) -> str | None:
    return next((_literal(_get(i, "notation")) for i in _nodes(_get(subject, "identifier"))
                 if isinstance(_literal(_get(i, "notation")), str)), None)


def _title(claim: Any, spec: Any, lang: str) -> str | None:
    return text_in(_get(claim, "title"), lang) or text_in(_get(spec, "title"), lang)


def row_fields(credential: dict, lang: str = "lv") -> dict:
    """What a credential's row keeps of it (``title``, ``learnerName``, ``learnerRef``), read as ``summarize``
    reads them, without the rest of the summary (issuing needs no more)."""
    subject = _first(_nodes(_get(credential, "credentialSubject")))
    claim = _claim(credential)
    spec = _first(_nodes(_get(claim, "specifiedBy")))
    return {"title": _title(claim, spec, lang), "learnerName": _learner_name(subject, lang),
            "learnerRef": _learner_reference(subject)}


def summarize(credential: dict, lang: str = "lv") -> dict:
    """The human-readable fields of an ELM micro-credential, in ``lang`` where the credential has it.

    Keys: the Annex I elements (title, learnerName, awardingBody, country, region, dateOfIssue, ects, hours,
    eqfLevel, nqfLevel, learningOutcomes, assessment, assessmentType, assessmentMode, participation,
    qualityAssurance, ...), the Latvian programme type and the document type (programmeType, documentType, with
    learningOpportunityType, the EU's type), stackability (stackability, isPartialQualification, partOf,
    entitlesTo), the learning period (learningPeriod: start, end) and validity. Concept labels come in ``lang`` (from mcred's vocabularies where the credential has
    no label in it); text the credential has only in another language falls back to English, Latvian, any.
    """
    subject = _first(_nodes(_get(credential, "credentialSubject")))
    claim = _claim(credential)
    spec = _first(_nodes(_get(claim, "specifiedBy")))
    awarded = _first(_nodes(_get(claim, "awardedBy")))
    body = _first(_nodes(_get(awarded, "awardingBody")))
    proven = _first(_nodes(_get(claim, "provenBy")))
    period = _first(_nodes(_get(_first(_nodes(_get(claim, "influencedBy"))), "temporal")))

    learner = _learner_name(subject, lang)

    country_concept = _get(_first(_nodes(_get(_first(_nodes(_get(awarded, "location"))), "address"))), "countryCode")
    if country_concept is None:
        country_concept = _get(_first(_nodes(_get(_first(_nodes(_get(body, "location"))), "address"))), "countryCode")

    ects = None
    for cp in _nodes(_get(spec, "creditPoint")):
        if _id(_first(_get(cp, "framework"))) == vocab.ECTS.id:
            try:
                ects = _tidy(float(_literal(_point(cp))))
            except (TypeError, ValueError):
                pass
            break

    further_text = _notes_about(spec, {vocab.NOTE_SUBJECTS["further-information"].id}, lang)
    further_url = _literal(_get(_first(_nodes(_get(spec, "homepage"))), "contentURL"))
    further = None
    if further_text or further_url:
        further = {"text": "\n".join(further_text) or None, "url": further_url if isinstance(further_url, str) else None}

    assessment_spec = _first(_nodes(_get(proven, "specifiedBy")))
    stack = _notes_about(spec, vocab.STACKABILITY_NOTE_SUBJECTS, lang)
    reference = _learner_reference(subject)
    ptype = _programme_type(spec)
    display_title = text_in(_get(_first(_nodes(_get(credential, "displayParameter"))), "title"), lang)
    return {
        "title": _title(claim, spec, lang),
        "learnerName": learner,
        "learnerRef": reference,
        "awardingBody": text_in(_get(body, "legalName"), lang),
        "country": _label(country_concept, lang),
        "region": _region(credential, lang),
        "dateOfIssue": next((v for v in map(_literal, (_get(awarded, "awardingDate"), _get(credential, "issued"),
                                                       _get(credential, "issuanceDate"), _get(credential, "validFrom")))
                             if isinstance(v, str)), None),
        "programmeType": ptype.concept.label(lang) if ptype else None,
        "documentType": vocab.pick_label(ptype.document, lang) if ptype else display_title,
        "learningOpportunityType": _first(_labels(_concepts_under(_get(spec, "dcType"), _LEARNING_OPPORTUNITY), lang)),
        "ects": ects,
        "hours": _hours(_get(spec, "volumeOfLearning")),
        "eqfLevel": vocab.eqf_level_of(_id(_first(_get(spec, "eqfLevel")))),
        "nqfLevel": _label(_get(spec, "nqfLevel"), lang),
        "learningOutcomes": [t for t in (text_in(_get(o, "title"), lang) for o in _nodes(_get(spec, "learningOutcome"))) if t],
        "assessment": text_in(_get(assessment_spec, "title"), lang) or text_in(_get(proven, "title"), lang),
        "assessmentType": _first(_labels(_concepts_under(_get(assessment_spec, "dcType"), _ASSESSMENT_TYPE), lang)),
        "assessmentMode": _label(_get(assessment_spec, "mode"), lang),
        "participation": _label(_get(spec, "mode"), lang),
        "qualityAssurance": "\n".join(_quality_assurance(credential, spec, lang)) or None,
        "grade": text_in(_get(_first(_nodes(_get(proven, "grade"))), "noteLiteral"), lang),
        "validFrom": _literal(_get(credential, "validFrom")) or _literal(_get(credential, "issuanceDate")),
        "validUntil": _literal(_get(credential, "validUntil")) or _literal(_get(credential, "expirationDate")),
        "supervision": _label(_get(proven, "idVerification"), lang),
        "prerequisites": text_in(_get(_first(_nodes(_get(spec, "entryRequirement"))), "noteLiteral"), lang),
        "fieldsOfEducation": _labels(_get(spec, "thematicArea"), lang),
        "furtherInformation": further,
        "stackability": "\n".join(stack) or None,
        "isPartialQualification": _boolean(_get(spec, "isPartialQualification")),
        "partOf": [t for t in (text_in(_get(q, "title"), lang) for q in _nodes(_get(spec, "isPartOf"))) if t],
        "entitlesTo": [t for t in (text_in(_get(e, "title"), lang) for e in _nodes(_get(spec, "entitlesTo"))) if t],
        "languages": _labels(_get(spec, "language"), lang),
        "learningSetting": _label(_get(spec, "learningSetting"), lang),
        "learningPeriod": {"start": _literal(_get(period, "startDate")), "end": _literal(_get(period, "endDate"))}
        if period is not None else None,
    }


def missing_micro_credential_elements(credential: dict) -> list[str]:
    """The Annex I mandatory elements (keys of MANDATORY_ELEMENTS) an ELM credential does not carry.

    Reads any ELM credential as summarize() does; MANDATORY_ELEMENTS names each missing element in lv and en.
    Quality assurance counts wherever ELM puts it: an accreditation on the specification, on the issuer or another
    organisation of the credential, or on its evidence, or a note on the specification about quality assurance.
    """
    s = summarize(credential, "en")
    spec = _first(_nodes(_get(_claim(credential), "specifiedBy")))
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


def organisation_country(org: Mapping[str, Any]) -> str | None:
    """The ISO 3166 alpha-3 code of an ELM organisation's address (its location's first address), if any."""
    address = _get(_first(_get(org, "location")), "address")
    return vocab.country_code_of(_get(_first(_get(_first(address), "countryCode")), "id"))
