"""The field types of the micro-credential input (app.domain.microcredential, EU Council Recommendation
2022/C 243/02, Annex I): language maps, codes of the EU vocabularies (countries, languages, ISCED-F, NUTS/ATU
regions), e-mail, URIs, ESCO skills, dates, levels, each a pydantic type with its validator; what its JSON schema
says beyond pydantic's own comes from app.domain.input_schema.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from app.domain import vocab
from app.domain.input_schema import SOME_TEXT, WHOLE_NUMBER, IsoDate, any_case, at_most, pattern_schema

__all__ = ["MAX_TEXT", "CountryCode", "Email", "EscoSkill", "HttpUrl", "IscedCode", "IsoDate", "LangMap",
           "LanguageCode", "Level", "Mode", "RegionCode", "ShortText", "Supervision", "Uri"]

MAX_TEXT = 4000
MAX_LANGUAGES_IN_MAP = 30
_LANG_KEY = re.compile(r"^[a-z]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ABSOLUTE_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_ESCO_SKILL = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

LANG_MAP_EXAMPLE = {"lv": "Teksts latviešu valodā", "en": "Text in English"}


# --- field types --------------------------------------------------------------------------------------------------
# Each type's JSON schema says what its validator accepts (app.domain.input_schema): the OpenAPI document is
# generated from them.
def _check_lang_map(value: dict[str, str]) -> dict[str, str]:
    bad = [k for k in value if not _LANG_KEY.match(k)]
    if bad:
        raise ValueError(
            "language keys must be 2-letter lowercase language codes such as 'lv' or 'en', not "
            + ", ".join(repr(k) for k in bad)
        )
    if "lv" not in value and "en" not in value:
        raise ValueError("must give the text in Latvian ('lv') or English ('en'), or both")
    return value


LangMap = Annotated[
    dict[str, Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
                        at_most(MAX_TEXT),
                        Field(json_schema_extra=SOME_TEXT)]],
    Field(
        min_length=1,
        max_length=MAX_LANGUAGES_IN_MAP,
        json_schema_extra={"propertyNames": {"pattern": "^[a-z]{2}$"}, "examples": [LANG_MAP_EXAMPLE],
                           "anyOf": [{"required": ["lv"]}, {"required": ["en"]}]},
    ),
    AfterValidator(_check_lang_map),
]


def _one_of(table, what: str, use: str):
    """The validator of a code of ``table``: an unknown one is refused, saying what to use and where the codes are
    listed (``use`` names the vocabulary; the codes themselves are not listed one by one)."""
    def check(value: str) -> str:
        if value not in table:
            raise ValueError(f"unknown {what} {value!r}: use {use}")
        return value
    return check


CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True),
    AfterValidator(_one_of(vocab.COUNTRIES, "country code", "an ISO 3166-1 alpha-3 code such as 'LVA' (the EU's "
                           f"country table, {vocab.COUNTRY_SCHEME})")),
    Field(description="ISO 3166-1 alpha-3 country code (EU authority table 'country'), e.g. LVA.", examples=["LVA"],
          json_schema_extra={"pattern": any_case(vocab.COUNTRIES)}),
]



LanguageCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True),
    AfterValidator(_one_of(vocab.LANGUAGES, "language code", "the ISO 639-1 code of a language of the EU's language "
                           f"table ({vocab.LANGUAGE_SCHEME}), such as 'lv' or 'en'")),
    Field(json_schema_extra={"pattern": any_case(vocab.LANGUAGES)}),
]


def _check_isced(value: str) -> str:
    if value not in vocab.ISCED_F:
        raise ValueError(
            f"{value!r} is not an ISCED-F 2013 field code: use a 2-, 3- or 4-digit code such as '06', '061' or '0613'"
        )
    return value


IscedCode = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_isced),
                      Field(json_schema_extra={"pattern": any_case(vocab.ISCED_F)})]

_REGION_BY_NAME = {c.pref_label["lv"].casefold(): code for code, c in vocab.REGIONS.items() if code.startswith("LV0")}


def _check_region(value: str) -> str:
    """A region code of Latvia (NUTS 3 or ATU republic city), or the exact name of a NUTS 3 region ("Rīga")."""
    code = value.upper()
    if code in vocab.REGIONS:
        return code
    if value.casefold() in _REGION_BY_NAME:
        return _REGION_BY_NAME[value.casefold()]
    raise ValueError(
        f"{value!r} is not a region code mcred knows: give the NUTS 3 code of a region of Latvia (e.g. LV006 Rīga; "
        f"{vocab.NUTS_SCHEME}) or the ATU code of a republic city (e.g. LVA_RP_RIX Rīga; {vocab.ATU_SCHEME})"
    )


RegionCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_check_region),
    Field(
        description="Region of the issuer: the NUTS 3 code of a region of Latvia (e.g. LV006 for Rīga) or the ATU "
        "code of a republic city (e.g. LVA_RP_RIX); the exact name of a NUTS 3 region is accepted and stored as its "
        "code.",
        examples=["LV006"],
        json_schema_extra={"pattern": any_case([*vocab.REGIONS, *_REGION_BY_NAME])},
    ),
]


def _pattern_check(pattern: re.Pattern, what: str):
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"must be {what}")
        return value

    return AfterValidator(check)


Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), at_most(254),
                 _pattern_check(_EMAIL, "an e-mail address"),
                 pattern_schema(_EMAIL)]
Uri = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), at_most(2000),
    _pattern_check(_ABSOLUTE_URI, "an absolute URI such as a DID"),
    pattern_schema(_ABSOLUTE_URI),
]
HttpUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), at_most(2000),
    _pattern_check(_HTTP_URL, "an http(s) URL"),
    pattern_schema(_HTTP_URL),
]
EscoSkill = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    _pattern_check(_ESCO_SKILL, "an ESCO skill IRI such as http://data.europa.eu/esco/skill/<uuid>"),
    pattern_schema(_ESCO_SKILL),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), at_most(200),
                      Field(json_schema_extra=SOME_TEXT)]
Level = Annotated[int, Field(strict=True, ge=1, le=8), WHOLE_NUMBER]
Mode = Literal["online", "onsite", "blended"]
Supervision = Literal[
    "unsupervised-no-id-verification",
    "supervised-no-id-verification",
    "supervised-online-id-verification",
    "supervised-onsite-id-verification",
]

