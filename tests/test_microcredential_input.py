"""The friendly micro-credential input (EU Council Recommendation 2022/C 243/02 Annex I): what it takes, what it refuses."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from app.domain.microcredential import EXAMPLE, MicroCredentialInput, parse_micro_credential
from app.errors import InvalidInput


TODAY = date(2026, 11, 26)


def example() -> dict:
    return copy.deepcopy(EXAMPLE)


def parse(data):
    return parse_micro_credential(data, today=TODAY)


def refused(data) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse(data)
    return info.value


def fields(exc: InvalidInput) -> list[str]:
    return [e["field"] for e in exc.errors]


def message_for(exc: InvalidInput, field: str) -> str:
    return next(e["message"] for e in exc.errors if e["field"] == field)


def minimal() -> dict:
    data = example()
    keep = {"learner", "title", "learningOutcomes", "workload", "eqfLevel", "assessment", "participation", "qualityAssurance"}
    return {k: v for k, v in data.items() if k in keep}


def test_the_latvian_example_is_accepted():
    mc = parse(example())
    assert mc.title == {"lv": "Datu analīze ar Python", "en": "Data analysis with Python"}
    assert mc.learner.family_name == "Bērziņa"
    assert mc.eqf_level == 6 and mc.nqf_level == 6
    assert mc.workload.ects == 3 and mc.workload.hours == 80
    assert len(mc.learning_outcomes) == 3
    assert mc.participation == "blended" and mc.assessment.mode == "online"
    assert mc.fields_of_education == ["0613", "0542"]


def test_only_the_mandatory_elements_are_enough():
    mc = parse(minimal())
    assert mc.country is None and mc.date_of_issue is None and mc.awarding_body is None


@pytest.mark.parametrize(
    "path, wording",
    [
        (("learner",), "identification of the learner"),
        (("learner", "givenName"), "given name"),
        (("learner", "familyName"), "family name"),
        (("title",), "title"),
        (("learningOutcomes",), "at least one learning outcome"),
        (("workload",), "notional workload"),
        (("eqfLevel",), "EQF level"),
        (("assessment",), "type of assessment"),
        (("assessment", "type"), "type of assessment"),
        (("participation",), "form of participation"),
        (("qualityAssurance",), "quality assurance"),
        (("qualityAssurance", "type"), "quality assurance"),
    ],
)
def test_each_mandatory_element_is_required_by_name(path, wording):
    data = example()
    del data["programmeType"]  # the Annex I rules alone (programme types: below)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    exc = refused(data)
    field = ".".join(path)
    assert fields(exc) == [field]
    assert wording in message_for(exc, field)
    assert exc.status == 422


def test_an_empty_list_of_learning_outcomes_is_refused():
    data = example()
    data["learningOutcomes"] = []
    exc = refused(data)
    assert message_for(exc, "learningOutcomes").startswith("at least one learning outcome is required")


def test_workload_needs_ects_or_hours():
    data = example()
    del data["programmeType"]
    data["workload"] = {}
    assert "ECTS credits" in message_for(refused(data), "workload")
    data["workload"] = {"hours": 12.5}
    assert parse(data).workload.hours == 12.5


def test_every_problem_is_listed_at_once():
    data = example()
    del data["title"]
    del data["learner"]["givenName"]
    data["eqfLevel"] = 9
    data["learningOutcomes"][1]["text"] = {"LV": "x"}
    data["participation"] = "remote"
    exc = refused(data)
    assert set(fields(exc)) == {"title", "learner.givenName", "eqfLevel", "learningOutcomes.1.text", "participation"}
    assert "5 problem(s)" in exc.detail
    problem = exc.to_problem()
    assert problem["status"] == 422 and problem["errors"] == exc.errors


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.__setitem__("titel", {"lv": "x"}), "titel"),
        (lambda d: d["learner"].__setitem__("middleName", "Marta"), "learner.middleName"),
        (lambda d: d["workload"].__setitem__("ectsCredits", 3), "workload.ectsCredits"),
        (lambda d: d["learningOutcomes"][0].__setitem__("escoskill", "x"), "learningOutcomes.0.escoskill"),
    ],
)
def test_unknown_fields_are_refused(mutate, field):
    data = example()
    mutate(data)
    exc = refused(data)
    assert fields(exc) == [field]
    assert "not a field" in exc.errors[0]["message"]


@pytest.mark.parametrize("level", [9, 0, -1, "six", 6.5, None])
def test_invalid_eqf_levels_are_refused(level):
    data = example()
    data["eqfLevel"] = level
    assert message_for(refused(data), "eqfLevel") == "must be a whole number from 1 to 8 (EQF level)"


def test_invalid_lki_level_is_refused():
    data = example()
    data["nqfLevel"] = 9
    assert "LKI" in message_for(refused(data), "nqfLevel")


@pytest.mark.parametrize("code", ["0614", "6", "11", "00000", "06x", "", "99", "9999"])
def test_invalid_isced_codes_are_refused(code):
    data = example()
    data["fieldsOfEducation"] = ["0613", code]
    assert fields(refused(data)) == ["fieldsOfEducation.1"]


@pytest.mark.parametrize("codes", [["06"], ["061"], ["0613"], ["00", "003", "0031"], ["10", "1041"]])
def test_isced_broad_narrow_and_detailed_codes_are_accepted(codes):
    data = example()
    data["fieldsOfEducation"] = codes
    assert parse(data).fields_of_education == codes


@pytest.mark.parametrize(
    "title, hint",
    [
        ({"LV": "Nosaukums"}, "2-letter lowercase"),
        ({"lat": "Nosaukums"}, "2-letter lowercase"),
        ({"de": "Titel"}, "Latvian ('lv') or English ('en')"),
        ({}, "at least 1"),
        ("Datu analīze", "language map"),
        (["Datu analīze"], "language map"),
    ],
)
def test_invalid_language_maps_are_refused(title, hint):
    data = example()
    data["title"] = title
    assert hint in message_for(refused(data), "title")


def test_empty_and_oversized_texts_are_refused():
    data = example()
    data["title"] = {"lv": "   ", "en": "x" * 4001}
    exc = refused(data)
    assert message_for(exc, "title.lv") == "must not be empty"
    assert message_for(exc, "title.en") == "must be at most 4000 characters"


def test_at_most_100_learning_outcomes():
    data = example()
    data["learningOutcomes"] = [{"text": {"en": f"Outcome {n}"}} for n in range(101)]
    assert message_for(refused(data), "learningOutcomes") == "must have at most 100 items"


def test_codes_are_checked_against_the_vocabularies():
    data = example()
    data["country"] = "XXX"
    data["languages"] = ["lv", "xx"]
    data["supervision"] = "proctored"
    data["learningSetting"] = "informal"
    data["assessment"]["mode"] = "remote"
    data["learningOutcomes"][0]["escoSkill"] = "https://esco.example/skill/1"
    exc = refused(data)
    assert set(fields(exc)) == {
        "country",
        "languages.1",
        "supervision",
        "learningSetting",
        "assessment.mode",
        "learningOutcomes.0.escoSkill",
    }


def test_codes_are_normalised():
    data = example()
    data["country"] = "lva"
    data["languages"] = ["LV"]
    mc = parse(data)
    assert mc.country == "LVA" and mc.languages == ["lv"]


def test_dates_are_checked():
    data = example()
    data["learningPeriod"] = {"startDate": "2024-06-14", "endDate": "2024-04-02"}
    data["learner"]["dateOfBirth"] = "17.04.1998"
    exc = refused(data)
    assert message_for(exc, "learningPeriod.endDate") == "must not be before 'startDate'"
    assert message_for(exc, "learner.dateOfBirth") == "must be a date in the form YYYY-MM-DD"
    data = example()
    data["validUntil"] = "2024-06-01"
    assert message_for(refused(data), "validUntil") == "must be after 'dateOfIssue'"


def test_a_non_object_is_refused():
    exc = refused(["not", "an", "object"])
    assert exc.errors == [{"field": "", "message": "must be a JSON object"}]


def test_the_json_schema_uses_camel_case_and_carries_the_example():
    schema = MicroCredentialInput.model_json_schema(by_alias=True)
    assert schema["examples"] == [EXAMPLE]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["programmeType"]["anyOf"][0]["enum"] == [
        "study-course", "professional-further-education", "professional-development",
        "teacher-professional-development", "non-formal"]
    assert set(schema["required"]) == {
        "learner",
        "title",
        "learningOutcomes",
        "workload",
        "eqfLevel",
        "assessment",
        "participation",
        "qualityAssurance",
    }
    assert "learningOutcomes" in schema["properties"] and "learning_outcomes" not in schema["properties"]
    assert schema["properties"]["title"]["propertyNames"] == {"pattern": "^[a-z]{2}$"}


# --- dates, volume (the pages issue) ------------------------------------------------------------------------------


def test_an_impossible_date_is_named_as_such():
    data = example()
    data["validUntil"] = "2030-02-30"
    data["learner"]["dateOfBirth"] = "1998-13-01"
    exc = refused(data)
    assert message_for(exc, "validUntil") == "2030-02-30 is not a calendar date"
    assert message_for(exc, "learner.dateOfBirth") == "1998-13-01 is not a calendar date"


def test_a_date_of_issue_after_today_is_refused():
    data = example()
    data["dateOfIssue"] = "2031-01-15"
    assert message_for(refused(data), "dateOfIssue") == (
        "2031-01-15 is after today (2026-11-26): the date of issue cannot be in the future")
    data["dateOfIssue"] = "2026-11-27"
    assert fields(refused(data)) == ["dateOfIssue"]
    data["dateOfIssue"] = TODAY.isoformat()
    assert parse(data).date_of_issue == TODAY


@pytest.mark.parametrize("workload, field", [({"ects": 500}, "workload.ects"), ({"ects": 60.5}, "workload.ects"),
                                             ({"hours": 1801}, "workload.hours")])
def test_a_volume_beyond_a_micro_credential_is_refused(workload, field):
    data = example()
    data["workload"] = workload
    message = message_for(refused(data), field)
    assert message.startswith("must be at most 60 ECTS credits" if field.endswith("ects") else "must be at most 1800 hours")
    assert "small volume of learning" in message


def test_sixty_ects_is_still_a_micro_credential():
    data = example()
    data["workload"] = {"ects": 60, "hours": 1800}
    assert parse(data).workload.ects == 60


# --- vocabularies -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("given, code", [("LV006", "LV006"), ("lv009", "LV009"), ("LVA_RP_LPX", "LVA_RP_LPX"),
                                         ("Rīga", "LV006"), ("latgale", "LV005")])
def test_regions_are_nuts_or_atu_codes_of_latvia(given, code):
    data = example()
    data["region"] = given
    assert parse(data).region == code


@pytest.mark.parametrize("region", ["Riga city centre", "LV001", "EE001", "Valmieras novads"])
def test_free_text_regions_are_refused_with_the_codes(region):
    data = example()
    data["region"] = region
    message = message_for(refused(data), "region")
    assert "is not a region code" in message and "LV006 Rīga" in message and "LVA_RP_RIX" in message


def test_the_assessment_method_is_an_eu_assessment_type():
    data = example()
    data["assessment"]["method"] = "exam"
    assert "written-examination" in message_for(refused(data), "assessment.method")


@pytest.mark.parametrize("qa, missing", [({"kind": "programme"}, "body"),
                                         ({"body": {"legalName": {"lv": "AIC"}}}, "kind")])
def test_an_accreditation_needs_its_kind_and_its_body(qa, missing):
    data = example()
    del data["programmeType"]
    data["qualityAssurance"] = {"type": {"en": "Programme accreditation"}, **qa}
    message = message_for(refused(data), "qualityAssurance")
    assert f"give '{missing}' too" in message


# --- Latvian programme types --------------------------------------------------------------------------------------


def programme(code: str) -> dict:
    data = example()
    data["programmeType"] = code
    data["nqfLevel"] = data["eqfLevel"] = 4  # LKI maps one to one onto EQF
    return data


@pytest.mark.parametrize("code", ["study-course", "professional-further-education", "professional-development",
                                  "teacher-professional-development", "non-formal"])
def test_each_programme_type_is_accepted_with_what_its_document_states(code):
    assert parse(programme(code)).programme_type == code


def test_an_unknown_programme_type_is_refused():
    exc = refused(programme("masters"))
    assert "'study-course'" in message_for(exc, "programmeType")


def test_a_study_course_states_its_credit_points():
    data = programme("study-course")
    data["workload"] = {"hours": 80}
    message = message_for(refused(data), "workload.ects")
    assert "Augstskolas (AII) apliecība" in message and "credit points" in message and "'workload.ects'" in message
    data = programme("professional-development")
    data["workload"] = {"hours": 80}  # credit points are optional there
    assert parse(data).workload.ects is None


def test_a_study_course_names_its_accreditation():
    data = programme("study-course")
    data["qualityAssurance"] = {"type": {"lv": "Iekšējā kvalitātes nodrošināšana"}}
    message = message_for(refused(data), "qualityAssurance.kind")
    assert "study direction is accredited" in message and "'qualityAssurance.body'" in message
    del data["qualityAssurance"]
    assert "quality assurance is in place" in message_for(refused(data), "qualityAssurance")


def test_professional_further_education_states_its_lki_level_up_to_4():
    data = programme("professional-further-education")
    del data["nqfLevel"]
    message = message_for(refused(data), "nqfLevel")
    assert "LKI level" in message and "Valsts atzīta apliecība" in message and "(1 to 4)" in message
    data["nqfLevel"] = data["eqfLevel"] = 5
    assert message_for(refused(data), "nqfLevel") == (
        "a professional further education programme (Profesionālās tālākizglītības programma) leads today to LKI "
        "levels 1 to 4, not 5")
    data["nqfLevel"] = 9  # outside the framework altogether: the general message
    assert message_for(refused(data), "nqfLevel") == "must be a whole number from 1 to 8 (LKI (Latvian qualifications framework) level)"
    assert parse(programme("professional-development")).nqf_level == 4
    lki_less = programme("non-formal")
    del lki_less["nqfLevel"]
    assert parse(lki_less).nqf_level is None


def test_without_quality_assurance_a_non_formal_programme_is_told_the_recommendation_requires_it():
    data = programme("non-formal")
    del data["qualityAssurance"]
    message = message_for(refused(data), "qualityAssurance")
    assert "required (EU Council Recommendation 2022/C 243/02, Annex I)" in message
    assert "usually has no external quality assurance" in message and "'qualityAssurance.type'" in message
    data["qualityAssurance"] = {"type": {"lv": "Programmu iekšēji izvērtē iestādes metodiskā padome"}}
    assert parse(data).quality_assurance.kind is None


def test_without_workload_a_type_that_states_hours_is_told_how_to_supply_it():
    data = programme("teacher-professional-development")
    del data["workload"]
    message = message_for(refused(data), "workload")
    assert "usually states it in hours rather than credit points" in message and "'workload.hours'" in message


def test_programme_type_problems_are_listed_with_every_other_problem():
    data = programme("professional-further-education")
    del data["nqfLevel"]
    del data["title"]
    data["eqfLevel"] = 9
    assert set(fields(refused(data))) == {"nqfLevel", "title", "eqfLevel"}
