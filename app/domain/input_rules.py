"""Rules across elements of the micro-credential input, applied to the raw input so that they add to every other
problem found (app.domain.microcredential.parse_micro_credential reports them all at once).

- **EQF and LKI levels.** The Latvian qualifications framework (LKI, *Latvijas kvalifikāciju ietvarstruktūra*) is
  referenced to the European Qualifications Framework level for level: LKI level n is EQF level n (Latvia's
  referencing of the LKI to the EQF). A credential stating LKI 5 and EQF 6 contradicts itself, so it is refused
  with both levels named.
"""

from __future__ import annotations


def _level(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8 else None


def level_errors(data: dict, errors: list[dict]) -> list[dict]:
    """``errors`` with a refusal added when the LKI level (``nqfLevel``) and the EQF level (``eqfLevel``) disagree."""
    eqf, lki = _level(data.get("eqfLevel")), _level(data.get("nqfLevel"))
    if eqf is None or lki is None or eqf == lki:
        return errors
    return [*errors, {"field": "nqfLevel", "message": (
        f"LKI level {lki} contradicts EQF level {eqf} ('eqfLevel'): the Latvian qualifications framework maps one to "
        f"one onto the EQF (LKI level {lki} is EQF level {lki}), so give the same level in both")}]
