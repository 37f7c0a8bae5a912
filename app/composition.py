"""The composition root: everything a process of this service needs, built from its settings in one place.

Every entry point calls ``build(settings)`` once and takes what it needs from the ``Runtime``: the server
(app.main.create_app), the worker (app.jobs), each of its signing processes (app.signing_pool) and the CLI
(app.cli). Nothing else builds a database engine, a document loader, a key store, a trust list or a remote fetcher
(tests hand their own to the functions they call).

The pieces, and what builds them:

- ``services`` (app.services.Services): the settings, the pinned JSON-LD contexts behind one document loader
  (app.contexts, app.domain.jsonld), the key store (app.keystore), the clock, the operator's trust list
  (app.trust) and the memo of what this process has verified (app.domain.verification.memo). It is the value
  the orchestration modules are handed.
- ``engine`` and ``session_factory`` (app.db.session): the database the settings name. SQLAlchemy connects only
  when a session is first used, so a process that never touches the database (a signing process) opens nothing.
- ``remote_fetcher`` (app.remote_fetch.RemoteFetcher): other hosts' DID documents and status lists, under the
  SSRF rules and the settings' ``fetch_allow``; built when first asked for (only the server verifies).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import contexts
from app.config import Settings
from app.db.session import make_engine, make_session_factory
from app.domain.jsonld import make_document_loader
from app.keystore import KeyStore
from app.remote_fetch import RemoteFetcher
from app.services import Services
from app.trust import TrustList


@dataclass
class Runtime:
    """What one process of the service works with; ``close()`` when the process is done with it."""

    settings: Settings
    services: Services
    engine: Engine
    session_factory: sessionmaker[Session]
    _fetcher: RemoteFetcher | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def remote_fetcher(self) -> RemoteFetcher:
        with self._lock:
            if self._fetcher is None:
                # did:web documents and status lists of other hosts: https, public addresses only (SSRF)
                self._fetcher = RemoteFetcher(allow=self.settings.fetch_allow)
            return self._fetcher

    def close(self) -> None:
        with self._lock:
            if self._fetcher is not None:
                self._fetcher.close()
                self._fetcher = None
        self.engine.dispose()


def build(settings: Settings) -> Runtime:
    """Everything a process needs, from ``settings``: the one place the service's parts are put together."""
    services = Services(settings=settings,
                        loader=make_document_loader(contexts.load_documents(settings.contexts_dir)),
                        keystore=KeyStore(settings.keys_dir, settings.key_passphrase),
                        trust_list=TrustList(settings.trust_list))
    engine = make_engine(settings.database_url)
    return Runtime(settings=settings, services=services, engine=engine, session_factory=make_session_factory(engine))
