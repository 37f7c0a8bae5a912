"""The JSON API's request and response bodies as pydantic models: they validate what the routes accept and return,
and they generate the OpenAPI document (app.api.openapi), so the two cannot drift apart.

Request bodies are read by ``deps.json_body`` (size cap, strict JSON) and then validated by their model
(``body_of``); a body the model refuses is a 422 invalid-input problem listing every field, as the
micro-credential input's own refusals are. Response bodies are validated on the way out (``response_model``).
Every error is an RFC 9457 problem (``Problem``), documented per route with the statuses it really sends
(``problems``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, model_validator
from pydantic.alias_generators import to_camel

from app.api.deps import json_body
from app.api.problems import PROBLEM_JSON
from app.domain.microcredential import validation_errors
from app.errors import InvalidInput
from app.status import REASONS

REF = "#/components/schemas/{model}"
JsonObject = dict[str, Any]
MicroCredential = Annotated[JsonObject, WithJsonSchema({"allOf": [{"$ref": REF.format(model="MicroCredentialInput")}]})]
# a signed credential is passed on exactly as signed (never re-serialized by a model); documented as SignedCredential
Credential = Annotated[JsonObject, WithJsonSchema({"allOf": [{"$ref": REF.format(model="SignedCredential")}]})]
Reason = Literal[tuple(REASONS)]  # type: ignore[valid-type]
Verdict = Literal["verified", "unrecognised-issuer", "invalid", "revoked", "suspended", "expired", "not-yet-valid",
                  "unknown"]


class _Model(BaseModel):
    # an answer with a member its model does not name fails (500) rather than losing it: no silent drift
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class _Request(_Model):
    # JSON as sent: no coercion ("3" is not 3, 1 is not true); members no model names are ignored (VC API)
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=True, extra="ignore")


# --- problems (RFC 9457) ------------------------------------------------------------------------------------------


class ProblemField(_Model):
    """One refused field (or, for a credential that did not verify, one check that did not pass)."""

    model_config = ConfigDict(extra="allow")
    field: str = Field(description="Where: a dotted path into the request body (`learner.givenName`), or a check.")
    message: str


class Problem(_Model):
    """RFC 9457 problem details; some problems carry more members (e.g. a verification result)."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="A URI naming the problem, e.g. https://mcred.eu/problems/invalid-input.")
    title: str
    status: int
    detail: str
    instance: str | None = Field(None, description="The request's path.")
    errors: list[ProblemField] | None = Field(None, description="Every refused field, all at once.")


DESCRIPTIONS = {
    400: "Malformed request: not JSON, JSON that is not strict (NaN, huge numbers, lone surrogates, NUL "
         "characters), or a NUL character in the URL",
    401: "No API key, or not a valid one",
    404: "Not found (or not this institution's)",
    403: "Forbidden (e.g. a form posted from another site)",
    409: "Conflict with the current state (e.g. revocation is final; the institution's profile is incomplete)",
    413: "Too large or too deeply nested (request body, credential, JSON-LD processing)",
    415: "The body is not JSON",
    422: "Invalid input: every refused field is listed in `errors`",
    429: "Too many requests: this client has used its share of verification work (see `Retry-After`)",
    500: "The service failed; nothing was stored",
    503: "Not ready: the database cannot be reached or is not migrated; or busy: no verification slot in time "
         "(see `Retry-After`)",
}
BODY_ERRORS = (400, 413, 415, 422)


def problems(*statuses: int, schemas: dict[int, dict] | None = None) -> dict:
    """The ``responses`` of a route for the problem statuses it sends (500 always), as application/problem+json."""
    out = {}
    for status in sorted({*statuses, 500}):
        schema = (schemas or {}).get(status, {"$ref": REF.format(model="Problem")})
        out[status] = {"description": DESCRIPTIONS[status], "content": {PROBLEM_JSON: {"schema": schema}}}
    return out


# --- reading a body -----------------------------------------------------------------------------------------------


