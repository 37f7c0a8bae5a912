"""SQLAlchemy 2 models. The schema itself is owned by the Alembic migrations in ``app/migrations/versions``.

Private keys are never stored here: ``signing_keys`` holds the public half and the name of the key file.
API keys are stored as SHA-256 digests (they are 256-bit random secrets, so a slow hash adds nothing).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Institution(Base):
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    did_method: Mapped[str] = mapped_column(String(8))  # "web" or "key"
    did: Mapped[str] = mapped_column(String(512), unique=True)
    # ELM Organisation data: legalName {lv,en}, country (ISO alpha-3), homepage, registration, email.
    profile: Mapped[dict] = mapped_column(JSON)
    default_validity_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Suspension is opt-in: a suspendable credential also carries a suspension status entry.
    suspension_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # OpenID4VCI: whether a wallet offer asks for a transaction code by default (the issue request may override).
    wallet_tx_code: Mapped[bool] = mapped_column(Boolean, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The certificate's letterhead (app.letterhead, app.certificate), never signed into a credential: the logo
    # (sanitised PNG or SVG, loaded only when a certificate is made), the postal address and the signatory
    # ({lv, en} texts), and whether the learner's own reference (student number) is printed and shown publicly.
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    logo_media_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    signatory_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signatory_position: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    show_learner_reference: Mapped[bool] = mapped_column(Boolean, server_default="0")  # the database default only

    keys: Mapped[list[SigningKey]] = relationship(back_populates="institution", order_by="SigningKey.id")


class SigningKey(Base):
    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    verification_method: Mapped[str] = mapped_column(String(600), unique=True)
    public_key_multibase: Mapped[str] = mapped_column(String(128))
    key_file: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # "active" | "retired"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    institution: Mapped[Institution] = relationship(back_populates="keys")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    institution: Mapped[Institution] = relationship()


class Credential(Base):
    __tablename__ = "credentials"

    # Always a fresh uuid4 of this service; the VC id of a credential the service names is urn:uuid:<id>.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uri: Mapped[str] = mapped_column(String(2000), index=True)  # the VC's own id, as signed; unique per institution
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    learner_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    learner_name: Mapped[str | None] = mapped_column(String(400), nullable=True)
    title: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    document: Mapped[dict] = mapped_column(JSON)  # the signed credential, exactly as issued
    # app.domain.json_digest.digest of ``document`` (none on rows from before migration 0009)
    document_digest: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Bearer secrets for the learner's download link and the public verification page (both unguessable).
    download_token: Mapped[str] = mapped_column(String(64), unique=True)
    verify_token: Mapped[str] = mapped_column(String(64), unique=True)
    batch_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # "active" | "suspended" | "revoked" (final); the status lists are the public truth, this mirrors them.
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_credentials_institution_issued", "institution_id", "issued_at"),
        Index("ix_credentials_institution_valid_until", "institution_id", "valid_until"),
        Index("ix_credentials_institution_learner", "institution_id", "learner_ref"),
        Index("uq_credentials_institution_uri", "institution_id", "uri", unique=True),
    )


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    credential_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    details: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatusList(Base):
    """One Bitstring Status List. Its bits are the ``set`` flags of its entries, so publishing reads at most one
    list's entries (never the credentials), and every change is a single-row UPDATE: no lost updates."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    purpose: Mapped[str] = mapped_column(String(16))  # "revocation" | "suspension"
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per institution and purpose
    size: Mapped[int] = mapped_column(Integer)
    full: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # bumped by every status change
    signed: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the last signed list credential
    signed_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("institution_id", "purpose", "seq", name="uq_status_list_seq"),)


class StatusEntry(Base):
    """An allocated index; the unique (list, index) pair is what makes concurrent allocation safe."""

    __tablename__ = "status_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id"))
    idx: Mapped[int] = mapped_column(Integer)
    # The credential the slot was claimed for. Batches claim slots before signing, so a crash can leave a claim
    # whose credential was never stored (no foreign key): such an orphan slot is never reused and never set.
    credential_id: Mapped[str] = mapped_column(String(36), index=True)
    set: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # the bit: revoked / suspended

    __table_args__ = (
        UniqueConstraint("list_id", "idx", name="uq_status_entry_index"),
        # Publishing reads only the set entries of one list: a partial index keeps that independent of how many
        # entries the list has (the where clause matches how SQLAlchemy renders ``set.is_(True)``).
        Index("ix_status_entries_set", "list_id", "idx", postgresql_where=text('"set" IS true'),
              sqlite_where=text('"set" IS 1')),
    )


