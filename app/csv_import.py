"""A cohort as a CSV file (``mcred issue-csv``): one micro-credential per row, flat columns for the Annex I elements.

The layout (the README, "Issuing from a CSV file", and ``samples/cohort.csv``): UTF-8 with or without a byte order
mark, a header row naming the columns, comma-separated (a semicolon- or tab-separated file, as spreadsheets in some
locales save it, is recognised by its header). Multilingual text is one column per language (``title_lv``,
``title_en``); lists are ``;``-separated in one cell (``fields_of_education``, ``languages``, and the learning
outcomes, paired by position across ``learning_outcomes_lv`` and ``learning_outcomes_en``). An empty cell or a
column left out means the element is not given; every other check is the micro-credential input's own
(app.domain.microcredential), so a row is refused exactly as the same input over the API would be.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import InvalidInput

LIST_SEPARATOR = ";"

# Text in several languages: column stem -> element (columns STEM_lv, STEM_en).
TEXTS = {
    "title": "title",
    "assessment": "assessment.type",
    "qa": "qualityAssurance.type",
    "qa_body": "qualityAssurance.body.legalName",
    "grade": "grade",
    "prerequisites": "prerequisites",
    "stackability": "stackability.description",
    "further_information": "furtherInformation.text",
}
LANGUAGES = ("lv", "en")
OUTCOMES = "learning_outcomes"  # learning_outcomes_lv, learning_outcomes_en: ;-separated, paired by position

# One value per cell: column -> (element, kind).
VALUES = {
    "given_name": ("learner.givenName", "text"),
    "family_name": ("learner.familyName", "text"),
    "learner_reference": ("learner.reference", "text"),
    "learner_email": ("learner.email", "text"),
    "learner_date_of_birth": ("learner.dateOfBirth", "text"),
    "learner_id": ("learner.id", "text"),
    "programme_type": ("programmeType", "text"),
    "country": ("country", "text"),
    "region": ("region", "text"),
    "date_of_issue": ("dateOfIssue", "text"),
    "valid_until": ("validUntil", "text"),
    "ects": ("workload.ects", "number"),
    "hours": ("workload.hours", "number"),
    "eqf_level": ("eqfLevel", "integer"),
    "nqf_level": ("nqfLevel", "integer"),
    "assessment_method": ("assessment.method", "text"),
    "assessment_mode": ("assessment.mode", "text"),
    "participation": ("participation", "text"),
    "qa_kind": ("qualityAssurance.kind", "text"),
    "qa_body_homepage": ("qualityAssurance.body.homepage", "text"),
    "qa_body_country": ("qualityAssurance.body.country", "text"),
    "supervision": ("supervision", "text"),
    "learning_setting": ("learningSetting", "text"),
    "is_partial_qualification": ("stackability.isPartialQualification", "boolean"),
    "further_information_url": ("furtherInformation.url", "text"),
    "learning_period_start": ("learningPeriod.startDate", "text"),
    "learning_period_end": ("learningPeriod.endDate", "text"),
    "fields_of_education": ("fieldsOfEducation", "list"),
    "languages": ("languages", "list"),
}
COLUMNS = [*VALUES, *(f"{stem}_{lang}" for stem in (*TEXTS, OUTCOMES) for lang in LANGUAGES)]
_TRUE, _FALSE = {"true", "yes", "jā", "ja", "1"}, {"false", "no", "nē", "ne", "0"}


@dataclass
class Rows:
    """The rows of a file: ``items[i]`` came from row ``rows[i]`` (the spreadsheet's row number, the header being
    row 1); ``refused`` holds the rows that could not even be read as a micro-credential, with their errors."""

    items: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    refused: dict[int, list[dict]] = field(default_factory=dict)


def _set(target: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[leaf] = value


def _value(cell: str, kind: str):
    """The cell as the input expects it; a cell that is not what its column takes is passed on as text, so the
    input's own check names the element and says what it must be."""
    if kind == "number":
        try:
            number = float(cell.replace(",", "."))  # 1,5 ECTS as written in Latvian
        except ValueError:
            return cell
        return int(number) if number.is_integer() else number
    if kind == "integer":
        return int(cell) if cell.lstrip("+-").isdigit() else cell
    if kind == "boolean":
        word = cell.casefold()
        return True if word in _TRUE else False if word in _FALSE else cell
    if kind == "list":
        return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]
    return cell