def body_of(model: type[_Request], *, optional: bool = False, reader=json_body):
    """A dependency: the body read by ``reader`` (``json_body``: cap, strict JSON), validated by ``model``.
    ``optional``: a request without a body counts as ``{}`` (nothing is read without a Content-Length or a chunked
    body)."""

    async def read(request: Request) -> _Request:
        empty = request.headers.get("content-length") in (None, "0") and "transfer-encoding" not in request.headers
        data = {} if optional and empty else await reader(request)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = validation_errors(exc)
            shown = "; ".join(f"{e['field'] or '(body)'}: {e['message']}" for e in errors[:10])
            raise InvalidInput(f"The request body is invalid: {shown}.", errors=errors) from None

    return read


def body_doc(model: type[_Request], *, examples: dict | None = None, required: bool = True) -> dict:
    """``openapi_extra`` declaring ``model`` as the request body (its schema is a component, see openapi.py)."""
    content: dict = {"schema": {"$ref": REF.format(model=model.__name__)}}
    if examples:
        content["examples"] = {name: {"value": value} for name, value in examples.items() if value is not None}
    return {"requestBody": {"required": required, "content": {"application/json": content}}}


# --- requests -----------------------------------------------------------------------------------------------------


class IssueRequest(_Request):
    """VC API issue: exactly one of ``microCredential`` (mcred builds the ELM credential) and ``credential`` (a
    ready unsigned W3C VC 1.1 or 2.0 whose issuer is the institution's DID)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=True, extra="ignore",
                              json_schema_extra={
        "oneOf": [{"required": ["microCredential"]}, {"required": ["credential"]}]})
    micro_credential: MicroCredential = Field(None, description="The micro-credential, element by element.")
    credential: JsonObject = Field(None, description="An unsigned W3C VC to sign as the institution.")
    options: JsonObject = Field(default_factory=dict, description="VC API issue options; unknown ones are ignored.")
    wallet_tx_code: bool | None = Field(None, description="Whether the wallet offer (OpenID4VCI) asks for a "
                                        "transaction code; default: the institution's setting.")

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.micro_credential is None) == (self.credential is None):
            raise ValueError("send either `microCredential` or `credential`, not both or neither")
        return self


class CohortRequest(_Request):
    """A whole cohort, issued all or nothing."""

    micro_credentials: list[MicroCredential] = Field(min_length=1, description="The micro-credentials (at most "
                                                     "MCRED_MAX_BATCH, 500 by default).")


class BatchRequest(_Request):
    """A batch of micro-credentials, issued in the background (app.batches)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=True, extra="forbid")
    items: list[MicroCredential] = Field(min_length=1, description="The micro-credentials (at most "
                                         "MCRED_MAX_BATCH_ITEMS, 20,000 by default).")
    mode: Literal["all-or-nothing", "partial"] = Field(
        "all-or-nothing", description="all-or-nothing: one invalid item refuses the batch (state `refused`) and "
        "nothing is issued; partial: the valid items are issued, the invalid ones reported with their errors. The "
        "items are checked in the background: GET the batch for the outcome.")


class StatusChangeRequest(_Request):
    """Suspend or reinstate: optionally why, and a note for the audit trail."""

    reason: Reason | None = Field(None, description="The reason's category.")
    note: str | None = Field(None, max_length=2000, description="A note for the audit trail (not published).")


class RevokeRequest(StatusChangeRequest):
    """Revoke (final): why, as a reason code, and optionally a note for the audit trail."""

    reason: Reason = Field(description="The reason's category.")


class StatusUpdate(_Request):
    type: str | None = Field(None, description="BitstringStatusListEntry")
    status_purpose: Literal["revocation", "suspension"]
    status: bool | Literal["true", "false", "revoked", "suspended", "active"] = Field(
        description="true sets the status (revoked, suspended), false clears a suspension; revocation is final.")


class UpdateStatusRequest(_Request):
    """VC API "Update Status"."""

    credential_id: str = Field(min_length=1, description="The credential's id (`urn:uuid:…`) or mcred's id.")
    credential_status: Annotated[list[StatusUpdate], Field(min_length=1)] | StatusUpdate
    reason: Reason | None = None
    note: str | None = Field(None, max_length=2000)


class VerifyCredentialRequest(_Request):
    verifiable_credential: JsonObject = Field(description="The signed credential.")
    options: JsonObject = Field(default_factory=dict, description="VC API options; unknown ones are ignored.")


