"""Issuing: turn a request into a signed, stored credential, all inside the caller's transaction.

Orchestrates the pure domain (ELM building, safe JSON-LD, the eddsa-rdfc-2022 proof) with storage. Nothing is
written unless the whole credential (or the whole cohort) was built and signed, so a refusal leaves no trace.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from app import logs, status
from app.db.models import Credential, Institution
from app.domain import eddsa_rdfc_2022, elm, verify
from app.domain.jsonld import DEFAULT_LIMITS, as_list
from app.domain.microcredential import parse_micro_credential
from app.domain.timefmt import parse_xsd, to_xsd
from app.errors import InvalidInput, JsonLdRefused
from app.services import Services
from app.storage import audit, credentials, institutions

from app.domain.verify import VC1

# A caller's VC id is indexed (unique per institution): PostgreSQL's btree entries hold at most ~2,700 bytes.
VC_ID_MAX_BYTES = 2000
LEARNER_REF_MAX = Credential.learner_ref.type.length


def issuer_node(inst: Institution) -> dict:
    return elm.organisation({**inst.profile, "did": inst.did})


def _prefixed(exc: InvalidInput, prefix: str) -> list[dict]:
    return [{**e, "field": f"{prefix}.{e['field']}" if e.get("field") else prefix} for e in exc.errors] or [
        {"field": prefix, "message": exc.detail}]


def _fit(text: str | None, column) -> str | None:
    """A listing copy of ``text`` cut to the column's width (the signed document keeps it whole)."""
    width = column.type.length
    return text if text is None or len(text) <= width else text[:width - 1] + "…"


def _store(session: Session, services: Services, inst: Institution, unsigned: dict, *, row_id: str, actor: str,
           learner_ref: str | None, learner_name: str | None, title: str | None,
           batch_id: str | None = None) -> Credential:
    """``row_id``: a fresh uuid4 of the service, whatever the VC id is (so no VC id can collide with another
    institution's row, or tell one institution which ids another has issued)."""
    now = services.clock()
    row = Credential(
        id=row_id, uri=unsigned["id"], institution_id=inst.id, learner_ref=learner_ref,
        learner_name=_fit(learner_name, Credential.learner_name), title=_fit(title, Credential.title), document={},
        issued_at=now,
        valid_from=parse_xsd(unsigned.get("validFrom") or unsigned.get("issuanceDate")),
        valid_until=parse_xsd(unsigned.get("validUntil") or unsigned.get("expirationDate")),
        download_token=secrets.token_urlsafe(24), verify_token=secrets.token_urlsafe(24),
        batch_id=batch_id, created_at=now, status="active")
    # The row exists (inside this transaction only) before the status entries that point at it.
    credentials.add(session, row)
    unsigned = status.attach_entries(session, services.settings.public_origin, inst, unsigned, row.id, now=now)
    # create_proof refuses documents in which JSON-LD would drop terms (safe mode) before it signs anything.
    signer = services.keystore.signer(institutions.active_key(session, inst))
    row.document = eddsa_rdfc_2022.create_proof(unsigned, signer, loader=services.loader, created=to_xsd(now))
    audit.record(session, actor=actor, action="issue", now=now, institution_id=inst.id, credential_id=row.id,
                 learner_ref=learner_ref, batch_id=batch_id)
    logs.on_commit(session, "credential.issued", institution=inst.slug, credential_id=row.id, batch_id=batch_id)
    return row


def build_micro_credential(services: Services, inst: Institution, data: object, *,
                           row_id: str) -> tuple[dict, dict]:
    """Validate the friendly input and build the unsigned ELM credential with the VC id ``urn:uuid:<row_id>``;
    returns (unsigned, summary fields)."""
    now = services.clock()
    mc = parse_micro_credential(data, today=now.date())  # the clock's (UTC) date: a later date of issue is refused
    valid_until = mc.valid_until or (
        now + timedelta(days=inst.default_validity_days) if inst.default_validity_days else None)
    unsigned = elm.build_credential(mc, issuer_node(inst), credential_id=f"urn:uuid:{row_id}", issued_at=now,
                                    valid_until=valid_until)
    return unsigned, elm.summarize(unsigned, "lv")


def issue_micro_credential(session: Session, services: Services, inst: Institution, data: object, *,
                           actor: str, batch_id: str | None = None) -> Credential:
    row_id = str(uuid.uuid4())
    unsigned, summary = build_micro_credential(services, inst, data, row_id=row_id)
    return _store(session, services, inst, unsigned, row_id=row_id, actor=actor,
                  learner_ref=summary.get("learnerRef"), learner_name=summary.get("learnerName"),
                  title=summary.get("title"), batch_id=batch_id)


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
        row_id = str(uuid.uuid4())
        try:
            built.append((row_id, *build_micro_credential(services, inst, item, row_id=row_id)))
        except InvalidInput as exc:
            errors.extend(_prefixed(exc, f"microCredentials[{n}]"))
    if errors:
        raise InvalidInput(f"{len({e['field'].split('.')[0] for e in errors})} of {len(items)} micro-credentials "
                           "were refused; nothing was issued.", errors=errors)
    batch_id = str(uuid.uuid4())
    return [_store(session, services, inst, unsigned, row_id=row_id, actor=actor,
                   learner_ref=summary.get("learnerRef"), learner_name=summary.get("learnerName"),
                   title=summary.get("title"), batch_id=batch_id)
            for row_id, unsigned, summary in built]


