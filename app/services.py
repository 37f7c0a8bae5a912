"""What the service's work needs from the outside world, built once per process (the API app, the CLI) and
handed to the orchestration modules; tests build their own."""

from __future__ import annotations

from dataclasses import dataclass, field

from app import contexts
from app.config import Settings
from app.domain.jsonld import PinnedLoader, make_document_loader
from app.domain.timefmt import Clock, utcnow
from app.domain.verification import Memo
from app.keystore import KeyStore
from app.trust import TrustList


@dataclass
class Services:
    settings: Settings
    loader: PinnedLoader
    keystore: KeyStore
    clock: Clock = field(default=utcnow)
    trust_list: TrustList = field(default_factory=lambda: TrustList(None))
    # Status lists and credentials this process has verified already (see app.domain.verification.memo).
    verified: Memo = field(default_factory=Memo)


def for_settings(settings: Settings) -> Services:
    """The services of a command or a worker process: the pinned contexts and the key store ``settings`` name."""
    return Services(settings=settings, loader=make_document_loader(contexts.load_documents(settings.contexts_dir)),
                    keystore=KeyStore(settings.keys_dir, settings.key_passphrase))
