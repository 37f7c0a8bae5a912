"""What a person reads about a verified credential, in their language: the verdict with its reason, the summary
card, every Annex I element the credential carries, the Annex I elements it lacks and the checks in plain words.

One reading for every rendition (the verification page, the upload result, the learner's page, the PDF
certificate), made from the VerificationResult: values come only from what was signed (``result.view``), and are
facts only when ``result.authentic``; otherwise the renditions mark them unverified or leave them out. A link
(the issuer's homepage, "further information") is offered only from authentic data and only for http(s) URLs,
so a forged document cannot put a link of its own choosing before the reader.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from app import i18n
from app.db.models import Credential
from app.domain import elm
from app.domain.jsonld import as_list
from app.domain.signed import ELM_CONTEXTS
from app.domain.verification.results import (
    EXPIRED,
    INVALID,
    NOT_YET_VALID,
    REVOKED,
    SUSPENDED,
    UNRECOGNISED_ISSUER,
    VERIFIED,
    VerificationResult,
)
from app.texts.verification import message as check_message

# Annex I and the optional elements, grouped as the page shows them (summarize() keys, plus "level").
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("credential", ("title", "documentType", "programmeType", "learningOpportunityType", "learnerName",
                    "awardingBody", "country", "region", "dateOfIssue", "validFrom", "validUntil")),
    ("volume", ("ects", "hours", "level")),
    ("outcomes", ("learningOutcomes",)),
    ("assessment", ("assessment", "assessmentType", "assessmentMode", "supervision", "grade")),
    ("learning", ("participation", "learningSetting", "learningPeriod", "languages", "prerequisites",
                  "fieldsOfEducation")),
    ("quality", ("qualityAssurance",)),
    ("stackability", ("stackability", "isPartialQualification", "partOf", "entitlesTo", "furtherInformation")),
    ("identifiers", ("learnerRef", "credentialId", "issuerId")),
)
# the summary card, after the verdict and the issuer (hours without ECTS)
CARD = ("learnerName", "title", "documentType", "ects", "level", "validUntil")
DATES = ("dateOfIssue", "validFrom", "validUntil")
# a verdict's outcome word for the check that decided it ("Revoked", not "Failed")
OUTCOME_WORDS = {("status", "revoked"), ("status", "suspended"), ("validity", "expired"),
                 ("validity", "not-yet-valid")}


def _http_url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.lower().startswith(("https://", "http://")) else None


def _issuer_node(view: dict) -> dict:
    node = next(iter(as_list(view.get("issuer"))), None)
    return node if isinstance(node, dict) else {}


def _homepage(node: dict) -> str | None:
    """An organisation's homepage: a URL, or an ELM WebResource's contentURL."""
    for page in as_list(node.get("homepage") or node.get("url")):
        url = _http_url(page.get("contentURL") or page.get("id")) if isinstance(page, dict) else _http_url(page)
        if url:
            return url
    return None


def summary_of(credential: dict, view: dict | None, lang: str) -> dict:
    """The credential's human fields (elm.summarize() keys) from what was signed; a generic VC's few."""
    if view is None:
        return {}
    if any(c in ELM_CONTEXTS for c in as_list(credential.get("@context"))) or \
            "EuropeanDigitalCredential" in as_list(view.get("type")):
        try:
            return elm.summarize(view, lang) or {}
        except Exception:  # an odd ELM document must still show its verification result
            return {}
    subject = next(iter(as_list(view.get("credentialSubject"))), {})
    subject = subject if isinstance(subject, dict) else {}
    types = [t for t in as_list(view.get("type")) if isinstance(t, str) and t != "VerifiableCredential"]
    return {"title": elm.text_in(view.get("name"), lang) or (", ".join(types) or None),
            "learnerName": elm.text_in(subject.get("name"), lang),
            "validFrom": view.get("validFrom") or view.get("issuanceDate"),
            "validUntil": view.get("validUntil") or view.get("expirationDate")}


def _value(key: str, summary: dict, lang: str) -> Any:
    t = i18n.translator(lang)
    value = summary.get(key)
    if key == "level":
        eqf, nqf = summary.get("eqfLevel"), summary.get("nqfLevel")
        parts = ([t("level.eqf").format(n=eqf)] if eqf is not None else []) + ([nqf] if nqf else [])
        return "; ".join(parts) or None
    if key in DATES:
        if key == "validUntil" and not value and summary:
            return t("field.validUntil.none")
        return i18n.format_when(value, lang)
    if key == "learningPeriod" and isinstance(value, dict):
        start, end = i18n.format_when(value.get("start"), lang), i18n.format_when(value.get("end"), lang)
        return " – ".join(x for x in (start, end) if x) or None
    if key == "isPartialQualification" and isinstance(value, bool):
        return t("yes" if value else "no")
    if key in ("ects", "hours") and isinstance(value, (int, float)):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "lv" else text
    if key == "furtherInformation" and isinstance(value, dict):
        return {"text": value.get("text"), "href": _http_url(value.get("url"))}
    if isinstance(value, str) and "\n" in value:
        return value.split("\n")
    return value


def _fields(summary: dict, extra: dict, lang: str) -> dict[str, Any]:
    out = {}
    for _, keys in GROUPS:
        for key in keys:
            value = extra.get(key) if key in extra else _value(key, summary, lang)
            if value not in (None, "", [], {}):
                out[key] = value
    return out


def _checks(result: VerificationResult, lang: str) -> list[dict]:
    t = i18n.translator(lang)
    rows = []
    for check in result.checks:
        word = check.code if (check.check, check.code) in OUTCOME_WORDS else \
            "not-checked" if check.code == "not-checked" else check.outcome
        plain = i18n.CATALOGUE[lang].get(f"why.{check.code}")
        rows.append({"check": check.check, "code": check.code, "outcome": check.outcome,
                     "name": t(f"check.{check.check}"),
                     "word": t(f"outcome.{word}"), "text": plain or check_message(check.code)[lang]})
    return rows


def _reason(result: VerificationResult, lang: str) -> str | None:
    """Why a credential is invalid or unconfirmed: the first check that failed (else was unknown)."""
    for outcome in ("failed", "unknown"):
        for check in result.checks:
            if check.outcome == outcome and check.code != "not-checked":
                return i18n.CATALOGUE[lang].get(f"why.{check.code}") or check_message(check.code)[lang]
    return None


def _status_facts(result: VerificationResult, own: Credential | None, lang: str,
                  when=i18n.format_moment) -> list[tuple[str, str]]:
    """For this service's own credential: when (``when(moment, lang)``) it was revoked or suspended, and the
    reason's category."""
    if own is None or result.verdict not in (REVOKED, SUSPENDED) or own.status != result.verdict:
        return []
    t = i18n.translator(lang)
    facts = []
    if own.status_changed_at:
        facts.append((t(f"status.{result.verdict}.on"), when(own.status_changed_at, lang)))
    if own.status_reason:
        facts.append((t("status.reason"), t(f"reason.{own.status_reason}")))
    return facts


