"""The friendly input for issuing a micro-credential, modelled on EU Council Recommendation 2022/C 243/02, Annex I.

Annex I lists the mandatory elements of a micro-credential (learner identification, title, country/region of the
issuer, awarding body, date of issue, learning outcomes, notional workload, level, type of assessment, form of
participation, type of quality assurance) and optional ones (prerequisites, supervision and identity verification,
grade, integration/stackability, further information, ...). This module is the input model only: flat, camelCase,
multilingual where people read text. app.domain.elm turns it into an ELM 3 credential.

Multilingual text is always a language map ``{"lv": "...", "en": "..."}``: a bare string would leave the language
unknown, and Latvian institutions issue in Latvian and English side by side, so a map is required.
Unknown fields are refused (``extra="forbid"``) so a typo never silently drops an element, and every problem is
reported at once by parse_micro_credential().
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from app.domain import vocab
from app.domain.input_schema import NOT_NULL, given
from app.domain.input_rules import level_errors
from app.domain.input_types import (
    CountryCode,
    Email,
    EscoSkill,
    HttpUrl,
    IscedCode,
    IsoDate,
    LangMap,
    LanguageCode,
    Level,
    Mode,
    RegionCode,
    ShortText,
    Supervision,
    Uri,
)
from app.errors import InvalidInput

MAX_OUTCOMES = 100



class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=False, frozen=True)


# --- parts ----------------------------------------------------------------------------------------------------------


class NationalId(_Input):
    value: ShortText = Field(description="The national identification number.")
    country: CountryCode = Field("LVA", description="Country that issued the number (alpha-3); defaults to LVA.")


class Learner(_Input):
    """Identification of the learner (Annex I, mandatory)."""

    given_name: ShortText = Field(description="Given name(s) as in the learner's identity document.")
    family_name: ShortText = Field(description="Family name(s) as in the learner's identity document.")
    id: Uri | None = Field(None, description="URI of the learner, e.g. the holder's DID; becomes the credential subject id.")
    reference: ShortText | None = Field(None, description="The institution's own learner reference, e.g. a student number.")
    email: Email | None = None
    date_of_birth: IsoDate | None = None
    national_id: NationalId | None = None


class Organisation(_Input):
    """An organisation given in the input (awarding body override, quality assurance body)."""

    legal_name: LangMap = Field(description="Legal name, e.g. {\"lv\": \"Latvijas Universitāte\", \"en\": \"University of Latvia\"}.")
    id: Uri | None = Field(None, description="URI of the organisation, e.g. its DID.")
    country: CountryCode | None = None
    homepage: HttpUrl | None = None
    email: Email | None = None


class LearningOutcome(_Input):
    text: LangMap = Field(description="The learning outcome as a statement of what the learner knows and can do.")
    esco_skill: EscoSkill | None = Field(None, description="Related ESCO skill IRI.")


# Upper bounds of a micro-credential's volume. The Recommendation (2022/C 243/02, point 5(a)) defines a
# micro-credential as the record of a *small* volume of learning and gives no figure; 60 ECTS is one year of full-time
# study (ECTS Users' Guide 2015), the volume of a whole qualification level's year, which no "small volume" exceeds.
# Hours follow at the ECTS Users' Guide's upper rate of 30 hours per credit.
MAX_ECTS = 60
MAX_HOURS = MAX_ECTS * 30


class Workload(_Input):
    """Notional workload needed to achieve the learning outcomes (Annex I, mandatory): ECTS wherever possible."""

    model_config = ConfigDict(json_schema_extra=given("ects", "hours"))

    ects: float | None = Field(None, strict=True, gt=0, le=MAX_ECTS, description=f"ECTS credits (at most {MAX_ECTS}).")
    hours: float | None = Field(None, strict=True, gt=0, le=MAX_HOURS,
                                description=f"Notional learning hours (at most {MAX_HOURS}).")

    @model_validator(mode="after")
    def _one_of(self):
        if self.ects is None and self.hours is None:
            raise ValueError("give the notional workload as ECTS credits ('ects') and/or hours ('hours')")
        return self


AssessmentMethod = Literal[tuple(vocab.ASSESSMENT_TYPES)]  # type: ignore[valid-type]
ProgrammeTypeCode = Literal[tuple(vocab.LV_PROGRAMME_TYPES)]  # type: ignore[valid-type]


class Assessment(_Input):
    """Type of assessment (Annex I, mandatory)."""

    type: LangMap = Field(description="The type of assessment, e.g. {\"lv\": \"Rakstisks eksāmens\", \"en\": \"Written exam\"}.")
    method: AssessmentMethod | None = Field(
        None, description="The type of assessment from the EU list of assessment types (ELM dc:type); the text above "
        "stays its title."
    )
    mode: Mode | None = Field(None, description="How the assessment took place: online, onsite or blended.")


class QualityAssurance(_Input):
    """Type of quality assurance used to underpin the micro-credential (Annex I, mandatory).

    With ``kind`` and ``body`` it becomes an ELM Accreditation typed with the EU accreditation type (institutional
    or programme quality assurance) and accredited by ``body``; the text alone is an ELM note on quality assurance.
    """

    model_config = ConfigDict(json_schema_extra={"anyOf": [  # both or neither
        {"required": ["kind", "body"], "properties": {"kind": NOT_NULL, "body": NOT_NULL}},
        {"properties": {"kind": {"type": "null"}, "body": {"type": "null"}}}]})

    type: LangMap = Field(description="The type of quality assurance, as text (the accreditation's title).")
    kind: Literal["institutional", "programme"] | None = Field(
        None, description="Institutional or programme quality assurance (EU accreditation types); needs 'body'."
    )
    body: Organisation | None = Field(None, description="The quality assurance or accreditation body; needs 'kind'.")

    @model_validator(mode="after")
    def _kind_and_body(self):
        if (self.kind is None) != (self.body is None):
            missing = "kind" if self.kind is None else "body"
            raise ValueError(
                f"an accreditation needs both 'kind' ('institutional' or 'programme' quality assurance) and 'body' "
                f"(the quality assurance body): give '{missing}' too, or neither for a quality assurance statement "
                "without an accrediting body"
            )
        return self


class RelatedQualification(_Input):
    """A larger qualification or learning opportunity a micro-credential stacks into."""

    title: LangMap = Field(description="Its title, e.g. {\"lv\": \"Datu zinātne (maģistra programma)\", ...}.")
    id: Uri | None = Field(None, description="Its URI, e.g. the programme's identifier in a register.")
    homepage: HttpUrl | None = None


class Stackability(_Input):
    """Integration/stackability options (Annex I, optional)."""

    model_config = ConfigDict(json_schema_extra=given("description", "isPartialQualification", "partOf", "entitlesTo"))

    description: LangMap | None = Field(None, description="How the micro-credential integrates or stacks into larger credentials.")
    is_partial_qualification: StrictBool | None = Field(None, description="ELM isPartialQualification.")
    part_of: list[RelatedQualification] | None = Field(
        None, min_length=1, max_length=10, description="Larger qualifications this micro-credential is part of (ELM isPartOf)."
    )
    entitles_to: list[RelatedQualification] | None = Field(
        None, min_length=1, max_length=10,
        description="Learning opportunities it may give access to or be recognised in (ELM entitlesTo, a prospective "
        "learning entitlement).",
    )

    @model_validator(mode="after")
    def _one_of(self):
        if (self.description, self.is_partial_qualification, self.part_of, self.entitles_to) == (None,) * 4:
            raise ValueError("give a 'description', 'isPartialQualification', 'partOf' and/or 'entitlesTo'")
        return self


class FurtherInformation(_Input):
    model_config = ConfigDict(json_schema_extra=given("text", "url"))

    text: LangMap | None = None
    url: HttpUrl | None = None

    @model_validator(mode="after")
    def _one_of(self):
        if self.text is None and self.url is None:
            raise ValueError("give a 'text' and/or a 'url'")
        return self


class LearningPeriod(_Input):
    start_date: IsoDate
    end_date: IsoDate | None = None

    @field_validator("end_date")
    @classmethod
    def _ordered(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if end is not None and start is not None and end < start:
            raise ValueError("must not be before 'startDate'")
        return end


EXAMPLE = {
    "learner": {
        "givenName": "Anna",
        "familyName": "Bērziņa",
        "reference": "ST-2024-01734",
        "email": "anna.berzina@example.lv",
        "dateOfBirth": "1998-04-17",
    },
    "title": {"lv": "Datu analīze ar Python", "en": "Data analysis with Python"},
    "programmeType": "study-course",
    "country": "LVA",
    "region": "LV006",
    "dateOfIssue": "2024-06-28",
    "learningOutcomes": [
        {
            "text": {
                "lv": "Sagatavo un attīra datu kopas analīzei, izmantojot bibliotēku pandas.",
                "en": "Prepares and cleans data sets for analysis using the pandas library.",
            }
        },
        {
            "text": {
                "lv": "Izvēlas un pielieto piemērotas statistiskās metodes, interpretē rezultātus.",
                "en": "Selects and applies suitable statistical methods and interprets the results.",
            }
        },
        {
            "text": {
                "lv": "Veido datu vizualizācijas un pārskatus, kas saprotami nespeciālistiem.",
                "en": "Creates data visualisations and reports that non-specialists understand.",
            },
            "escoSkill": "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a",
        },
    ],
    "workload": {"ects": 3, "hours": 80},
    "eqfLevel": 6,
    "nqfLevel": 6,
    "assessment": {
        "type": {
            "lv": "Praktisks projekts ar mutisku aizstāvēšanu",
            "en": "Practical project with an oral defence",
        },
        "method": "project-work",
        "mode": "online",
    },
    "participation": "blended",
    "qualityAssurance": {
        "type": {
            "lv": "Iekšējā kvalitātes nodrošināšana akreditētas augstskolas kvalitātes vadības sistēmā",
            "en": "Internal quality assurance within the quality management system of an accredited higher education institution",
        },
        "kind": "institutional",
        "body": {
            "legalName": {"lv": "Akadēmiskās informācijas centrs", "en": "Academic Information Centre"},
            "country": "LVA",
            "homepage": "https://www.aic.lv",
        },
    },
    "prerequisites": {
        "lv": "Vidējā izglītība un programmēšanas pamatzināšanas",
        "en": "Secondary education and basic programming skills",
    },
    "supervision": "supervised-online-id-verification",
    "grade": {"lv": "9 (teicami)", "en": "9 (excellent)"},
    "stackability": {
        "description": {
            "lv": "Var ieskaitīt kā izvēles kursu (3 KP) maģistra studiju programmā “Datu zinātne”.",
            "en": "Can be recognised as a 3 ECTS elective in the master's programme “Data Science”.",
        },
        "isPartialQualification": False,
        "partOf": [
            {
                "title": {
                    "lv": "Datorzinātnes (bakalaura studiju programma)",
                    "en": "Computer Science (bachelor's study programme)",
                }
            }
        ],
        "entitlesTo": [
            {
                "title": {"lv": "Datu zinātne (maģistra studiju programma)", "en": "Data Science (master's study programme)"},
                "homepage": "https://www.example.lv/studijas/datu-zinatne",
            }
        ],
    },
    "fieldsOfEducation": ["0613", "0542"],
    "furtherInformation": {
        "text": {
            "lv": "Kursa apraksts un mācību plāns ir pieejams tīmekļa vietnē.",
            "en": "The course description and syllabus are available online.",
        },
        "url": "https://www.example.lv/mikrokvalifikacijas/datu-analize",
    },
    "languages": ["lv", "en"],
    "learningSetting": "non-formal",
    "learningPeriod": {"startDate": "2024-04-02", "endDate": "2024-06-14"},
}


class MicroCredentialInput(_Input):
    """A micro-credential to issue, element by element of EU Council Recommendation 2022/C 243/02, Annex I."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    # mandatory elements
    learner: Learner = Field(description="Identification of the learner.")
    title: LangMap = Field(description="Title of the micro-credential.")
    learning_outcomes: list[LearningOutcome] = Field(
        min_length=1, max_length=MAX_OUTCOMES, description="Learning outcomes (at least one)."
    )
    workload: Workload = Field(description="Notional workload: ECTS credits and/or hours.")
    eqf_level: Level = Field(description="EQF level of the learning experience, 1-8.")
    assessment: Assessment = Field(description="Type of assessment.")
    participation: Mode = Field(description="Form of participation in the learning activity: online, onsite or blended.")
    quality_assurance: QualityAssurance = Field(description="Type of quality assurance.")
    # mandatory elements the issuer's profile and clock fill in
    country: CountryCode | None = Field(None, description="Country of the issuer; defaults to the institution's country.")
    region: RegionCode | None = None
    awarding_body: Organisation | None = Field(None, description="Awarding body; defaults to the issuing institution.")
    date_of_issue: IsoDate | None = Field(
        None, description="Date of issue, not after today; defaults to the day of issuing. The credential is valid from "
        "the start of this day."
    )
    # the national programme type (Latvia)
    programme_type: ProgrammeTypeCode | None = Field(
        None, description="The Latvian programme type the micro-credential comes from: " + ", ".join(
            f"'{p.code}' ({p.concept.pref_label['lv']})" for p in vocab.LV_PROGRAMME_TYPES.values()
        ) + ". Sets the EU learning opportunity type, the national type and the document type."
    )
    # optional elements
    nqf_level: Level | None = Field(None, description="Latvian qualifications framework (LKI) level, 1-8.")
    prerequisites: LangMap | None = Field(None, description="Prerequisites needed to enrol in the learning activity.")
    supervision: Supervision | None = Field(None, description="Supervision and identity verification during assessment.")
    grade: LangMap | None = Field(None, description="Grade achieved.")
    stackability: Stackability | None = Field(None, description="Integration/stackability options.")
    fields_of_education: list[IscedCode] | None = Field(
        None, max_length=10, description="ISCED-F 2013 field codes (2, 3 or 4 digits)."
    )
    further_information: FurtherInformation | None = None
    valid_until: IsoDate | None = Field(None, description="Expiration date, if the micro-credential expires.")
    languages: list[LanguageCode] | None = Field(None, max_length=10, description="Language(s) of instruction, ISO 639-1.")
    learning_setting: Literal["formal", "non-formal"] | None = None
    learning_period: LearningPeriod | None = Field(None, description="When the learning took place.")

    @field_validator("date_of_issue")
    @classmethod
    def _not_in_the_future(cls, issued: date | None, info: ValidationInfo) -> date | None:
        # "today" comes from the caller's clock (the domain has none); without it there is nothing to compare.
        today = (info.context or {}).get("today")
        if issued is not None and today is not None and issued > today:
            raise ValueError(f"{issued.isoformat()} is after today ({today.isoformat()}): the date of issue cannot be in the future")
        return issued

    @field_validator("valid_until")
    @classmethod
    def _after_issue(cls, until: date | None, info: ValidationInfo) -> date | None:
        # date_of_issue is declared before valid_until, so it is already validated here (when valid)
        issued = info.data.get("date_of_issue")
        if until is not None and issued is not None and until <= issued:
            raise ValueError("must be after 'dateOfIssue'")
        return until


