"""Verification I/O: where DID documents and status lists come from, around the pure app.domain.verification.

- This service's own did:web documents and status lists (those under ``settings.public_origin``) are read from
  the database, never over HTTP to itself: always current (a revocation shows at once), and no self-deadlock.
- Other hosts' documents are fetched by app.remote_fetch.RemoteFetcher: https only, public addresses only (SSRF),
  no redirects, bounded in size, short TTL cache, in parallel, within the verification's one Deadline.
- Per verification at most MAX_DID_LOOKUPS DID documents and MAX_STATUS_LISTS status lists are read; nothing here
  fetches by itself: the domain verifier asks, and only what it asks for is fetched.
- Whether a document is, value for value, one of this service's credentials as stored is its digest
  (app.domain.json_digest) found among the stored ones (``credentials.document_digest``): its statements then come
  from the template it was signed from (app.domain.verification.credential).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from app import logs
from app import status as status_service
from app import trust
from app.domain import did_web, elm
from app.domain.deadline import Deadline
from app.domain.jsonld import Limits
from app.domain.status_list import PURPOSES
from app.domain.verification import PresentationResult, VerificationResult, verify_credential
from app.domain.verification import verify_presentation as verify_presentation_doc
from app.errors import (
    InvalidInput,
    LimitExceeded,
    McredError,
    NotFound,
    UpstreamUnavailable,
)
from app.remote_fetch import RemoteFetcher
from app.services import Services
from app.storage import credentials, institutions

# Verification limits: the same hard limits as issuing, and at most 2 s of JSON-LD work per document (a real
# credential takes ~15 ms; a hostile one is cut off before it keeps a worker busy for long).
VERIFY_LIMITS = Limits(max_seconds=2.0)

# Remote look-ups per verification: the issuer's DID (and, rarely, a second one), and the status lists of a
# credential (this service's credentials name two: revocation and suspension).
MAX_DID_LOOKUPS = 2
MAX_STATUS_LISTS = 4

_SEQ = re.compile(r"[0-9]{1,9}")  # this service numbers its lists 1, 2, ... (an integer column)


class Resolvers:
    """``resolve_did`` and ``fetch_status_lists`` for one verification: own documents from ``session``, others
    fetched by ``fetcher`` within ``deadline``, at most MAX_DID_LOOKUPS and MAX_STATUS_LISTS of them."""

    def __init__(self, session: Session, services: Services, fetcher: RemoteFetcher, deadline: Deadline):
        self.session, self.services, self.fetcher, self.deadline = session, services, fetcher, deadline
        origin = urlsplit(services.settings.public_origin)
        self.origin = services.settings.public_origin
        self.own_netloc = (origin.hostname or "") + (f":{origin.port}" if origin.port else "")
        self.did_lookups = 0
        self._lists: dict[str, dict | McredError] = {}  # this verification's answers, failures included
        self._institutions: dict[str, object] = {}  # slug -> own institution (or NotFound), read once

    def institution(self, slug: str):
        """One of this service's institutions, read once per verification (its DID document, its status lists
        and the recognition of its DID all ask for it, within one transaction); raises NotFound."""
        if slug not in self._institutions:
            try:
                self._institutions[slug] = institutions.by_slug(self.session, slug)
            except NotFound as exc:
                self._institutions[slug] = exc
        found = self._institutions[slug]
        if isinstance(found, NotFound):
            raise found
        return found

    # -- DIDs (did:web Method Specification section 3.3 Read) --
    def _own_did_slug(self, did: str) -> str | None:
        if not did.startswith("did:web:"):
            return None
        segments = did[len("did:web:"):].split(":")
        if unquote(segments[0]) != self.own_netloc:
            return None
        if len(segments) == 3 and segments[1] == "institutions":
            return unquote(segments[2])
        return ""  # our host, but no institution path: nothing is published there

    def resolve_did(self, did: str) -> dict | None:
        """The DID document, or None when there is none; UpstreamUnavailable when it cannot be read (now),
        InsecureUrl when its host is refused, InvalidInput for a DID that is not a did:web."""
        slug = self._own_did_slug(did)
        if slug == "":
            return None
        if slug is not None:
            try:
                inst = self.institution(slug)
            except NotFound:
                return None
            if inst.did != did or inst.did_method != "web":
                return None
            return institutions.published_did_document(self.session, inst)
        if not did.startswith("did:web:"):
            raise InvalidInput(f"{did!r}: only did:key and did:web are resolved.", slug="unsupported-did-method")
        if self.did_lookups >= MAX_DID_LOOKUPS:
            raise UpstreamUnavailable(f"{did} was not looked up: a verification looks up at most "
                                      f"{MAX_DID_LOOKUPS} DID documents of other hosts.")
        self.did_lookups += 1
        try:
            doc = self.fetcher.get_json(did_web.did_to_url(did), self.deadline)
        except NotFound:
            return None
        except LimitExceeded as exc:  # the remote document is too large: the issuer's fault, not the request's
            raise UpstreamUnavailable(exc.detail) from None
        return doc if isinstance(doc, dict) else None

    def issued_here(self, document_digest: str) -> bool:
        """Whether a document with this digest (app.domain.json_digest) is, value for value, the signed document
        of one of this service's credentials, as stored (app.domain.verification.credential)."""
        return credentials.stored_digest(self.session, document_digest)

    def own_by_did(self, did: str):
        """The institution this verification already read for ``did`` (its DID document), else None."""
        return next((i for i in self._institutions.values() if not isinstance(i, NotFound) and i.did == did), None)

    # -- status lists (Bitstring Status List v1.0 section 3.2) --
    def fetch_status_lists(self, urls: list[str]) -> dict[str, dict | McredError]:
        """URL -> the status list credential, or the McredError saying why not; never raises for one URL.
        Own lists are read from the database, the others fetched in parallel; past MAX_STATUS_LISTS distinct
        URLs in this verification, the rest are "too many status lists"."""
        remote = []
        for url in dict.fromkeys(urls):
            if url in self._lists:
                continue
            if len(self._lists) + len(remote) >= MAX_STATUS_LISTS:
                self._lists[url] = UpstreamUnavailable(f"The status list at {url} was not read: too many status "
                                                       f"lists (a verification reads at most {MAX_STATUS_LISTS}).")
            elif isinstance(url, str) and url.startswith(self.origin + "/status/"):
                self._lists[url] = self._own_status_list(url)
            else:
                remote.append(url)
        for url, doc in self.fetcher.get_many(remote, self.deadline).items():
            if not isinstance(doc, (dict, McredError)):
                doc = UpstreamUnavailable(f"The status list at {url} is not a JSON object.")
            self._lists[url] = doc
        return {url: self._lists[url] for url in urls}

    def _own_status_list(self, url: str) -> dict | McredError:
        parts = url[len(self.origin + "/status/"):].split("#", 1)[0].split("/")
        if len(parts) != 3 or parts[1] not in PURPOSES or not _SEQ.fullmatch(parts[2]):
            return NotFound(f"{url} is not a status list of this service.")
        try:
            inst = self.institution(parts[0])
            return status_service.publish(self.session, self.services, inst, parts[1], int(parts[2])).signed
        except NotFound:
            return UpstreamUnavailable(f"The status list at {url} does not exist.")