class PresentationOptions(_Request):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=True, extra="allow")
    challenge: str | None = Field(None, description="The challenge the presentation's proof must sign.")
    domain: str | None = Field(None, description="The domain the presentation's proof must sign.")


class VerifyPresentationRequest(_Request):
    verifiable_presentation: JsonObject = Field(description="The signed presentation.")
    options: PresentationOptions = Field(default_factory=PresentationOptions)


# --- responses ----------------------------------------------------------------------------------------------------


class Links(_Model):
    credential: str = Field(description="This record (the institution's API).")
    download: str = Field(description="The learner's page: the certificate, the signed file, the link to share.")
    credential_file: str = Field(description="The signed credential itself (.jsonld).")
    verification: str = Field(description="The public verification page (the QR code's URL).")
    qr_code: str = Field(description="The QR code of the verification URL (PNG).")
    certificate: str = Field(description="The one-page PDF certificate (?lang=lv|en).")
    wallet_offer: str | None = Field(None, description="The open OpenID4VCI credential offer "
                                     "(openid-credential-offer://), for a wallet to pick the credential up.")


class SignedCredential(BaseModel):
    """A W3C Verifiable Credential with its proof (here: an ELM European Digital Credential, eddsa-rdfc-2022)."""

    model_config = ConfigDict(extra="allow")
    context: list[str | JsonObject] | str = Field(alias="@context")
    id: str | None = None
    type: list[str] | str
    issuer: str | JsonObject
    credential_subject: JsonObject | list[JsonObject] = Field(alias="credentialSubject")
    proof: JsonObject | list[JsonObject]


class IssueResponse(_Model):
    verifiable_credential: Credential
    id: str
    links: Links
    tx_code: str | None = Field(None, description="The wallet offer's transaction code, where it asks for one: "
                                "deliver it to the learner apart from the offer (mail, SMS).")
    warnings: list[JsonObject] | None = Field(None, description="What was accepted but cannot be checked by this "
                                                                "service (e.g. a status entry of another type), or "
                                                                "should be known (`issued-expired`: a record from "
                                                                "before, issued already expired)")


class CohortMember(_Model):
    id: str
    learner_ref: str | None
    links: Links
    tx_code: str | None = Field(None, description="The wallet offer's transaction code, where it asks for one.")
    verifiable_credential: Credential


class CohortResponse(_Model):
    batch_id: str
    count: int
    credentials: list[CohortMember]


class BatchCounts(_Model):
    total: int
    issued: int
    failed: int
    pending: int


class BatchLinks(_Model):
    self_: str = Field(alias="self", description="This batch (GET /batches/{id}).")


class DeliveryState(_Model):
    """The e-mail that gives the learner their link (MCRED_SMTP_URL; sent once, retried with backoff)."""

    status: Literal["pending", "sending", "sent", "failed"] = Field(
        description="pending (due, or waiting to be retried), sending, sent, or failed (given up)")
    attempts: int
    sent_at: str | None = None
    next_attempt_at: str | None = Field(None, description="When a failed attempt is retried.")
    error: str | None = Field(None, description="Why the last attempt failed.")


class BatchItemResult(_Model):
    """One item: pending, issued (its credential id and links) or failed (its errors, fields named items[n]…)."""

    index: int = Field(description="The item's position in the request (0-based).")
    status: Literal["pending", "issued", "failed"]
    learner_ref: str | None
    id: str | None = None
    links: Links | None = None
    tx_code: str | None = Field(None, description="The wallet offer's transaction code, while the offer is open.")
    errors: list[ProblemField] | None = None
    delivery: DeliveryState | None = Field(None, description="The e-mail to the learner, when one is sent.")


class BatchSummary(_Model):
    id: str
    mode: Literal["all-or-nothing", "partial"]
    state: Literal["checking", "queued", "running", "done", "refused"] = Field(description=(
        "checking: accepted, its items being validated; queued, running, done: issued in the background; refused: "
        "all or nothing, and an item was invalid (every item failed, each with its errors or the reason it was not "
        "issued)"))
    counts: BatchCounts
    progress: float = Field(description="Issued and failed items as a share of all, 0 to 1.")
    created_at: str
    started_at: str | None
    finished_at: str | None
    links: BatchLinks


class BatchAccepted(BatchSummary):
    items: list[BatchItemResult] = Field(description="Empty: the items are checked after the answer (GET the batch "
                                         "for them).")


