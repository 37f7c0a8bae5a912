"""Settings, read once from the environment (``MCRED_*``).

Relative paths (the defaults ``data/``, ``keys/``, ``contexts/``) are relative to the working directory: in a
checkout, run ``mcred`` from its root; an installed service (the Docker image) sets absolute ones. Nothing is
read from or written to the installed package itself.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from app.errors import ConfigurationError


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: os.environ.get(
        "MCRED_DATABASE_URL", "sqlite:///data/mcred.sqlite3"))
    # The public origin the service is reached at: it names did:web DIDs, status lists and every link and QR code,
    # all of which are signed into credentials. No default: `mcred serve` derives one for local use only.
    public_url: str | None = field(default_factory=lambda: os.environ.get("MCRED_PUBLIC_URL") or None)
    # MCRED_ENV=production: `mcred serve` never derives the origin, MCRED_PUBLIC_URL is required.
    production: bool = field(default_factory=lambda: os.environ.get("MCRED_ENV", "").lower() == "production")
    keys_dir: Path = field(default_factory=lambda: _path("MCRED_KEYS_DIR", "keys"))
    key_passphrase: str | None = field(default_factory=lambda: os.environ.get("MCRED_KEY_PASSPHRASE") or None)
    contexts_dir: Path = field(default_factory=lambda: _path("MCRED_CONTEXTS_DIR", "contexts"))
    max_body_bytes: int = field(default_factory=lambda: _int("MCRED_MAX_BODY_BYTES", 1_000_000))
    max_batch: int = field(default_factory=lambda: _int("MCRED_MAX_BATCH", 500))
    # Batches (POST /credentials/batches, mcred issue-csv): their own item and body limits; the worker signs
    # `batch_chunk` items per job, in `worker_processes` processes (0: one per core).
    max_batch_items: int = field(default_factory=lambda: _int("MCRED_MAX_BATCH_ITEMS", 20_000))
    max_batch_body_bytes: int = field(default_factory=lambda: _int("MCRED_MAX_BATCH_BODY_BYTES", 100_000_000))
    batch_chunk: int = field(default_factory=lambda: _int("MCRED_BATCH_CHUNK", 100))
    worker_processes: int = field(default_factory=lambda: _int("MCRED_WORKER_PROCESSES", 0))
    # A worker that sent no heartbeat for `worker_stalled_seconds` is taken for dead and its jobs are run again.
    worker_heartbeat_seconds: float = field(default_factory=lambda: _float("MCRED_WORKER_HEARTBEAT_SECONDS", 10))
    worker_stalled_seconds: float = field(default_factory=lambda: _float("MCRED_WORKER_STALLED_SECONDS", 30))
    # The operator's list of recognised issuers besides this service's own institutions (see app.trust).
    trust_list: Path | None = field(default_factory=lambda: Path(os.environ["MCRED_TRUST_LIST"])
                                    if os.environ.get("MCRED_TRUST_LIST") else None)
    # One deadline for a whole verification, remote DID documents and status lists included.
    verify_deadline_seconds: float = field(default_factory=lambda: _float("MCRED_VERIFY_DEADLINE_SECONDS", 10))
    # Admission control of verification (app.admission): at most `verify_workers` verifications at once (default:
    # one per core), documents of the expensive class in at most `verify_expensive_workers` of them (default: all
    # but one); at most `verify_queue` waiting, none longer than `verify_queue_seconds`. Cheap: at most
    # `verify_cheap_bytes` bytes and `verify_cheap_nodes` JSON objects/arrays. Per client (API key, else address):
    # a budget of `verify_client_burst_seconds` seconds of work, refilled at `verify_client_rate` seconds per second.
    verify_workers: int = field(default_factory=lambda: _int("MCRED_VERIFY_WORKERS", os.cpu_count() or 1))
    verify_expensive_workers: int = field(default_factory=lambda: _int("MCRED_VERIFY_EXPENSIVE_WORKERS", 0))
    verify_queue: int = field(default_factory=lambda: _int("MCRED_VERIFY_QUEUE", 0))
    verify_queue_seconds: float = field(default_factory=lambda: _float("MCRED_VERIFY_QUEUE_SECONDS", 2))
    verify_cheap_bytes: int = field(default_factory=lambda: _int("MCRED_VERIFY_CHEAP_BYTES", 64_000))
    verify_cheap_nodes: int = field(default_factory=lambda: _int("MCRED_VERIFY_CHEAP_NODES", 600))
    verify_client_burst_seconds: float = field(default_factory=lambda: _float("MCRED_VERIFY_CLIENT_BURST_SECONDS", 4))
    verify_client_rate: float = field(default_factory=lambda: _float("MCRED_VERIFY_CLIENT_RATE", 0.25))
    # app.process_gc.settle() in the server, worker and signing processes once they are built (off in the tests'
    # own process, whose many apps come and go).
    gc_settle: bool = field(default_factory=lambda: os.environ.get("MCRED_GC_SETTLE", "1") != "0")
    # CPython's thread switch interval while verifying (see app.api.admitting), in milliseconds.
    verify_switch_interval_ms: float = field(default_factory=lambda: float(
        os.environ.get("MCRED_VERIFY_SWITCH_INTERVAL_MS", "0.5")))
    # E-mail delivery of the learner's link (app.delivery): off unless MCRED_SMTP_URL is set (smtp://host:port,
    # smtp+starttls://, smtps://, with user:password@ if the server wants them), sent from MCRED_SMTP_FROM; a failed
    # attempt is retried after `smtp_retry_seconds`, each later wait four times the one before, `smtp_attempts` in all.
    smtp_url: str | None = field(default_factory=lambda: os.environ.get("MCRED_SMTP_URL") or None)
    smtp_from: str | None = field(default_factory=lambda: os.environ.get("MCRED_SMTP_FROM") or None)
    smtp_attempts: int = field(default_factory=lambda: _int("MCRED_SMTP_ATTEMPTS", 6))
    smtp_retry_seconds: float = field(default_factory=lambda: float(os.environ.get("MCRED_SMTP_RETRY_SECONDS", "60")))
    smtp_timeout_seconds: float = field(default_factory=lambda: float(
        os.environ.get("MCRED_SMTP_TIMEOUT_SECONDS", "30")))
    # OpenID4VCI (app.wallet): an offer's lifetime (days: it is sent by mail; one made on the learner's page lives
    # `wallet_page_offer_seconds`), wrong transaction codes before it locks, the code's digits, the lifetimes of
    # access tokens and c_nonces, and how old a proof JWT may be (its iat) and how far ahead of the clock.
    wallet_offer_seconds: int = field(default_factory=lambda: _int("MCRED_WALLET_OFFER_SECONDS", 14 * 86400))
    wallet_page_offer_seconds: int = field(default_factory=lambda: _int("MCRED_WALLET_PAGE_OFFER_SECONDS", 3600))
    wallet_tx_code_attempts: int = field(default_factory=lambda: _int("MCRED_WALLET_TX_CODE_ATTEMPTS", 5))
    wallet_tx_code_length: int = field(default_factory=lambda: _int("MCRED_WALLET_TX_CODE_LENGTH", 6))
    wallet_token_seconds: int = field(default_factory=lambda: _int("MCRED_WALLET_TOKEN_SECONDS", 300))
    wallet_nonce_seconds: int = field(default_factory=lambda: _int("MCRED_WALLET_NONCE_SECONDS", 300))
    wallet_proof_max_age_seconds: int = field(default_factory=lambda: _int("MCRED_WALLET_PROOF_MAX_AGE_SECONDS", 300))
    wallet_proof_skew_seconds: int = field(default_factory=lambda: _int("MCRED_WALLET_PROOF_SKEW_SECONDS", 60))
    # Who runs this service and vouches for the institutions it recognises: named on every public page and in the
    # "recognised" badge (its name in Latvian and English, its homepage, a contact: an e-mail address or a URL).
    operator_name_lv: str | None = field(default_factory=lambda: os.environ.get("MCRED_OPERATOR_NAME_LV") or None)
    operator_name_en: str | None = field(default_factory=lambda: os.environ.get("MCRED_OPERATOR_NAME_EN") or None)
    operator_url: str | None = field(default_factory=lambda: os.environ.get("MCRED_OPERATOR_URL") or None)
    operator_contact: str | None = field(default_factory=lambda: os.environ.get("MCRED_OPERATOR_CONTACT") or None)
    # Tests and development only: host:port pairs fetched although they are not public addresses (comma-separated).
    fetch_allow: tuple[str, ...] = field(default_factory=lambda: tuple(
        a.strip() for a in os.environ.get("MCRED_FETCH_ALLOW", "").split(",") if a.strip()))

    def __post_init__(self) -> None:
        if self.operator_url and not _is_http_url(self.operator_url):
            raise ConfigurationError(f"MCRED_OPERATOR_URL={self.operator_url!r} is not an http(s) URL "
                                     "(e.g. https://www.aic.lv).")
        contact = self.operator_contact
        if contact and not (_is_http_url(contact) or _is_email(contact) or contact.startswith("mailto:")
                            and _is_email(contact.removeprefix("mailto:"))):
            raise ConfigurationError(f"MCRED_OPERATOR_CONTACT={contact!r} is neither an e-mail address nor an "
                                     "http(s) URL (e.g. info@aic.lv or https://www.aic.lv/kontakti).")

    @property
    def operator(self) -> dict:
        """The operator as the pages show it: ``name`` {lv, en} (either falls back to the other), ``url``,
        ``contact`` (an http(s) or mailto: link) and ``contactText``; empty names when not configured."""
        lv, en = self.operator_name_lv, self.operator_name_en
        contact = self.operator_contact
        href = None if not contact else contact if _is_http_url(contact) or contact.startswith("mailto:") \
            else f"mailto:{contact}"
        return {"name": {"lv": lv or en, "en": en or lv} if (lv or en) else {}, "url": self.operator_url,
                "contact": href, "contactText": contact.removeprefix("mailto:") if contact else None}

    @property
    def public_origin(self) -> str:
        if not self.public_url:
            raise ConfigurationError(
                "MCRED_PUBLIC_URL is not set: set it to the origin clients reach the service at "
                "(e.g. https://mcred.example.lv). It names the did:web DIDs, status lists and links.")
        return check_origin(self.public_url)


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)


def _is_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(at and local and "." in domain and not any(c.isspace() or c in "<>\"" for c in value))


def check_origin(url: str) -> str:
    """``url`` as an origin without a trailing slash; refused unless it is http(s)://host[:port]."""
    parts = urlsplit(url.strip())
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password
            or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise ConfigurationError(f"MCRED_PUBLIC_URL={url!r} is not an origin: use http(s)://host[:port], "
                                 "without a path (e.g. https://mcred.example.lv).")
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serving_origin(settings: Settings, host: str, port: int) -> str:
    """The public origin for ``mcred serve --host --port``.

    MCRED_PUBLIC_URL when set. Otherwise, for local use only (a loopback host, not MCRED_ENV=production), the
    address the service listens on: ``mcred serve --port 8011`` then names port 8011 in what it signs.
    """
    if settings.public_url:
        return settings.public_origin
    if settings.production:
        raise ConfigurationError("MCRED_ENV=production and MCRED_PUBLIC_URL is not set: set MCRED_PUBLIC_URL to "
                                 "the https origin clients reach the service at (e.g. https://mcred.example.lv).")
    if not is_loopback(host):
        raise ConfigurationError(
            f"--host {host} serves other machines, so the listening address cannot name what the service signs: "
            "set MCRED_PUBLIC_URL to the origin clients reach it at (e.g. https://mcred.example.lv).")
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"
