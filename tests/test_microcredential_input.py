"""The friendly micro-credential input (EU Council Recommendation 2022/C 243/02 Annex I): what it takes, what it refuses."""

from __future__ import annotations

import copy

import pytest

from app.domain.microcredential import EXAMPLE, MicroCredentialInput, parse_micro_credential
from app.errors import InvalidInput


def example() -> dict:
    return copy.deepcopy(EXAMPLE)


def refused(data) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_micro_credential(data)
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
    mc = parse_micro_credential(example())
    assert mc.title == {"lv": "Datu analīze ar Python", "en": "Data analysis with Python"}
    assert mc.learner.family_name == "Bērziņa"
    assert mc.eqf_level == 6 and mc.nqf_level == 6
    assert mc.workload.ects == 3 and mc.workload.hours == 80
    assert len(mc.learning_outcomes) == 3
    assert mc.participation == "blended" and mc.assessment.mode == "online"
    assert mc.fields_of_education == ["0613", "0542"]


def test_only_the_mandatory_elements_are_enough():
    mc = parse_micro_credential(minimal())
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
    data["workload"] = {}
    assert "ECTS credits" in message_for(refused(data), "workload")
    data["workload"] = {"hours": 12.5}
    assert parse_micro_credential(data).workload.hours == 12.5


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
    assert parse_micro_credential(data).fields_of_education == codes


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
    mc = parse_micro_credential(data)
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
