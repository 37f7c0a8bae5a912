"""The results of a verification (VC API "verify credential" / "verify presentation"): checks, warnings, verdict.

``verified`` (VC API) is true when no check failed or is unknown. The ``verdict`` tells people what to do:
invalid > revoked > suspended > expired > not-yet-valid > unknown > unrecognised-issuer > verified. A genuine,
current credential from an issuer this service does not recognise (or naming its issuer or awarding body
differently than the recognised institution) gets ``unrecognised-issuer``: ``verified`` may be true, but a page
must never present it as a credential of the institution it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from app.texts.terms import Term, term_of
from app.texts.verification import MESSAGES, message, warning_message

OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
CHECK_NAMES = ("proof", "issuer", "format", "validity", "status")

# Verdicts, for people (the page) and machines ("verdict" in the API result).
(VERIFIED, UNRECOGNISED_ISSUER, INVALID, REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID, UNVERIFIABLE) = (
    "verified", "unrecognised-issuer", "invalid", "revoked", "suspended", "expired", "not-yet-valid", "unknown")


@dataclass(frozen=True)
class RecognisedIssuer:
    """An issuer this service vouches for: one of its own institutions, or an entry of the operator's trust list."""

    did: str
    name: dict  # {"lv": ..., "en": ...}
    source: str  # "institution" | "trust-list"
    homepage: str | None = None


Recognise = Callable[[str], "RecognisedIssuer | None"]


@dataclass
class Check:
    check: str
    outcome: str
    code: str
    detail: str | None = None  # technical detail, English (from the proof suites, the JSON-LD processor, ...)
    data: dict = field(default_factory=dict)

    def to_dict(self, term: Term | None = None) -> dict:
        out = {"check": self.check, "outcome": self.outcome, "code": self.code, "message": message(self.code, term)}
        if self.detail:
            out["detail"] = self.detail
        if self.data:
            out.update(self.data)
        return out


def not_checked(name: str, detail: str | None = None) -> Check:
    return Check(name, UNKNOWN, "not-checked", detail)


def warning(code: str, detail: str | None = None, **data) -> dict:
    out = {"code": code, "message": message(code), **data}
    if detail:
        out["detail"] = detail
    return out


@dataclass
class VerificationResult:
    checks: list[Check]
    warnings: list[dict]
    issuer: str | None = None
    recognised: RecognisedIssuer | None = None
    names_match: bool = True
    # The credential as signed (app.domain.rdf view), for display; None when the document could not be read.
    # Only what passed the proof check may be shown as fact: see ``authentic``.
    view: dict | None = None
    status_details: list[dict] = field(default_factory=list)
    # the names that differ from the recognised institution's (app.domain.verification.names)
    name_differences: list[dict] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return all(c.outcome == OK for c in self.checks)

    @property
    def authentic(self) -> bool:
        """The data shown (``view``) are the signed data of a proof that verified, by a key of the issuer."""
        return self.view is not None and self.by_name("proof").outcome == OK and self.by_name("issuer").outcome == OK

    def by_name(self, name: str) -> Check:
        return next(c for c in self.checks if c.check == name)

    @property
    def verdict(self) -> str:
        if any(c.outcome == FAILED for c in self.checks if c.check in ("proof", "issuer", "format")):
            return INVALID
        status, validity = self.by_name("status"), self.by_name("validity")
        if status.outcome == FAILED:
            return REVOKED if status.code == "revoked" else SUSPENDED
        if validity.outcome == FAILED:
            return {"expired": EXPIRED, "not-yet-valid": NOT_YET_VALID}.get(validity.code, INVALID)
        if any(c.outcome != OK for c in self.checks):
            return UNVERIFIABLE
        if self.recognised is None or not self.names_match:
            return UNRECOGNISED_ISSUER
        return VERIFIED

    def issuer_info(self) -> dict:
        out: dict[str, Any] = {"id": self.issuer, "recognised": self.recognised is not None and self.names_match}
        if self.recognised is not None:
            out.update(name=self.recognised.name, source=self.recognised.source, nameMatches=self.names_match)
            if self.recognised.homepage:
                out["homepage"] = self.recognised.homepage
            if self.name_differences:
                out["differingNames"] = self.name_differences
        return out

    @property
    def term(self) -> Term:
        """What the messages call this credential (app.texts.terms): its document type, "mikrokvalifikācija" for
        another ELM credential, "digitālais apliecinājums" for any other VC."""
        return term_of(self.view)

    def to_dict(self) -> dict:
        term = self.term
        warnings = [{**w, "message": warning_message(w, term)} if w.get("code") in MESSAGES
                    and isinstance(w.get("message"), dict) else w for w in self.warnings]
        return {"verified": self.verified, "verdict": self.verdict,
                "checks": [c.to_dict(term) for c in self.checks], "warnings": warnings,
                "issuer": self.issuer_info()}


@dataclass
class PresentationResult:
    """VC API "verify presentation": the presentation's own checks and one result per credential it carries."""

    checks: list[Check]
    credentials: list[VerificationResult]
    warnings: list[dict]
    holder: str | None = None

    @property
    def verified(self) -> bool:
        return all(c.outcome == OK for c in self.checks) and all(r.verified for r in self.credentials)

    @property
    def verdict(self) -> str:
        """The presentation's own failure first, then the worst of its credentials' verdicts."""
        if any(c.outcome == FAILED for c in self.checks):
            return INVALID
        if any(c.outcome != OK for c in self.checks):
            return UNVERIFIABLE
        order = (INVALID, REVOKED, SUSPENDED, EXPIRED, NOT_YET_VALID, UNVERIFIABLE, UNRECOGNISED_ISSUER)
        verdicts = {r.verdict for r in self.credentials}
        return next((v for v in order if v in verdicts), VERIFIED)

    def to_dict(self) -> dict:
        return {"verified": self.verified, "verdict": self.verdict, "checks": [c.to_dict() for c in self.checks],
                "warnings": self.warnings, "holder": self.holder,
                "credentialResults": [r.to_dict() for r in self.credentials]}
