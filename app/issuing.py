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
from app.db.session import JsonText
from app.domain import eddsa_rdfc_2022, elm, iris
from app.domain.json_digest import digest
from app.domain.jsonld import DEFAULT_LIMITS, as_list
from app.domain.signed import VC1, NotReadable, Signed, StatusEntry, StatusUnknown, credential_problems, read
from app.domain.microcredential import parse_micro_credential
from app.domain.timefmt import parse_xsd, to_xsd
from app.errors import InvalidInput, JsonLdRefused
from app.services import Services
from app.storage import audit, credentials, institutions

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


def json_validity(document: dict) -> tuple:
    """(valid from, valid until) of one of the service's own documents, whose terms it chose: the JSON says what
    the statements say."""
    return (parse_xsd(document.get("validFrom") or document.get("issuanceDate")),
            parse_xsd(document.get("validUntil") or document.get("expirationDate")))


def credential_row(inst: Institution, document: dict | JsonText, *, row_id: str, learner_ref: str | None,
                   learner_name: str | None, title: str | None, now, batch_id: str | None = None,
                   validity: tuple | None = None, uri: str | None = None,
                   document_digest: str | None = None) -> Credential:
    """The row that stores a signed credential, with its summary and bearer tokens. ``validity``: (valid from,
    valid until) as the statements give them (app.domain.signed), else ``json_validity``. ``document`` may be its
    JSON text (JsonText, from a signing process), with its ``uri``, ``validity`` and ``document_digest`` given."""
    if validity is None:
        validity = json_validity(document)
    if document_digest is None:
        if isinstance(document, JsonText):
            raise TypeError("the digest of a document given as its JSON text is computed where it was signed")
        document_digest = digest(document)
    return Credential(
        id=row_id, uri=uri or document["id"], institution_id=inst.id, learner_ref=learner_ref,
        learner_name=_fit(learner_name, Credential.learner_name), title=_fit(title, Credential.title),
        document=document, document_digest=document_digest, issued_at=now, valid_from=validity[0],
        valid_until=validity[1],
        download_token=link_token(), verify_token=link_token(),
        batch_id=batch_id, created_at=now, status="active")


def link_token() -> str:
    """A capability token for a link a person copies (192 bits, URL-safe), never ending in "-" or "_": a reader
    that copies the URL from the printed certificate, or a mail client that links it, must not take a trailing
    hyphen for a line-end hyphenation or punctuation (PDFium does)."""
    while True:
        token = secrets.token_urlsafe(24)
        if token[-1].isalnum():
            return token


def _validity_of(signed: Signed) -> tuple:
    """(latest start, earliest end) of the statements: the strictest, as verifiers read them."""
    starts = [parse_xsd(v) for _, v in signed.validity().starts]
    ends = [parse_xsd(v) for _, v in signed.validity().ends]
    return (max((s for s in starts if s), default=None), min((e for e in ends if e), default=None))


def sign(services: Services, key, unsigned: dict, now, entries: list[dict] = ()) -> dict:
    """The credential with its status ``entries``, signed with ``key`` (a SigningKey, or any value with its
    ``key_file`` and ``verification_method``) at ``now``: one function for single issuing, batches and wallet
    copies. create_proof refuses documents in which JSON-LD would drop terms (safe mode) before it signs."""
    document = status.with_entries(unsigned, list(entries)) if entries else unsigned
    return eddsa_rdfc_2022.create_proof(document, services.keystore.signer(key), loader=services.loader,
                                        created=to_xsd(now))


def _store(session: Session, services: Services, inst: Institution, unsigned: dict, *, row_id: str, actor: str,
           learner_ref: str | None, learner_name: str | None, title: str | None,
           batch_id: str | None = None, ready: bool = False) -> Credential:
    """Allocate the status entries, sign, then write the row once, signed. ``row_id``: a fresh uuid4 of the
    service, whatever the VC id is (so no VC id can collide with another institution's row, or tell one
    institution which ids another has issued). ``ready``: a caller's own VC, read back by IRI before signing
    (``states_as_intended``), its row's validity taken from its statements."""
    now = services.clock()
    entries = status.allocate_entries(session, services.settings.public_origin, inst, row_id, now=now)
    validity = None
    if ready:
        validity = _validity_of(states_as_intended(services, status.with_entries(unsigned, entries), entries))
    document = sign(services, institutions.active_key(session, inst), unsigned, now, entries)
    row = credential_row(inst, document, row_id=row_id, learner_ref=learner_ref, learner_name=learner_name,
                         title=title, now=now, batch_id=batch_id, validity=validity)
    if row.uri == f"urn:uuid:{row_id}":  # the service's own VC id: unique with the row id, nothing to look up
        credentials.add_own(session, [row])
    else:
        credentials.add(session, row)
    audit.record(session, actor=actor, action="issue", now=now, institution_id=inst.id, credential_id=row.id,
                 learner_ref=learner_ref, batch_id=batch_id)
    logs.on_commit(session, "credential.issued", institution=inst.slug, credential_id=row.id, batch_id=batch_id)
    return row


