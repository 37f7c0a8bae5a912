"""What the micro-credential input's JSON schema says beyond pydantic's own (the OpenAPI document is generated from
it, app.api.openapi): patterns for codes (in either case where the validator changes the case, with the whitespace
it strips), the limits of a text as sent, dates as RFC 3339 full-date text only, and which members go together. Each
states exactly what a validator of app.domain.microcredential accepts, so the document and the behaviour agree
(tests/test_schemathesis.py, tests/test_w3c_rules.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field

_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOT_NULL = {"not": {"type": "null"}}
SOME_TEXT = {"pattern": r"\S"}  # what remains once the whitespace is stripped is not empty


def any_case(codes) -> str:
    """A pattern matching exactly ``codes``, in any case, with surrounding whitespace."""
    return r"^\s*(?:" + "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else re.escape(c)
                                           for c in code) for code in sorted(codes, key=len, reverse=True)) + r")\s*$"


def given(*names: str) -> dict:
    """The schema of "at least one of ``names``, not null"."""
    return {"anyOf": [{"required": [n], "properties": {n: NOT_NULL}} for n in names]}


def at_most(n: int) -> BeforeValidator:
    """The length limit on the text as sent (the schema's maxLength), before its whitespace is stripped."""
    def check(value: object) -> object:
        if isinstance(value, str) and len(value) > n:
            raise ValueError(f"must be at most {n} characters")
        return value

    return BeforeValidator(check)


def pattern_schema(pattern: re.Pattern):
    """The schema's pattern of a value ``pattern`` checks once its surrounding whitespace is stripped."""
    return Field(json_schema_extra={"pattern": r"^\s*(?:" + pattern.pattern.strip("^$") + r")\s*$"})


def _full_date(value: object) -> object:
    # as the document says (format "date", RFC 3339 full-date): no timestamps, no times, no numbers
    if not (isinstance(value, str) and _FULL_DATE.fullmatch(value)):
        raise ValueError("must be a date in the form YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_full_date)]


def _whole(value: object) -> object:
    # JSON Schema's "integer" is any number with a zero fractional part: 6.0 is the integer 6 (not "6", not true)
    return int(value) if type(value) is float and value.is_integer() else value


WHOLE_NUMBER = BeforeValidator(_whole)
