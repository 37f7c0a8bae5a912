"""Issuing: turn a request into a signed, stored credential, all inside the caller's transaction.

Orchestrates the pure domain (ELM building, safe JSON-LD, the eddsa-rdfc-2022 proof) with storage. Nothing is
written unless the whole credential (or the whole cohort) was built and signed, so a refusal leaves no trace.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from app import logs, status
from app.config import Settings
from app.db.models import Credential, Institution
from app.domain import eddsa_rdfc_2022, elm
from app.domain.jsonld import DocumentLoader, as_list
from app.domain.microcredential import parse_micro_credential
from app.domain.timefmt import Clock, parse_xsd, to_xsd, utcnow
from app.errors import InvalidInput
from app.keystore import KeyStore
from app.storage import audit, credentials, institutions

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"


@dataclass
class Services:
    """What issuing needs from the outside world; the API and the CLI build one, tests build their own."""

    settings: Settings
    loader: DocumentLoader
    keystore: KeyStore
    clock: Clock = field(default=utcnow)


def issuer_node(inst: Institution) -> dict:
    return elm.organisation({**inst.profile, "did": inst.did})


def _prefixed(exc: InvalidInput, prefix: str) -> list[dict]:
    return [{**e, "field": f"{prefix}.{e['field']}" if e.get("field") else prefix} for e in exc.errors] or [
        {"field": prefix, "message": exc.detail}]


def _row_id(uri: str) -> str:
    # Our own credentials are urn:uuid:<uuid>; a caller-chosen id (VC API input) gets a fresh row id.
    tail = uri.removeprefix("urn:uuid:")
    try:
        return str(uuid.UUID(tail)) if uri.startswith("urn:uuid:") else str(uuid.uuid4())
    except ValueError:
        return str(uuid.uuid4())


def _store(session: Session, services: Services, inst: Institution, unsigned: dict, *, actor: str,
           learner_ref: str | None, learner_name: str | None, title: str | None,
           batch_id: str | None = None) -> Credential:
    now = services.clock()
    row = Credential(
        id=_row_id(unsigned["id"]), uri=unsigned["id"], institution_id=inst.id, learner_ref=learner_ref,
        learner_name=learner_name, title=title, document={}, issued_at=now,
        valid_from=parse_xsd(unsigned.get("validFrom") or unsigned.get("issuanceDate")),
        valid_until=parse_xsd(unsigned.get("validUntil") or unsigned.get("expirationDate")),
        download_token=secrets.token_urlsafe(24), verify_token=secrets.token_urlsafe(24),
        batch_id=batch_id, created_at=now, status="active")
    # The row exists (inside this transaction only) before the status entries that point at it.
    credentials.add(session, row)
    session.flush()
    unsigned = status.attach_entries(session, services.settings.public_origin, inst, unsigned, row.id, now=now)
    # create_proof refuses documents in which JSON-LD would drop terms (safe mode) before it signs anything.
    signer = services.keystore.signer(institutions.active_key(session, inst))
    row.document = eddsa_rdfc_2022.create_proof(unsigned, signer, loader=services.loader, created=to_xsd(now))
    audit.record(session, actor=actor, action="issue", now=now, institution_id=inst.id, credential_id=row.id,
                 learner_ref=learner_ref, batch_id=batch_id)
    logs.on_commit(session, "credential.issued", institution=inst.slug, credential_id=row.id, batch_id=batch_id)
    return row


def build_micro_credential(services: Services, inst: Institution, data: object) -> tuple[dict, dict]:
    """Validate the friendly input and build the unsigned ELM credential; returns (unsigned, summary fields)."""
    mc = parse_micro_credential(data)
    now = services.clock()
    valid_until = mc.valid_until or (
        now + timedelta(days=inst.default_validity_days) if inst.default_validity_days else None)
    unsigned = elm.build_credential(mc, issuer_node(inst), credential_id=f"urn:uuid:{uuid.uuid4()}", issued_at=now,
                                    valid_until=valid_until)
    return unsigned, elm.summarize(unsigned, "lv")


def issue_micro_credential(session: Session, services: Services, inst: Institution, data: object, *,
                           actor: str, batch_id: str | None = None) -> Credential:
    unsigned, summary = build_micro_credential(services, inst, data)
    return _store(session, services, inst, unsigned, actor=actor, learner_ref=summary.get("learnerRef"),
                  learner_name=summary.get("learnerName"), title=summary.get("title"), batch_id=batch_id)


def issue_cohort(session: Session, services: Services, inst: Institution, items: list, *,
                 actor: str) -> list[Credential]:
    """All or nothing: every item is validated before the first is signed; one refusal refuses the cohort."""
    if not isinstance(items, list) or not items:
        raise InvalidInput("A cohort needs a non-empty list of micro-credentials.",
                           errors=[{"field": "microCredentials", "message": "must be a non-empty list"}])
    if len(items) > services.settings.max_batch:
        raise InvalidInput(f"A cohort may hold at most {services.settings.max_batch} credentials.",
                           errors=[{"field": "microCredentials", "message": "too many items"}])
    built, errors = [], []
    for n, item in enumerate(items):
        try:
            built.append(build_micro_credential(services, inst, item))
        except InvalidInput as exc:
            errors.extend(_prefixed(exc, f"microCredentials[{n}]"))
    if errors:
        raise InvalidInput(f"{len({e['field'].split('.')[0] for e in errors})} of {len(items)} micro-credentials "
                           "were refused; nothing was issued.", errors=errors)
    batch_id = str(uuid.uuid4())
    return [_store(session, services, inst, unsigned, actor=actor, learner_ref=summary.get("learnerRef"),
                   learner_name=summary.get("learnerName"), title=summary.get("title"), batch_id=batch_id)
            for unsigned, summary in built]


def prepare_unsigned_vc(services: Services, inst: Institution, credential: object) -> dict:
    """A ready unsigned VC (VC 1.1 or 2.0, as the VC API issuer test suites send it), completed for signing."""
    if not isinstance(credential, dict):
        raise InvalidInput("`credential` must be a JSON object.", errors=[{"field": "credential",
                                                                            "message": "must be an object"}])
    vc = dict(credential)
    errors = []
    ctx_list = as_list(vc.get("@context"))
    base = ctx_list[0] if ctx_list else None
    if base not in (VC1, VC2):
        errors.append({"field": "credential.@context",
                       "message": f"the first context must be {VC1} (VC 1.1) or {VC2} (VC 2.0)"})
    if "VerifiableCredential" not in as_list(vc.get("type")):
        errors.append({"field": "credential.type", "message": "must include VerifiableCredential"})
    if not isinstance(vc.get("credentialSubject"), (dict, list)) or not vc.get("credentialSubject"):
        errors.append({"field": "credential.credentialSubject", "message": "is required"})
    if "proof" in vc:
        errors.append({"field": "credential.proof", "message": "an unsigned credential must not carry a proof"})
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id is not None and issuer_id != inst.did:
        errors.append({"field": "credential.issuer",
                       "message": f"this institution issues as {inst.did}; the issuer must be that DID or absent"})
    if "id" in vc and not (isinstance(vc["id"], str) and ":" in vc["id"]):
        errors.append({"field": "credential.id", "message": "must be an absolute URI"})
    for name in ("validFrom", "validUntil", "issuanceDate", "expirationDate"):
        if name in vc and parse_xsd(vc[name]) is None:
            errors.append({"field": f"credential.{name}", "message": "must be an XML Schema dateTime with a timezone"})
    if errors:
        raise InvalidInput("The credential cannot be issued as it is.", errors=errors)
    vc.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
    vc["issuer"] = {**issuer, "id": inst.did} if isinstance(issuer, dict) else inst.did
    if base == VC1:
        vc.setdefault("issuanceDate", to_xsd(services.clock()))
    return vc


def issue_vc(session: Session, services: Services, inst: Institution, credential: object, *,
             actor: str) -> Credential:
    vc = prepare_unsigned_vc(services, inst, credential)
    subject = vc["credentialSubject"]
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    return _store(session, services, inst, vc, actor=actor, learner_ref=subject_id, learner_name=None,
                  title=None)
