"""Recognised issuers: who this service vouches for when it shows a verdict.

A genuine signature proves only that the holder of a key signed; the name a credential gives its issuer is that
issuer's own claim. The service recognises an issuer when its DID is

- one of this service's own institutions (their names from the database), or
- on the operator's trust list: a JSON file named by ``MCRED_TRUST_LIST``, re-read whenever it changes::

      {"issuers": [
        {"did": "did:web:www.rtu.lv", "name": {"lv": "Rīgas Tehniskā universitāte", "en": "Riga Technical University"},
         "homepage": "https://www.rtu.lv"}
      ]}

  ``did`` and ``name`` (a language map with ``lv`` and/or ``en``) are required, ``homepage`` is optional. A file
  that cannot be read or is invalid stops the service at start-up; once running, a broken edit is reported in the
  log and the last good list stays in force.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from sqlalchemy.orm import Session

from app.domain.verification import RecognisedIssuer
from app.errors import McredError
from app.storage import institutions


logger = logging.getLogger(__name__)


class TrustListError(McredError):
    slug = "trust-list"
    title = "Invalid trust list"


def parse_trust_list(data: object, origin: str = "the trust list") -> dict[str, RecognisedIssuer]:
    if not isinstance(data, dict) or not isinstance(data.get("issuers"), list):
        raise TrustListError(f'{origin} must be a JSON object with an "issuers" list.')
    out: dict[str, RecognisedIssuer] = {}
    for n, entry in enumerate(data["issuers"]):
        where = f"{origin}, issuers[{n}]"
        if not isinstance(entry, dict):
            raise TrustListError(f"{where} must be an object.")
        did, name, homepage = entry.get("did"), entry.get("name"), entry.get("homepage")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise TrustListError(f'{where}: "did" must be a DID.')
        if not isinstance(name, dict) or not ({"lv", "en"} & name.keys()) or not all(
                isinstance(v, str) and v.strip() for v in name.values()):
            raise TrustListError(f'{where}: "name" must be a language map with "lv" and/or "en".')
        if homepage is not None and not (isinstance(homepage, str) and homepage.startswith(("https://", "http://"))):
            raise TrustListError(f'{where}: "homepage" must be an http(s) URL.')
        if did in out:
            raise TrustListError(f"{where}: {did} is listed twice.")
        out[did] = RecognisedIssuer(did=did, name=dict(name), source="trust-list", homepage=homepage)
    return out


class TrustList:
    """The operator's trust list file, re-read when its modification time or size changes."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._stamp: tuple | None = None
        self._entries: dict[str, RecognisedIssuer] = {}
        self._lock = threading.Lock()
        if self.path is not None:
            self._entries, self._stamp = self._load()

    def _load(self) -> tuple[dict[str, RecognisedIssuer], tuple]:
        try:
            stat = self.path.stat()
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TrustListError(f"The trust list {self.path} cannot be read: {exc}.") from exc
        return parse_trust_list(data, str(self.path)), (stat.st_mtime_ns, stat.st_size)

    def get(self, did: str) -> RecognisedIssuer | None:
        return self._current().get(did)

    def entries(self) -> list[RecognisedIssuer]:
        """Every issuer on the list (as now in force), in the list's order: the about page shows them."""
        return list(self._current().values())

    def _current(self) -> dict[str, RecognisedIssuer]:
        if self.path is None:
            return {}
        try:
            stat = os.stat(self.path)
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = self._stamp
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        self._entries, self._stamp = self._load()
                        logger.info("trust list reloaded: %d issuers", len(self._entries))
                    except TrustListError as exc:
                        self._stamp = stamp  # report a broken edit once; keep the last good list
                        logger.error("trust list not reloaded: %s", exc.detail)
        return self._entries


def recogniser(session: Session, trust_list: TrustList, known=None):
    """``recognise(did)`` for one verification: this service's institutions first, then the trust list.
    ``known(did)``: the institution the verification already read for that DID, if any (no second query)."""

    def recognise(did: str) -> RecognisedIssuer | None:
        inst = (known(did) if known is not None else None) or institutions.by_did(session, did)
        if inst is not None:
            profile = inst.profile or {}
            return RecognisedIssuer(did=did, name=dict(profile.get("legalName") or {}), source="institution",
                                    homepage=profile.get("homepage"))
        return trust_list.get(did)

    return recognise