def _verifier_io(session: Session, services: Services, fetcher: RemoteFetcher, now: datetime | None,
                 limits: Limits, deadline: Deadline | None) -> dict:
    """What the domain verifier is handed: the loader, the resolvers, the time, the limits, one deadline
    (``MCRED_VERIFY_DEADLINE_SECONDS`` from now unless given), who is recognised, the Annex I check, the memo, and
    which documents are this service's own, as stored."""
    deadline = deadline or Deadline(services.settings.verify_deadline_seconds)
    resolvers = Resolvers(session, services, fetcher, deadline)
    return {"loader": services.loader, "resolve_did": resolvers.resolve_did,
            "fetch_status_lists": resolvers.fetch_status_lists, "now": now or services.clock(), "limits": limits,
            "deadline": deadline, "recognise": trust.recogniser(session, services.trust_list, resolvers.own_by_did),
            "missing_elements": elm.missing_micro_credential_elements, "verified": services.verified,
            "issued_here": resolvers.issued_here}


def verify(session: Session, services: Services, fetcher: RemoteFetcher, credential: object, *,
           now: datetime | None = None, limits: Limits = VERIFY_LIMITS,
           deadline: Deadline | None = None) -> VerificationResult:
    """Verify ``credential`` now (or at ``now``), reading own documents from ``session``, within ``deadline``
    (``MCRED_VERIFY_DEADLINE_SECONDS`` from now unless given)."""
    result = verify_credential(credential, **_verifier_io(session, services, fetcher, now, limits, deadline))
    _log_outcome("credential.verified", result)
    return result


def verify_presentation(session: Session, services: Services, fetcher: RemoteFetcher, presentation: object, *,
                        challenge: str | None = None, domain: str | None = None, now: datetime | None = None,
                        limits: Limits = VERIFY_LIMITS, deadline: Deadline | None = None) -> PresentationResult:
    """Verify a presentation and every credential in it (VC API ``POST /presentations/verify``), all within one
    deadline."""
    result = verify_presentation_doc(presentation, challenge=challenge, domain=domain,
                                     **_verifier_io(session, services, fetcher, now, limits, deadline))
    _log_outcome("presentation.verified", result)
    return result


def _log_outcome(event: str, result: VerificationResult | PresentationResult) -> None:
    """The outcome, check by check, of a verification: no content of the credential (no names, no ids)."""
    logs.log.info(event, verdict=result.verdict,
                  checks=[{"check": c.check, "outcome": c.outcome, "code": c.code} for c in result.checks])


def credential_size(text: str | bytes, limits: Limits = VERIFY_LIMITS) -> None:
    size = len(text.encode() if isinstance(text, str) else text)
    if size > limits.max_bytes:
        raise LimitExceeded(f"The credential is larger than {limits.max_bytes} bytes.", slug="body-too-large")