def _day(moment: datetime, lang: str) -> str:
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return i18n.format_date(moment.astimezone(i18n.RIGA).date(), lang)


def reading(result: VerificationResult, credential: dict, lang: str, now: datetime, *,
            own: Credential | None = None, learner_ref: bool = True) -> dict:
    """Everything a rendition shows about ``result`` (of ``credential``), in ``lang``. ``own``: this service's row
    of the credential, when the reader came through its link (status date and reason). ``learner_ref``: whether
    the learner's own reference (student number) is shown; the public page and the certificate show it only when
    the institution asks for it (``show_learner_reference``)."""
    t = i18n.translator(lang)
    verdict = result.verdict
    view = result.view or {}
    authentic = result.authentic
    summary = summary_of(credential, result.view, lang)
    if summary and result.view is not None:  # the validity shown is the one the check decided on (the strictest)
        decided = result.by_name("validity").data
        summary = {**summary, **{k: decided[k] for k in ("validFrom", "validUntil") if decided.get(k)}}
    issuer_node = _issuer_node(view)
    claimed_issuer = elm.text_in(issuer_node.get("legalName"), lang) or elm.text_in(issuer_node.get("name"), lang) \
        or summary.get("awardingBody")
    info = result.issuer_info()
    recognised = bool(info.get("recognised"))
    issuer_name = (elm.text_in(info.get("name"), lang) if recognised else None) or claimed_issuer
    # the verifier judges the issuer only for a credential that is otherwise genuine and current
    judged = verdict in (VERIFIED, UNRECOGNISED_ISSUER)
    issuer_note = None if not judged else t("issuer.not_recognised") if not recognised else \
        t("issuer.recognised.trust-list" if info.get("source") == "trust-list" else "issuer.recognised")
    credential_id = credential.get("id") if isinstance(credential.get("id"), str) else None
    fields = _fields(summary, {"credentialId": credential_id, "issuerId": result.issuer}, lang) if view else {}
    if not learner_ref:
        fields.pop("learnerRef", None)
    missing = [elm.MANDATORY_ELEMENTS.get(m, {}).get(lang) or str(m)
               for w in result.warnings if w.get("code") == "elm-elements-missing" for m in w.get("missing") or []]
    unreadable = verdict == INVALID and not any(
        c.outcome == "failed" for c in result.checks if c.check in ("proof", "issuer"))
    headline = "verdict.invalid.unreadable" if unreadable else f"verdict.{verdict}"
    card_keys = CARD if "ects" in fields else tuple("hours" if k == "ects" else k for k in CARD)
    contact = (info.get("homepage") if recognised else None) or (_homepage(issuer_node) if authentic else None)
    return {
        "verdict": verdict,
        "headline": t(headline),
        "verdict_text": t(f"{headline}.text"),
        "reason": _reason(result, lang) if verdict == INVALID or verdict == "unknown" else None,
        "status_facts": _status_facts(result, own, lang),
        "status_facts_dated": _status_facts(result, own, lang, when=_day),  # the certificate: no clock time
        "contact": _http_url(contact) if verdict in (REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID) else None,
        "authentic": authentic,
        "issuer": {"name": issuer_name, "recognised": recognised if judged else None, "note": issuer_note,
                   "id": result.issuer},
        "card": [(key, t(f"field.{key}"), fields[key]) for key in card_keys if key in fields],
        "groups": [(t(f"group.{name}"), [(key, t(f"field.{key}"), fields[key]) for key in keys if key in fields])
                   for name, keys in GROUPS if any(key in fields for key in keys)],
        "summary": summary,
        "fields": fields,
        "missing": missing,
        "warnings": [w["message"][lang] for w in result.warnings
                     if w.get("code") not in ("elm-elements-missing", "issuer-not-recognised")
                     and isinstance(w.get("message"), dict)],
        "checks": _checks(result, lang),
        "checked_at": i18n.format_moment(now, lang),
    }