# --- parsing with every problem reported at once ------------------------------------------------------------------

_ANNEX = "EU Council Recommendation 2022/C 243/02, Annex I"
MISSING_MESSAGES = {
    "learner": f"identification of the learner is required ({_ANNEX})",
    "learner.givenName": f"the learner's given name is required for the identification of the learner ({_ANNEX})",
    "learner.familyName": f"the learner's family name is required for the identification of the learner ({_ANNEX})",
    "title": f"the title of the micro-credential is required ({_ANNEX})",
    "learningOutcomes": f"at least one learning outcome is required ({_ANNEX})",
    "learningOutcomes.text": "the text of the learning outcome is required",
    "workload": f"the notional workload needed to achieve the learning outcomes is required: ECTS credits and/or hours ({_ANNEX})",
    "eqfLevel": f"the level of the learning experience is required as an EQF level from 1 to 8 ({_ANNEX})",
    "assessment": f"the type of assessment is required ({_ANNEX})",
    "assessment.type": f"the type of assessment is required ({_ANNEX})",
    "participation": f"the form of participation in the learning activity is required: online, onsite or blended ({_ANNEX})",
    "qualityAssurance": f"the type of quality assurance used to underpin the micro-credential is required ({_ANNEX})",
    "qualityAssurance.type": f"the type of quality assurance used to underpin the micro-credential is required ({_ANNEX})",
}
_LANG_MAP_HINT = 'must be a language map such as {"lv": "...", "en": "..."}'
_DATE_HINT = "must be a date in the form YYYY-MM-DD"
_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _pattern(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if not isinstance(part, int))


