"""Administration: institutions, their signing identity (did:web or did:key), key rotation and API keys.

Used by the ``mcred`` command; every function takes the session first and leaves the commit to the caller.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from app import safe_json
from app.db.models import Institution, SigningKey
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


def _new_key(services: Services, slug: str) -> tuple[str, str]:
    private = generate_private_key()
    return services.keystore.save_new(private, slug), public_key_multibase(private)


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
    key_file, public = _new_key(services, slug)
    did = (did_web.did_for_path(services.settings.public_origin, "institutions", slug) if did_method == "web"
           else did_key.did_key_for(public))
    profile = {"legalName": legal_name, "country": country.upper()}
    profile.update({k: v for k, v in (("homepage", homepage), ("email", email), ("registration", registration)) if v})
    inst = institutions.create(session, slug=slug, did_method=did_method, did=did, profile=profile,
                               default_validity_days=default_validity_days, suspension_enabled=suspension_enabled)
    institutions.add_key(session, inst, verification_method=f"{did}#{public}", public_key_multibase=public,
                         key_file=key_file)
    audit.record(session, actor=actor, action="institution.create", institution_id=inst.id, did=did)
    return inst


def rotate_key(session: Session, services: Services, inst: Institution, *, actor: str = "admin") -> SigningKey:
    """A new key signs from now on; the old one stays in the DID document so earlier credentials verify."""
    if inst.did_method != "web":
        raise Conflict("A did:key institution's DID *is* its key, so it cannot rotate it; create a did:web "
                       "institution for a rotatable identity.", slug="rotation-unsupported")
    key_file, public = _new_key(services, inst.slug)
    key = institutions.add_key(session, inst, verification_method=f"{inst.did}#{public}",
                               public_key_multibase=public, key_file=key_file)
    audit.record(session, actor=actor, action="key.rotate", institution_id=inst.id,
                 verification_method=key.verification_method)
    return key


def create_api_key(session: Session, inst: Institution, label: str, *, actor: str = "admin") -> str:
    _refuse_unsafe_text(label=label)
    row, secret = api_keys.create(session, inst, label)
    audit.record(session, actor=actor, action="api-key.create", institution_id=inst.id, prefix=row.prefix,
                 label=label)
    return secret
