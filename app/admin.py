"""Administration: institutions, their signing identity (did:web or did:key), key rotation and API keys.

Used by the ``mcred`` command and the API-key endpoints; every function takes the session first and leaves the
commit to the caller.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from app import letterhead, logs, safe_json
from app.db.models import ApiKey, Institution, SigningKey
from app.domain import did_key, did_web
from app.domain.keys import generate_private_key, public_key_multibase
from app.errors import Conflict, InvalidInput
from app.services import Services
from app.storage import api_keys, audit, institutions

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def _refuse_unsafe_text(**fields: str | dict | None) -> None:
    """Text the databases and JSON cannot carry (a NUL character; a lone surrogate, which is how Python hands over
    command-line bytes that are not UTF-8) is refused with the field it came in."""
    errors = []
    for name, value in fields.items():
        texts = value.values() if isinstance(value, dict) else [value]
        reason = next((r for r in (safe_json.text_problem(t) for t in texts if isinstance(t, str)) if r), None)
        if reason:
            errors.append({"field": name, "message": reason})
    if errors:
        raise InvalidInput("Text with a NUL character or bytes that are not UTF-8 cannot be stored.", errors=errors)


def _add_new_key(session: Session, services: Services, inst: Institution, private) -> SigningKey:
    """Write the key file and record it; the file is removed again if recording it fails."""
    key_file = services.keystore.save_new(private, inst.slug)
    public = public_key_multibase(private)
    try:
        return institutions.add_key(session, inst, verification_method=f"{inst.did}#{public}",
                                    public_key_multibase=public, key_file=key_file, now=services.clock())
    except BaseException:
        services.keystore.remove(key_file)
        raise


def create_institution(session: Session, services: Services, *, slug: str, legal_name: dict, country: str,
                       homepage: str | None = None, email: str | None = None, registration: str | None = None,
                       did_method: str = "web", default_validity_days: int | None = None,
                       suspension_enabled: bool = False, actor: str = "admin") -> Institution:
    _refuse_unsafe_text(legalName=legal_name, country=country, homepage=homepage, email=email,
                        registration=registration)
    if not SLUG.match(slug):
        raise InvalidInput("The slug must be 2-63 lowercase letters, digits or hyphens.",
                           errors=[{"field": "slug", "message": "invalid"}])
    if did_method not in ("web", "key"):
        raise InvalidInput("The DID method must be `web` or `key`.", errors=[{"field": "didMethod",
                                                                               "message": "invalid"}])
    if not legal_name or not all(isinstance(v, str) and v.strip() for v in legal_name.values()):
        raise InvalidInput("The institution needs a legal name (lv and/or en).",
                           errors=[{"field": "legalName", "message": "required"}])
    # The institution row comes first (a taken slug is refused there), the key file only then.
    private = generate_private_key()
    did = (did_web.did_for_path(services.settings.public_origin, "institutions", slug) if did_method == "web"
           else did_key.did_key_for(public_key_multibase(private)))
    profile = {"legalName": legal_name, "country": country.upper()}
    profile.update({k: v for k, v in (("homepage", homepage), ("email", email), ("registration", registration)) if v})
    inst = institutions.create(session, slug=slug, did_method=did_method, did=did, profile=profile,
                               now=services.clock(), default_validity_days=default_validity_days,
                               suspension_enabled=suspension_enabled)
    _add_new_key(session, services, inst, private)
    audit.record(session, actor=actor, action="institution.create", now=services.clock(), institution_id=inst.id,
                 did=did)
    logs.on_commit(session, "institution.created", institution=slug, did=did)
    return inst


def update_institution(session: Session, services: Services, inst: Institution, *, legal_name: dict | None = None,
                       homepage: str | None = None, email: str | None = None, registration: str | None = None,
                       default_validity_days: int | None = None, wallet_tx_code: bool | None = None,
                       actor: str = "admin", **letterhead_fields) -> Institution:
    """Change what the institution's next credentials say of it (its DID and keys stay: they are signed into the
    credentials already issued, which keep verifying) and its certificates' letterhead (see
    ``update_letterhead``). Only the fields given change."""
    _refuse_unsafe_text(legalName=legal_name, homepage=homepage, email=email, registration=registration)
    if legal_name is not None and (not legal_name or not all(isinstance(v, str) and v.strip()
                                                             for v in legal_name.values())):
        raise InvalidInput("The institution needs a legal name (lv and/or en).",
                           errors=[{"field": "legalName", "message": "required"}])
    if default_validity_days is not None and not 0 < default_validity_days <= 36500:
        raise InvalidInput("The default validity must be 1 to 36500 days.",
                           errors=[{"field": "defaultValidityDays", "message": "out of range"}])
    letterhead_changed = update_letterhead(inst, **letterhead_fields)
    profile = dict(inst.profile or {})
    changed = {k: v for k, v in (("legalName", legal_name and {**profile.get("legalName", {}), **legal_name}),
                                  ("homepage", homepage), ("email", email), ("registration", registration)) if v}
    profile.update(changed)
    inst.profile = profile
    if default_validity_days is not None:
        inst.default_validity_days = default_validity_days
        changed["defaultValidityDays"] = default_validity_days
    changed.update(dict.fromkeys(letterhead_changed, True))
    if wallet_tx_code is not None:  # OpenID4VCI: the default of the institution's wallet offers
        inst.wallet_tx_code = wallet_tx_code
        changed["walletTxCode"] = wallet_tx_code
    audit.record(session, actor=actor, action="institution.update", now=services.clock(), institution_id=inst.id,
                 fields=sorted(changed))
    logs.on_commit(session, "institution.updated", institution=inst.slug, fields=sorted(changed))
    return inst


def update_letterhead(inst: Institution, *, logo: bytes | None = None, remove_logo: bool = False,
                      address: dict | None = None, signatory_name: str | None = None,
                      signatory_position: dict | None = None, show_learner_reference: bool | None = None) -> list[str]:
    """The certificate's letterhead: the logo (sanitised, app.letterhead), the address and signatory position
    ({lv, en}: a language given as "" is removed), the signatory's name ("" removes it), whether the learner's own
    reference is printed and shown on the public page. Returns the names of the fields changed."""
    _refuse_unsafe_text(address=address, signatoryName=signatory_name, signatoryPosition=signatory_position)
    if logo is not None and remove_logo:
        raise InvalidInput("Give a new logo or remove it, not both.", errors=[{"field": "logo", "message": "both"}])
    changed = []
    if logo is not None:
        inst.logo, inst.logo_media_type = letterhead.sanitise(logo)
        changed.append("logo")
    elif remove_logo:
        inst.logo, inst.logo_media_type = None, None
        changed.append("logo")
    for name, value, column in (("address", address, "address"),
                                ("signatoryPosition", signatory_position, "signatory_position")):
        if value is not None:
            if set(value) - {"lv", "en"} or any(len(v) > 300 for v in value.values()):
                raise InvalidInput(f"{name}: lv and/or en, at most 300 characters each.",
                                   errors=[{"field": name, "message": "invalid"}])
            merged = {k: v.strip() for k, v in {**(getattr(inst, column) or {}), **value}.items() if v.strip()}
            setattr(inst, column, merged or None)
            changed.append(name)
    if signatory_name is not None:
        if len(signatory_name) > 200:
            raise InvalidInput("The signatory's name: at most 200 characters.",
                               errors=[{"field": "signatoryName", "message": "too long"}])
        inst.signatory_name = signatory_name.strip() or None
        changed.append("signatoryName")
    if show_learner_reference is not None:
        inst.show_learner_reference = show_learner_reference
        changed.append("showLearnerReference")
    return changed


def letterhead_of(inst: Institution) -> dict:
    """The letterhead as the CLI shows it (the logo by its type and size)."""
    return {"logo": {"mediaType": inst.logo_media_type, "bytes": len(inst.logo)} if inst.logo else None,
            "address": inst.address, "signatoryName": inst.signatory_name,
            "signatoryPosition": inst.signatory_position, "showLearnerReference": inst.show_learner_reference}


def rotate_key(session: Session, services: Services, inst: Institution, *, actor: str = "admin") -> SigningKey:
    """A new key signs from now on; the old one stays in the DID document so earlier credentials verify."""
    if inst.did_method != "web":
        raise Conflict("A did:key institution's DID *is* its key, so it cannot rotate it; create a did:web "
                       "institution for a rotatable identity.", slug="rotation-unsupported")
    key = _add_new_key(session, services, inst, generate_private_key())
    audit.record(session, actor=actor, action="key.rotate", now=services.clock(), institution_id=inst.id,
                 verification_method=key.verification_method)
    logs.on_commit(session, "key.rotated", institution=inst.slug, verification_method=key.verification_method)
    return key


def create_api_key(session: Session, services: Services, inst: Institution, label: str, *,
                   actor: str = "admin") -> str:
    _refuse_unsafe_text(label=label)
    row, secret = api_keys.create(session, inst, label, now=services.clock())
    audit.record(session, actor=actor, action="api-key.create", now=services.clock(), institution_id=inst.id,
                 prefix=row.prefix, label=label)
    logs.on_commit(session, "api_key.created", institution=inst.slug, prefix=row.prefix)
    return secret


def revoke_api_key(session: Session, services: Services, inst: Institution, prefix: str, *,
                   actor: str = "admin") -> ApiKey:
    """The key gets 401 from now on. Idempotent: revoking a revoked key keeps its first revocation."""
    row = api_keys.by_prefix(session, inst, prefix)
    if api_keys.revoke(session, row, now=services.clock()):
        audit.record(session, actor=actor, action="api-key.revoke", now=services.clock(), institution_id=inst.id,
                     prefix=prefix)
        logs.on_commit(session, "api_key.revoked", institution=inst.slug, prefix=prefix)
    return row


def mismatched_identities(session: Session, origin: str) -> list[tuple[str, str, str]]:
    """(slug, stored DID, DID this origin gives) of every did:web institution whose DID names another origin.

    A did:web DID is signed into every credential the institution issued, so it cannot follow a changed origin;
    the service must be reached where its DIDs say (did:web method, section 3.3 Read).
    """
    out = []
    for inst in institutions.all_institutions(session):
        expected = did_web.did_for_path(origin, "institutions", inst.slug)
        if inst.did_method == "web" and inst.did != expected:
            out.append((inst.slug, inst.did, expected))
    return out
