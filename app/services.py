"""What the service's work needs from the outside world, handed to the orchestration modules: built once per
process by app.composition.build; tests build their own."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.config import Settings
from app.domain.jsonld import PinnedLoader
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