def prepare_unsigned_vc(services: Services, inst: Institution, credential: object) -> tuple[dict, dict]:
    """A ready unsigned VC (VC 1.1 or 2.0, as the VC API issuer test suites send it), completed for signing;
    returns (credential, its signed view).

    Judged by what would be signed (its RDF statements, app.domain.rdf), not by its JSON keys: an issuer or a
    status entry written under a full IRI or an alias counts exactly as one written plainly.
    """
    if not isinstance(credential, dict):
        raise InvalidInput("`credential` must be a JSON object.", errors=[{"field": "credential",
                                                                            "message": "must be an object"}])
    if "proof" in credential:
        raise InvalidInput("An unsigned credential must not carry a proof.",
                           errors=[{"field": "credential.proof", "message": "must be absent"}])
    # The commonest mistakes, named by their field before JSON-LD processing refuses them less precisely.
    shape = [{"field": "credential.id", "message": "must be one URI (a string)"}] \
        if "id" in credential and not isinstance(credential["id"], str) else []
    if any(isinstance(s, dict) and "id" in s and not isinstance(s["id"], str)
           for s in as_list(credential.get("credentialSubject"))):
        shape.append({"field": "credential.credentialSubject.id",
                      "message": f"must be one URI (a string of at most {LEARNER_REF_MAX} characters)"})
    if shape:
        raise InvalidInput("The credential cannot be issued as it is.", errors=shape)
    try:
        _, view = verify.read(credential, verify.CRED + "VerifiableCredential", services.loader,
                              DEFAULT_LIMITS.deadline(), DEFAULT_LIMITS)
    except verify.NotReadable as exc:
        refusal = JsonLdRefused if exc.code in ("unknown-context", "undefined-terms", "invalid-jsonld") \
            else InvalidInput
        raise refusal(f"The credential cannot be issued as it is: {exc.detail}", slug=exc.code,
                      errors=[{"field": f"credential.{t}", "message": "not defined by the credential's @context"}
                              for t in exc.data.get("terms", [])] or [{"field": "credential", "message": exc.detail}],
                      ) from None
    errors = [{"field": "credential", "message": p} for p in verify.credential_problems(view, credential)]
    issuers = _node_ids(view.get("issuer"))
    if len(as_list(view.get("issuer"))) != 1 or issuers != [inst.did]:
        errors.append({"field": "credential.issuer",
                       "message": f"must be this institution's DID, {inst.did}, and nothing else"})
    own_lists = services.settings.public_origin + "/status/"
    for entry in verify.status_entries(view):
        if isinstance(entry, verify.StatusUnknown):
            errors.append({"field": "credential.credentialStatus", "message": entry.detail})
        elif entry.url.startswith(own_lists):
            errors.append({"field": "credential.credentialStatus",
                           "message": "entries in this service's status lists are assigned by the service"})
    for name in ("validFrom", "validUntil", "issuanceDate", "expirationDate"):
        if any(parse_xsd(v) is None for v in as_list(view.get(name))):
            errors.append({"field": f"credential.{name}", "message": "must be an XML Schema dateTime with a timezone"})
    if errors:
        raise InvalidInput("The credential cannot be issued as it is.", errors=errors)
    vc = dict(credential)
    if as_list(vc.get("@context"))[0] == VC1 and not view.get("issuanceDate"):
        vc["issuanceDate"] = to_xsd(services.clock())
    return vc, view


def _node_ids(values) -> list[str]:
    return [v.get("id") for v in as_list(values) if isinstance(v, dict)]


def issue_vc(session: Session, services: Services, inst: Institution, credential: object, *,
             actor: str) -> Credential:
    row_id = str(uuid.uuid4())
    vc, view = prepare_unsigned_vc(services, inst, credential)
    if str(view.get("id", "_:")).startswith("_:"):  # the service names it: urn:uuid:<row id>
        vc["id"] = f"urn:uuid:{row_id}"
    errors = []
    if len(str(view.get("id", "")).encode()) > VC_ID_MAX_BYTES:
        errors.append({"field": "credential.id", "message": f"must be at most {VC_ID_MAX_BYTES} bytes (UTF-8)"})
    subjects = [i for i in _node_ids(view.get("credentialSubject")) if not i.startswith("_:")]
    if any(len(i) > LEARNER_REF_MAX for i in subjects):
        errors.append({"field": "credential.credentialSubject.id",
                       "message": f"must be one URI (a string of at most {LEARNER_REF_MAX} characters)"})
    if errors:
        raise InvalidInput("The credential cannot be issued as it is.", errors=errors)
    return _store(session, services, inst, vc, row_id=row_id, actor=actor,
                  learner_ref=subjects[0] if subjects else None,
                  learner_name=None, title=None)
