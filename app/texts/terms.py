"""One Latvian term for one thing: what the pages, the verification messages and the PDF call a credential.

A credential is called by its document type's own name where it has one of the known Latvian documents
(app.domain.vocab.LV_DOCUMENT_TYPES: "augstskolas (AII) apliecība", "valsts atzīta apliecība", "valsts atzīts
sertifikāts"), "mikrokvalifikācija" when it is any other ELM micro-credential (the Recommendation's term), and
"digitālais apliecinājums" when it is a Verifiable Credential that is not an ELM credential (any VC, as
``POST /credentials/verify`` accepts). English says "micro-credential" and "credential".

Texts name the term by its Latvian case, ``{nom}`` ``{gen}`` ``{dat}`` ``{acc}`` ``{loc}`` (``{Nom}`` etc. with a
capital first letter, to begin a sentence), and choose a word by the term's gender with ``{masculine|feminine}``:
``"{Nom} ir {atsaukts|atsaukta}"`` reads "Mikrokvalifikācija ir atsaukta", "Valsts atzīts sertifikāts ir atsaukts".
English texts use ``{nom}``/``{Nom}`` only. Other placeholders (``{n}``, ``{time}``) are left for ``str.format``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.domain import elm, vocab
from app.domain.jsonld import as_list


@dataclass(frozen=True)
class Term:
    key: str
    feminine: bool  # the Latvian noun's gender
    lv: dict  # case -> form, lower case as within a sentence
    en: str

    def form(self, lang: str, case: str) -> str:
        return self.lv[case] if lang == "lv" else self.en


def _lv(prefix: str, nom: str, gen: str, dat: str, acc: str, loc: str) -> dict:
    return {c: f"{prefix}{w}" for c, w in zip(("nom", "gen", "dat", "acc", "loc"), (nom, gen, dat, acc, loc))}


_APLIECIBA = ("apliecība", "apliecības", "apliecībai", "apliecību", "apliecībā")
TERMS: dict[str, Term] = {
    "micro-credential": Term("micro-credential", True, _lv("", "mikrokvalifikācija", "mikrokvalifikācijas",
                                                           "mikrokvalifikācijai", "mikrokvalifikāciju",
                                                           "mikrokvalifikācijā"), "micro-credential"),
    "aii-certificate": Term("aii-certificate", True, _lv("augstskolas (AII) ", *_APLIECIBA), "micro-credential"),
    "state-recognised-certificate": Term(
        "state-recognised-certificate", True,
        _lv("", "valsts atzīta apliecība", "valsts atzītās apliecības", "valsts atzītajai apliecībai",
            "valsts atzīto apliecību", "valsts atzītajā apliecībā"), "micro-credential"),
    "state-recognised-teacher-certificate": Term(
        "state-recognised-teacher-certificate", False,
        _lv("", "valsts atzīts sertifikāts", "valsts atzītā sertifikāta", "valsts atzītajam sertifikātam",
            "valsts atzīto sertifikātu", "valsts atzītajā sertifikātā"), "micro-credential"),
    "credential": Term("credential", False, _lv("", "digitālais apliecinājums", "digitālā apliecinājuma",
                                                "digitālajam apliecinājumam", "digitālo apliecinājumu",
                                                "digitālajā apliecinājumā"), "credential"),
}
DEFAULT = TERMS["micro-credential"]  # a page about micro-credentials in general (the form, the about page)
GENERIC = TERMS["credential"]  # a Verifiable Credential that is not an ELM credential

_CASES = re.compile(r"\{(nom|gen|dat|acc|loc|Nom|Gen|Dat|Acc|Loc)\}")
_GENDER = re.compile(r"\{([^{}|]*)\|([^{}|]*)\}")


def phrase(text: str, lang: str, term: Term | None = None) -> str:
    """``text`` with the term's forms and gendered words filled in (see the module docstring)."""
    if "{" not in text:
        return text
    term = term or DEFAULT

    def case(m: re.Match) -> str:
        word = term.form(lang, m.group(1).lower())
        return word[:1].upper() + word[1:] if m.group(1)[0].isupper() else word

    text = _GENDER.sub(lambda m: m.group(2) if term.feminine else m.group(1), text)
    return _CASES.sub(case, text)


def _document_key(label: Any) -> str | None:
    """The key of a known Latvian document from a DisplayParameter title (a language map or text), if it is one."""
    texts = {elm.text_in(label, lang) for lang in ("lv", "en")} - {None}
    return next((key for key, names in vocab.LV_DOCUMENT_TYPES.items() if texts & set(names.values())), None)


def term_of(view: dict | None, document_type: str | None = None) -> Term:
    """The term for a credential: its signed view (app.domain.rdf, term names), or the document type a summary
    gives (app.domain.elm.summarize ``documentType``)."""
    if not isinstance(view, dict):
        return GENERIC
    if "EuropeanDigitalCredential" not in as_list(view.get("type")):
        return GENERIC
    key = None
    if document_type:
        key = _document_key(document_type)
    if key is None:
        for display in as_list(view.get("displayParameter")):
            if isinstance(display, dict) and (key := _document_key(display.get("title"))):
                break
    return TERMS.get(key or "", DEFAULT)
