"""Institutions and their signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import safe_json
from app.db.models import Institution, SigningKey
from app.domain.did_web import did_document
from app.errors import Conflict, NotFound


def create(session: Session, *, slug: str, did_method: str, did: str, profile: dict, now: datetime,
           default_validity_days: int | None = None, suspension_enabled: bool = False) -> Institution:
    taken = Conflict(f"An institution with the slug {slug!r} already exists.")
    if session.scalar(select(Institution.id).where(Institution.slug == slug)) is not None:
        raise taken
    inst = Institution(slug=slug, did_method=did_method, did=did, profile=profile,
                       default_validity_days=default_validity_days,
                       suspension_enabled=suspension_enabled, created_at=now)
    session.add(inst)
    try:
        session.flush()
    except IntegrityError as exc:  # created by a concurrent transaction after the check above
        raise taken from exc
    return inst


def by_slug(session: Session, slug: str) -> Institution:
    # A slug with a NUL character or a lone surrogate (undecodable command-line bytes) cannot even be queried.
    inst = None if safe_json.text_problem(slug) else session.scalar(select(Institution).where(Institution.slug == slug))
    if inst is None:
        raise NotFound(f"No institution {slug!r}.")
    return inst


def by_id(session: Session, institution_id: int) -> Institution:
    inst = session.get(Institution, institution_id)
    if inst is None:
        raise NotFound(f"No institution {institution_id}.")
    return inst


def by_did(session: Session, did: str) -> Institution | None:
    return session.scalar(select(Institution).where(Institution.did == did))


def all_institutions(session: Session) -> list[Institution]:
    return list(session.scalars(select(Institution).order_by(Institution.id)))


def add_key(session: Session, inst: Institution, *, verification_method: str, public_key_multibase: str,
            key_file: str, now: datetime) -> SigningKey:
    """Add a key and make it the active one; earlier keys are retired but stay published (see did_web)."""
    for key in session.scalars(select(SigningKey).where(SigningKey.institution_id == inst.id,
                                                         SigningKey.status == "active")):
        key.status, key.retired_at = "retired", now
    key = SigningKey(institution_id=inst.id, verification_method=verification_method,
                     public_key_multibase=public_key_multibase, key_file=key_file, status="active", created_at=now)
    session.add(key)
    session.flush()
    return key


def active_key(session: Session, inst: Institution) -> SigningKey:
    key = session.scalar(select(SigningKey).where(SigningKey.institution_id == inst.id,
                                                  SigningKey.status == "active"))
    if key is None:
        raise NotFound(f"Institution {inst.slug!r} has no active signing key.", slug="no-signing-key")
    return key


def published_did_document(session: Session, inst: Institution) -> dict:
    """The did:web document of ``inst``: every key it ever signed with, the active one also for authentication.
    Read as columns, not key objects: every verification of the institution's credentials reads it."""
    rows = session.execute(select(SigningKey.verification_method, SigningKey.public_key_multibase, SigningKey.status)
                           .where(SigningKey.institution_id == inst.id).order_by(SigningKey.id))
    return did_document(inst.did, [{"id": vm, "publicKeyMultibase": key, "active": status == "active"}
                                   for vm, key, status in rows])