def _parsed(services: Services, inst: Institution, data: object):
    """(now, the parsed input, its validity end) of the friendly input."""
    now = services.clock()
    mc = parse_micro_credential(data, today=now.date())  # the clock's (UTC) date: a later date of issue is refused
    valid_until = mc.valid_until or (
        now + timedelta(days=inst.default_validity_days) if inst.default_validity_days else None)
    return now, mc, valid_until


def unsigned_micro_credential(services: Services, inst: Institution, data: object, *, row_id: str) -> dict:
    """Validate the friendly input and build the unsigned ELM credential with the VC id ``urn:uuid:<row_id>``."""
    now, mc, valid_until = _parsed(services, inst, data)
    return elm.build_credential(mc, issuer_node(inst), credential_id=f"urn:uuid:{row_id}", issued_at=now,
                                valid_until=valid_until)


def check_micro_credential(services: Services, inst: Institution, data: object, issuer: dict | None = None) -> None:
    """Refuse what ``unsigned_micro_credential`` refuses, without building the document (the input model and the
    builder's own checks, app.domain.elm.buildable): a batch's items are checked so, and built when signed."""
    now, mc, valid_until = _parsed(services, inst, data)
    elm.buildable(mc, issuer or issuer_node(inst), issued_at=now, valid_until=valid_until)


def build_micro_credential(services: Services, inst: Institution, data: object, *,
                           row_id: str) -> tuple[dict, dict]:
    """Validate the friendly input and build the unsigned ELM credential with the VC id ``urn:uuid:<row_id>``;
    returns (unsigned, the fields its row keeps: title, learnerName, learnerRef)."""
    unsigned = unsigned_micro_credential(services, inst, data, row_id=row_id)
    return unsigned, elm.row_fields(unsigned, "lv")


def check_items(items: object, field: str, limit: int) -> list:
    """A non-empty list of at most ``limit`` items, or the refusal that names ``field``."""
    if not isinstance(items, list) or not items:
        raise InvalidInput(f"`{field}` needs a non-empty list of micro-credentials.",
                           errors=[{"field": field, "message": "must be a non-empty list"}])
    if len(items) > limit:
        raise InvalidInput(f"A request may hold at most {limit} micro-credentials.",
                           errors=[{"field": field, "message": f"too many items (at most {limit})"}])
    return items


def validate_each(services: Services, inst: Institution, items: list, field: str, *, build: bool = True):
    """Every item validated and built in turn, with a fresh row id: yields (n, row id, the unsigned credential or
    None, its errors with the field names prefixed ``field[n]``). Nothing else is kept, so a caller that drops the
    documents holds one at a time. ``build=False``: checked only (``check_micro_credential``), the document None."""
    issuer = None if build else issuer_node(inst)
    for n, item in enumerate(items):
        row_id = str(uuid.uuid4())
        try:
            if build:
                yield n, row_id, unsigned_micro_credential(services, inst, item, row_id=row_id), []
            else:
                check_micro_credential(services, inst, item, issuer)
                yield n, row_id, None, []
        except InvalidInput as exc:
            yield n, row_id, None, _prefixed(exc, f"{field}[{n}]")


def expired_warning(document: dict, now) -> dict | None:
    """The warning that a credential is issued already expired: a record from before, whose date of issue and
    expiry are both past (app.domain.elm.build_credential accepts it)."""
    until = parse_xsd(document.get("validUntil") or document.get("expirationDate"))
    if until is None or until > now:
        return None
    return {"code": "issued-expired", "field": "validUntil",
            "detail": f"Issued expired: valid until {until.date().isoformat()}, before today. A verifier reports it "
                      "as genuine and expired (a record from before)."}