class BatchPage(_Model):
    offset: int
    limit: int
    total: int = Field(description="Items with the requested status (all items without one).")
    next: str | None


class BatchState(BatchSummary):
    items: list[BatchItemResult] = Field(description="A page of the batch's items, in order.")
    page: BatchPage


class CredentialSummary(_Model):
    id: str
    credential_id: str
    learner_ref: str | None
    learner_name: str | None
    title: str | None
    issued_at: str
    valid_from: str | None
    valid_until: str | None
    batch_id: str | None
    links: Links


class WalletOffer(_Model):
    """An OpenID4VCI credential offer of the record."""

    id: str
    state: Literal["open", "picked-up", "withdrawn", "locked", "expired"]
    wallet_offer: str
    tx_code_required: bool
    tx_code: str | None = None
    tx_code_attempts: int
    created_at: str
    expires_at: str
    picked_up_at: str | None = None
    withdrawn_at: str | None = None
    locked_at: str | None = None


class WalletCopy(_Model):
    """A copy a wallet picked up: when, which holder (its DID), the copy's VC id."""

    id: str
    credential_id: str
    holder: str
    issued_at: str


class WalletOffers(_Model):
    withdrawn: int | None = None
    offers: list[WalletOffer]


class CredentialRecord(CredentialSummary):
    verifiable_credential: Credential
    wallet_offers: list[WalletOffer] = Field(default_factory=list, description="Its OpenID4VCI offers, newest first.")
    wallet_copies: list[WalletCopy] = Field(default_factory=list, description="The copies wallets picked up.")


class CredentialList(_Model):
    credentials: list[CredentialSummary]
    count: int = Field(description="How many are on this page.")
    total: int = Field(description="How many match, over every page.")
    limit: int
    offset: int


class AuditEvent(_Model):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")
    action: str
    actor: str
    at: str


class AuditEvents(_Model):
    events: list[AuditEvent]


class StatusChangeResponse(CredentialSummary):
    status: Literal["active", "revoked", "suspended"]
    status_reason: str | None


class UpdateStatusResponse(_Model):
    credential_id: str
    status: Literal["active", "revoked", "suspended"]


class CheckResult(_Model):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")
    check: str
    outcome: Literal["ok", "failed", "unknown"]
    code: str
    message: dict[str, str] = Field(description="In Latvian and English.")
    detail: str | None = None


class IssuerInfo(_Model):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")
    id: str | None
    recognised: bool


class VerificationResult(_Model):
    verified: bool
    verdict: Verdict
    checks: list[CheckResult]
    warnings: list[JsonObject]
    issuer: IssuerInfo


class PresentationResult(_Model):
    verified: bool
    verdict: Verdict
    checks: list[CheckResult]
    warnings: list[JsonObject]
    holder: str | None
    credential_results: list[VerificationResult]


class VerificationProblem(Problem):
    """A credential (or presentation) that did not verify: the problem, with the whole verification result."""

    verified: bool
    verdict: Verdict
    checks: list[CheckResult]


class DidDocument(_Model):
    model_config = ConfigDict(extra="allow")
    id: str
    verification_method: list[JsonObject]
    assertion_method: list[Any]


class StatusListCredential(_Model):
    """A signed BitstringStatusListCredential (W3C Bitstring Status List v1.0)."""

    model_config = ConfigDict(extra="allow")
    id: str
    type: list[str]
    issuer: str | JsonObject
    credential_subject: JsonObject
    proof: JsonObject | list[JsonObject]


class ApiKeyInfo(_Model):
    prefix: str
    label: str
    created_at: str
    revoked_at: str | None
    current: bool = Field(description="The key of this request.")


class ApiKeys(_Model):
    api_keys: list[ApiKeyInfo]


class Health(_Model):
    status: Literal["ok"]


class Ready(_Model):
    status: Literal["ready"]


REQUEST_MODELS = (IssueRequest, CohortRequest, BatchRequest, StatusChangeRequest, RevokeRequest, UpdateStatusRequest,
                  VerifyCredentialRequest, VerifyPresentationRequest)
EXTRA_MODELS = (Problem, VerificationProblem, SignedCredential)  # referenced from ``problems`` rather than from a route
