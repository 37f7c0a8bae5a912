"""Settings, read once from the environment (``MCRED_*``); every path default is relative to the project root."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: os.environ.get(
        "MCRED_DATABASE_URL", f"sqlite:///{ROOT / 'data' / 'mcred.sqlite3'}"))
    # The public origin the service is reached at: it names did:web DIDs and every link and QR code.
    public_url: str = field(default_factory=lambda: os.environ.get("MCRED_PUBLIC_URL", "http://127.0.0.1:8000"))
    keys_dir: Path = field(default_factory=lambda: Path(os.environ.get("MCRED_KEYS_DIR", ROOT / "keys")))
    key_passphrase: str | None = field(default_factory=lambda: os.environ.get("MCRED_KEY_PASSPHRASE") or None)
    contexts_dir: Path = field(default_factory=lambda: Path(os.environ.get("MCRED_CONTEXTS_DIR", ROOT / "contexts")))
    max_body_bytes: int = field(default_factory=lambda: _int("MCRED_MAX_BODY_BYTES", 1_000_000))
    max_batch: int = field(default_factory=lambda: _int("MCRED_MAX_BATCH", 500))
    # Batches (POST /credentials/batches, mcred issue-csv): their own item and body limits; the worker signs
    # `batch_chunk` items per job, in `worker_processes` processes (0: one per core).
    max_batch_items: int = field(default_factory=lambda: _int("MCRED_MAX_BATCH_ITEMS", 20_000))
    max_batch_body_bytes: int = field(default_factory=lambda: _int("MCRED_MAX_BATCH_BODY_BYTES", 100_000_000))
    batch_chunk: int = field(default_factory=lambda: _int("MCRED_BATCH_CHUNK", 100))
    worker_processes: int = field(default_factory=lambda: _int("MCRED_WORKER_PROCESSES", 0))
    # A worker that sent no heartbeat for `worker_stalled_seconds` is taken for dead and its jobs are run again.
    worker_heartbeat_seconds: float = field(default_factory=lambda: float(
        os.environ.get("MCRED_WORKER_HEARTBEAT_SECONDS", "10")))
    worker_stalled_seconds: float = field(default_factory=lambda: float(
        os.environ.get("MCRED_WORKER_STALLED_SECONDS", "30")))
    # The operator's list of recognised issuers besides this service's own institutions (see app.trust).
    trust_list: Path | None = field(default_factory=lambda: Path(os.environ["MCRED_TRUST_LIST"])
                                    if os.environ.get("MCRED_TRUST_LIST") else None)
    # One deadline for a whole verification, remote DID documents and status lists included.
    verify_deadline_seconds: float = field(default_factory=lambda: float(
        os.environ.get("MCRED_VERIFY_DEADLINE_SECONDS", "10")))
    # Tests and development only: host:port pairs fetched although they are not public addresses (comma-separated).
    fetch_allow: tuple[str, ...] = field(default_factory=lambda: tuple(
        a.strip() for a in os.environ.get("MCRED_FETCH_ALLOW", "").split(",") if a.strip()))

    @property
    def public_origin(self) -> str:
        return self.public_url.rstrip("/")