def issue_micro_credential(session: Session, services: Services, inst: Institution, data: object, *,
                           actor: str, batch_id: str | None = None, warnings: list | None = None) -> Credential:
    row_id = str(uuid.uuid4())
    unsigned, summary = build_micro_credential(services, inst, data, row_id=row_id)
    if warnings is not None and (warning := expired_warning(unsigned, services.clock())):
        warnings.append(warning)
    return _store(session, services, inst, unsigned, row_id=row_id, actor=actor,
                  learner_ref=summary.get("learnerRef"), learner_name=summary.get("learnerName"),
                  title=summary.get("title"), batch_id=batch_id)


def issue_cohort(session: Session, services: Services, inst: Institution, items: list, *,
                 actor: str) -> list[Credential]:
    """All or nothing: every item is validated before the first is signed; one refusal refuses the cohort."""
    check_items(items, "microCredentials", services.settings.max_batch)
    built, errors = [], []
    for _, row_id, unsigned, problems in validate_each(services, inst, items, "microCredentials"):
        built.extend([(row_id, unsigned)] if unsigned else [])
        errors.extend(problems)
    if errors:
        raise InvalidInput(f"{len({e['field'].split('.')[0] for e in errors})} of {len(items)} micro-credentials "
                           "were refused; nothing was issued.", errors=errors)
    batch_id = str(uuid.uuid4())
    return [_store(session, services, inst, unsigned, row_id=row_id, actor=actor,
                   learner_ref=summary.get("learnerRef"), learner_name=summary.get("learnerName"),
                   title=summary.get("title"), batch_id=batch_id)
            for row_id, unsigned, summary in ((r, u, elm.summarize(u, "lv")) for r, u in built)]


def _read(services: Services, credential: dict) -> Signed:
    try:
        return read(credential, iris.VERIFIABLE_CREDENTIAL, services.loader, DEFAULT_LIMITS.deadline(),
                    DEFAULT_LIMITS)
    except NotReadable as exc:
        refusal = JsonLdRefused if exc.code in ("unknown-context", "undefined-terms", "invalid-jsonld") \
            else InvalidInput
        raise refusal(f"The credential cannot be issued as it is: {exc.detail}", slug=exc.code,
                      errors=[{"field": f"credential.{t}", "message": "not defined by the credential's @context"}
                              for t in exc.data.get("terms", [])] or [{"field": "credential", "message": exc.detail}],
                      ) from None


def _look_alikes(signed: Signed, own_lists: str) -> list[dict]:
    """What the document says about validity, status or this service's status lists other than through their
    IRIs: a predicate named like a decisive one under another IRI (``validUntil`` of some other vocabulary, the
    issuer-dependent ``expirationDate`` of a VC 2.0 document...), or any mention of this service's lists outside a
    credentialStatus entry of the credential. Verifiers read the IRIs only, so such statements could only mislead
    a person reading the JSON."""
    errors, graph = [], signed.graph
    entries = set(graph.iris(signed.node, iris.CREDENTIAL_STATUS))
    for subject in graph.subjects():
        for predicate, objects in graph.predicates(subject).items():
            if iris.local_name(predicate) in iris.DECISIVE_LOCAL_NAMES and predicate not in iris.DECISIVE_IRIS:
                errors.append({"field": f"credential.{iris.local_name(predicate)}",
                               "message": f"states {iris.local_name(predicate)} as {predicate}, which no verifier "
                                          f"reads: use the VC Data Model's term"})
            for o in objects:
                mentions = o["value"].startswith(own_lists) or subject.startswith(own_lists)
                if mentions and not (subject in entries and predicate in iris.STATUS_LIST_CREDENTIAL):
                    errors.append({"field": "credential",
                                   "message": "mentions this service's status lists outside a credentialStatus "
                                              "entry; entries in them are assigned by the service"})
    return list({e["message"]: e for e in errors}.values())