def item_of(cells: dict[str, str]) -> tuple[dict, list[dict]]:
    """One row's micro-credential input, and the problems that keep it from being one."""
    item: dict = {}
    for column, (path, kind) in VALUES.items():
        cell = (cells.get(column) or "").strip()
        if cell:
            _set(item, path, _value(cell, kind))
    for stem, path in TEXTS.items():
        text = {lang: cells[f"{stem}_{lang}"].strip() for lang in LANGUAGES if (cells.get(f"{stem}_{lang}") or "").strip()}
        if text:
            _set(item, path, text)
    outcomes = {lang: [o.strip() for o in (cells.get(f"{OUTCOMES}_{lang}") or "").split(LIST_SEPARATOR) if o.strip()]
                for lang in LANGUAGES}
    given = [o for o in outcomes.values() if o]
    if len({len(o) for o in given}) > 1:
        return item, [{"field": f"{OUTCOMES}_lv/{OUTCOMES}_en", "message": (
            f"{len(outcomes['lv'])} learning outcomes in Latvian but {len(outcomes['en'])} in English: list the same "
            f"outcomes in both, in the same order, separated by '{LIST_SEPARATOR}'")}]
    if given:
        item["learningOutcomes"] = [{"text": {lang: outcomes[lang][n] for lang in LANGUAGES if outcomes[lang]}}
                                    for n in range(len(given[0]))]
    return item, []


def column_of(element: str) -> str:
    """The CSV column(s) that give an element of the input (``learner.givenName`` -> ``given_name``)."""
    for column, (path, _) in VALUES.items():
        if element == path or element.startswith(path + "."):
            return column
    if element.startswith("learningOutcomes"):
        lang = element.rsplit(".", 1)[-1]
        return f"{OUTCOMES}_{lang}" if lang in LANGUAGES else f"{OUTCOMES}_lv/{OUTCOMES}_en"
    for stem, path in TEXTS.items():
        if element == path or element.startswith(path + "."):
            lang = element.rsplit(".", 1)[-1]
            return f"{stem}_{lang}" if lang in LANGUAGES and element != path else f"{stem}_lv/{stem}_en"
    inside = [c for c, (p, _) in VALUES.items() if p.startswith(element + ".")]
    inside += [f"{s}_lv/{s}_en" for s, p in TEXTS.items() if p.startswith(element + ".")]
    return "/".join(inside) or element


def read(path: Path) -> Rows:
    """Read a cohort file; refuses (InvalidInput) a file that is not UTF-8 or whose header is not the layout's."""
    try:
        raw = path.read_bytes()
    except OSError as exc:  # missing, a folder, not readable: said plainly (exit status 2), never a traceback
        reason = "there is no such file" if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc)
        raise InvalidInput(f"Cannot read {path}: {reason}.", slug="file-unreadable",
                           errors=[{"field": "file", "message": reason}]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InvalidInput(f"{path.name} is not UTF-8 text (line {line}): save it as \"CSV UTF-8\".",
                           errors=[{"field": f"line {line}", "message": "not UTF-8"}]) from None
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=lambda d: sum(c.strip() in COLUMNS for c in header_line.split(d)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    twice = sorted({name for name in header if header.count(name) > 1})
    if not header or unknown or twice:
        raise InvalidInput(f"The header of {path.name} is not the cohort layout: "
                           + "; ".join(filter(None, [f"unknown columns {', '.join(unknown)}" if unknown else "",
                                                     f"columns given twice {', '.join(twice)}" if twice else ""]))
                           + f". The columns are: {', '.join(COLUMNS)}.",
                           errors=[{"field": name, "message": "not a column of the layout"} for name in unknown]
                           + [{"field": name, "message": "given twice"} for name in twice])
    out = Rows()
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of a spreadsheet's export
        if len(cells) > len(header):
            out.refused[number] = [{"field": "row", "message": f"{len(cells)} cells, but the header names "
                                    f"{len(header)} columns (a '{delimiter}' inside a cell needs quotes)"}]
            continue
        item, problems = item_of(dict(zip(header, cells)))
        if problems:
            out.refused[number] = problems
        else:
            out.items.append(item)
            out.rows.append(number)
    if not out.items and not out.refused:
        raise InvalidInput(f"{path.name} has a header but no rows.", errors=[{"field": "file", "message": "no rows"}])
    return out