def _message(err: dict) -> str:
    kind, loc, ctx = err["type"], err["loc"], err.get("ctx") or {}
    where = _pattern(loc)
    if kind == "missing":
        return MISSING_MESSAGES.get(where, "is required")
    if kind == "extra_forbidden":
        return "is not a field of the micro-credential input (check the spelling)"
    if where in ("eqfLevel", "nqfLevel") and kind != "missing":
        framework = "EQF" if where == "eqfLevel" else "LKI (Latvian qualifications framework)"
        return f"must be a whole number from 1 to 8 ({framework} level)"
    if where in ("workload.ects", "workload.hours") and kind == "less_than_equal":
        what = f"{MAX_ECTS} ECTS credits" if where == "workload.ects" else f"{MAX_HOURS} hours ({MAX_ECTS} ECTS)"
        return (f"must be at most {what}: a micro-credential records a small volume of learning, and {MAX_ECTS} ECTS "
                "is a whole year of full-time study")
    if kind == "too_short" and where == "learningOutcomes":
        return MISSING_MESSAGES["learningOutcomes"]
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length', 1)} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "dict_type":
        return _LANG_MAP_HINT
    if kind in ("model_type", "model_attributes_type"):
        return "must be an object"
    if kind == "list_type":
        return "must be a list"
    if kind == "string_type":
        return "must be a string"
    if kind.startswith("date_"):
        value = err.get("input")
        if isinstance(value, str) and _DATE_SHAPE.match(value):
            return f"{value} is not a calendar date"
        return _DATE_HINT
    if kind == "literal_error" and where == "assessment.method":  # 14 codes: named by the list, not listed
        return (f"must be a type of the EU's list of assessment types ({vocab.ASSESSMENT_TYPE_SCHEME}) as the input's "
                "schema (/docs) codes it, e.g. 'written-examination' or 'project-work'")
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        words = {"greater_than": "greater than", "greater_than_equal": "at least", "less_than": "less than", "less_than_equal": "at most"}
        return f"must be {words[kind]} {bound}"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing"):
        return "must be a number"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    msg = str(err.get("msg", "is invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg[:1].lower() + msg[1:] if msg else "is invalid"


def validation_errors(exc: ValidationError) -> list[dict]:
    """pydantic's errors as mcred's ``[{"field": "learner.givenName", "message": "..."}]``."""
    out: list[dict] = []
    for err in exc.errors(include_url=False):
        item = {"field": _field_path(err["loc"]), "message": _message(err)}
        if item not in out:
            out.append(item)
    return out


def _programme_type_errors(data: dict, errors: list[dict]) -> list[dict]:
    """The Latvian programme type's table applied to the raw input (so it adds to every other problem).

    A type whose document states an element (credit points for study courses, the LKI level for professional further
    education, an accreditation for study courses) refuses its absence; where the Recommendation requires an element
    the type usually lacks (workload as credit points, quality assurance), the refusal says so and how to supply it.
    """
    code = data.get("programmeType")
    ptype = vocab.LV_PROGRAMME_TYPES.get(code) if isinstance(code, str) else None
    if ptype is None:
        return errors
    name = f"{ptype.concept.pref_label['en'].lower()} ({ptype.concept.pref_label['lv']})"
    document = f"{ptype.document['lv']} ({ptype.document['en'].lower()})"
    by_field = {e["field"]: e for e in errors}
    out = list(errors)

    def refuse(field: str, message: str, replaces: str | None = None) -> None:
        old = by_field.get(replaces or field)
        if old is not None:
            out.remove(old)
        out.append({"field": field, "message": message})

    workload = data.get("workload") if isinstance(data.get("workload"), dict) else None
    if ptype.ects == "required" and (workload is None or workload.get("ects") is None):
        refuse("workload" if workload is None else "workload.ects", f"the {document} of a {name} states its credit "
               "points: give them as ECTS credits in 'workload.ects'")
    elif workload is None and "workload" in by_field:
        refuse("workload", f"the notional workload is required ({_ANNEX}); a {name} usually states it in hours rather "
               "than credit points: give 'workload.hours' (and 'workload.ects' wherever possible)")

    lki = data.get("nqfLevel")
    if ptype.lki == "required" and lki is None:
        refuse("nqfLevel", f"a {name} leads to a professional qualification at an LKI level, which its {document} "
               f"states: give it in 'nqfLevel' (1 to {ptype.lki_max})")
    elif isinstance(lki, int) and not isinstance(lki, bool) and ptype.lki_max < lki <= 8:
        refuse("nqfLevel", f"a {name} leads today to LKI levels 1 to {ptype.lki_max}, not {lki}")

    qa = data.get("qualityAssurance")
    if ptype.qa == "accredited" and (qa is None or (isinstance(qa, dict) and qa.get("kind") is None and qa.get("body") is None)):
        refuse("qualityAssurance.kind" if qa is not None else "qualityAssurance",
               f"quality assurance is in place for a {name} (its study direction is accredited): give "
               "'qualityAssurance.kind' ('programme' or 'institutional'), 'qualityAssurance.body' (the accrediting "
               "body, e.g. the Academic Information Centre) and 'qualityAssurance.type' (the quality assurance as text)")
    elif ptype.qa == "usually-none" and qa is None:
        refuse("qualityAssurance", f"the type of quality assurance is required ({_ANNEX}), and a {name} usually has "
               "no external quality assurance: describe the quality assurance used, e.g. the provider's internal "
               "review of the programme, in 'qualityAssurance.type', and add 'kind' and 'body' if an accrediting "
               "body reviewed it")
    return out


def parse_micro_credential(data: object, *, today: date) -> MicroCredentialInput:
    """Validate the friendly input; refuse it with ONE InvalidInput listing every problem.

    ``today`` is the caller's date (its clock): a date of issue after it is refused.
    """
    if not isinstance(data, dict):
        raise InvalidInput(
            "The micro-credential must be a JSON object.",
            errors=[{"field": "", "message": "must be a JSON object"}],
        )
    mc, errors = None, []
    try:
        mc = MicroCredentialInput.model_validate(data, context={"today": today})
    except ValidationError as exc:
        errors = validation_errors(exc)
    errors = level_errors(data, _programme_type_errors(data, errors))
    if errors:
        shown = "; ".join(f"{e['field'] or '(input)'}: {e['message']}" for e in errors[:10])
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise InvalidInput(
            f"The micro-credential input has {len(errors)} problem(s): {shown}{more}.", errors=errors
        ) from None
    return mc