class Batch(Base):
    """A batch of micro-credentials issued in the background (see app.batches): its items and their counts."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # "all-or-nothing" | "partial"
    state: Mapped[str] = mapped_column(String(16))  # "checking" | "queued" | "running" | "done" | "refused"
    actor: Mapped[str] = mapped_column(String(200))
    chunk_size: Mapped[int] = mapped_column(Integer)  # items [k * chunk_size, (k + 1) * chunk_size) are one job
    total: Mapped[int] = mapped_column(Integer)
    # Counts kept in the transactions that change the items' states, so they are exact.
    issued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The request's JSON (UTF-8, zlib-compressed) while the batch is ``checking`` (app.batches.check), then none;
    # never loaded with the row.
    request: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)


class BatchItem(Base):
    """One item of a batch. Its credential id is fixed when the batch is accepted: the credential row takes it as its
    primary key in the transaction that marks the item issued, so an item can never be issued twice."""

    __tablename__ = "batch_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    seq: Mapped[int] = mapped_column(Integer)  # the item's index in the request (0-based)
    credential_id: Mapped[str] = mapped_column(String(36), unique=True)
    state: Mapped[str] = mapped_column(String(16))  # "pending" | "issued" | "failed"
    input: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the microCredential, until it is issued
    errors: Mapped[list | None] = mapped_column(JSON, nullable=True)  # why it failed: [{"field", "message"}]
    learner_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("batch_id", "seq", name="uq_batch_item_seq"),
        # the worker reads one chunk's pending items; the page of results reads items in order
        Index("ix_batch_items_batch_state_seq", "batch_id", "state", "seq"),
    )


class IdempotencyKey(Base):
    """An ``Idempotency-Key`` an institution sent (draft-ietf-httpapi-idempotency-key-header): the digest of the
    request it came with and the first answer, replayed for a retry of the same request."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    location: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("institution_id", "key", name="uq_idempotency_key"),)


class Delivery(Base):
    """The e-mail that gives a learner the link to their credential (app.delivery): at most one per credential
    (the unique credential id), sent once. ``pending`` (due at ``next_attempt_at``) -> ``sending`` (claimed until
    ``lease_until``) -> ``sent``; a failed attempt goes back to ``pending`` later, the last one to ``failed``."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(36), unique=True)
    batch_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    address: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(16))  # "pending" | "sending" | "sent" | "failed"
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # the worker looks for due deliveries
    __table_args__ = (Index("ix_deliveries_state_next", "state", "next_attempt_at"),)


class WalletOffer(Base):
    """An OpenID4VCI credential offer of one credential record (pre-authorized code flow, OID4VCI 1.0 sections 4
    and 6.1). ``ref`` names it in its ``credential_offer_uri`` (a bearer link like the download link); the
    pre-authorized code is derived from it and only its digest is stored, as is the transaction code's. Picked up
    once (``redeemed_at``), until ``expires_at``; ``tx_attempts`` wrong codes lock it (``locked_at``)."""

    __tablename__ = "wallet_offers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The transaction code as the institution reads it back (batch items, the record), until the offer is picked
    # up or withdrawn; None for offers made on the learner's page (their code is shown once, there).
    tx_code_delivery: Mapped[str | None] = mapped_column(String(16), nullable=True)
    tx_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    redeemed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WalletAccessToken(Base):
    """An access token of the token endpoint (RFC 6749 section 5.1), stored as its digest: short-lived, good for
    one credential (OID4VCI 1.0 section 8)."""

    __tablename__ = "wallet_access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("wallet_offers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WalletNonce(Base):
    """A ``c_nonce`` of the nonce endpoint (OID4VCI 1.0 section 7), stored as its digest: short-lived, accepted
    in one proof only."""

    __tablename__ = "wallet_nonces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WalletCopy(Base):
    """A wallet's copy of a credential record: the record's credential naming the holder's DID as its subject,
    signed at pickup, with the record's own status entries (so the record's status is every copy's)."""

    __tablename__ = "wallet_copies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id"), index=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("wallet_offers.id"))
    holder: Mapped[str] = mapped_column(String(2000))
    uri: Mapped[str] = mapped_column(String(2000))  # the copy's own VC id
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