def prepare_unsigned_vc(services: Services, inst: Institution, credential: object,
                        warnings: list | None = None) -> tuple[dict, Signed]:
    """A ready unsigned VC (VC 1.1 or 2.0, as the VC API issuer test suites send it), completed for signing;
    returns (credential, what it states); what it accepts but cannot check is appended to ``warnings``.

    Judged by what would be signed (its RDF statements by full IRI, app.domain.signed), not by its JSON keys or
    term names: an issuer or a status entry written under a full IRI or an alias counts exactly as one written
    plainly, and a context that names another IRI like a checked term changes nothing.
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
    signed = _read(services, credential)
    errors = [{"field": "credential", "message": p} for p in credential_problems(signed, credential)]
    if len(signed.issuers()) != 1 or signed.issuer() != inst.did:
        errors.append({"field": "credential.issuer",
                       "message": f"must be this institution's DID, {inst.did}, and nothing else"})
    own_lists = services.settings.public_origin + "/status/"
    warnings = [] if warnings is None else warnings
    for entry in signed.status_entries():
        if isinstance(entry, StatusUnknown) and entry.unknown_type:
            # VCDM 2.0 section 4.10: an issuer may carry a status entry of a type it does not itself check
            warnings.append({"code": "unchecked-status-type", "field": "credential.credentialStatus",
                             "detail": f"{entry.detail} It is signed as given; this service cannot check it."})
        elif isinstance(entry, StatusUnknown):
            errors.append({"field": "credential.credentialStatus", "message": entry.detail})
        elif entry.url.startswith(own_lists):
            errors.append({"field": "credential.credentialStatus",
                           "message": "entries in this service's status lists are assigned by the service"})
    errors += _look_alikes(signed, own_lists)
    for predicate, value in (*signed.validity().starts, *signed.validity().ends):
        if parse_xsd(value) is None:
            errors.append({"field": f"credential.{iris.local_name(predicate)}",
                           "message": "must be an XML Schema dateTime with a timezone"})
    if errors:
        raise InvalidInput("The credential cannot be issued as it is.", errors=errors)
    vc = dict(credential)
    if as_list(vc.get("@context"))[0] == VC1 and not signed.values(iris.ISSUANCE_DATE):
        vc["issuanceDate"] = to_xsd(services.clock())
    return vc, signed


def states_as_intended(services: Services, document: dict, entries: list[dict]) -> Signed:
    """The completed document read back by IRI before it is signed: the status entries the service put in must be
    statements of the credential (not hidden under another IRI by the document's context), and the validity
    it records must be the validity the statements give. Raises InvalidInput otherwise."""
    signed = _read(services, document)
    stated = {(e.url, e.index, e.purpose) for e in signed.status_entries() if isinstance(e, StatusEntry)}
    wanted = {(e["statusListCredential"], int(e["statusListIndex"]), e["statusPurpose"]) for e in entries}
    errors = []
    if not wanted <= stated:
        errors.append({"field": "credential.@context",
                       "message": "gives credentialStatus (or its entries' terms) another meaning, so the status "
                                  "entries the service adds would not be stated"})
    if document.get("issuanceDate") and not signed.values(iris.ISSUANCE_DATE) and \
            as_list(document.get("@context"))[0] == VC1:
        errors.append({"field": "credential.@context", "message": "gives issuanceDate another meaning"})
    if errors:
        raise InvalidInput("The credential cannot be issued as it is.", errors=errors)
    return signed


def issue_vc(session: Session, services: Services, inst: Institution, credential: object, *,
             actor: str, warnings: list | None = None) -> Credential:
    row_id = str(uuid.uuid4())
    vc, signed = prepare_unsigned_vc(services, inst, credential, warnings)
    if signed.id is None:  # the service names it: urn:uuid:<row id>
        vc["id"] = f"urn:uuid:{row_id}"
    errors = []
    if len((signed.id or "").encode()) > VC_ID_MAX_BYTES:
        errors.append({"field": "credential.id", "message": f"must be at most {VC_ID_MAX_BYTES} bytes (UTF-8)"})
    subjects = [i for i in signed.subjects() if not i.startswith("_:")]
    if any(len(i) > LEARNER_REF_MAX for i in subjects):
        errors.append({"field": "credential.credentialSubject.id",
                       "message": f"must be one URI (a string of at most {LEARNER_REF_MAX} characters)"})
    if errors:
        raise InvalidInput("The credential cannot be issued as it is.", errors=errors)
    return _store(session, services, inst, vc, row_id=row_id, actor=actor,
                  learner_ref=subjects[0] if subjects else None, learner_name=None, title=None, ready=True)
