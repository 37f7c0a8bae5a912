"""The worker's signing processes (one per core, app.jobs.Runtime): each builds and signs the items of a batch chunk
it is handed (app.batches.Issuer, Work), so the CPU-bound JSON-LD work runs outside the worker's threads."""

from __future__ import annotations

import os
import threading
import time

from app import composition, issuing, process_gc
from app.batches import Issuer, Signed, Work, item_errors
from app.db.models import Institution, SigningKey
from app.db.session import JsonText
from app.domain import json_digest
from app.errors import McredError
from app.services import Services
from app.wallet import offers

_signing_services: Services | None = None
# Batches are background work: their signing processes yield the cores to the service's requests (a verification,
# a single issue) whenever both want them (nice(2); the CPU left over still goes to them), so a batch of 10,000
# beside the service does not make an ordinary request wait. A worker on a machine of its own loses nothing.
SIGNING_NICENESS = 10


def init_signing_process(settings, parent_pid: int) -> None:
    """Runs once in each signing process: its own services (contexts, key store: app.composition), and an exit when
    the worker that started it is gone (killed), so no signing process outlives its worker."""
    global _signing_services
    _signing_services = composition.build(settings).services
    if settings.gc_settle:
        process_gc.settle()
    try:
        os.nice(SIGNING_NICENESS)
    except OSError:  # not permitted here: the processes run at the worker's priority
        pass

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def sign_item(issuer: Issuer, work: Work) -> Signed:
    """Build and sign one item (in a signing process): the item's refusal is its result, not an exception."""
    services = _signing_services
    inst = Institution(id=issuer.id, did=issuer.did, profile=issuer.profile,
                       default_validity_days=issuer.default_validity_days)
    key = SigningKey(key_file=issuer.key_file, verification_method=issuer.verification_method)
    try:
        unsigned, summary = issuing.build_micro_credential(services, inst, work.input, row_id=work.credential_id)
        now = services.clock()
        document = issuing.sign(services, key, unsigned, now, work.entries)
    except McredError as exc:
        return Signed(work.seq, errors=item_errors(exc, work.seq))
    stored = json_digest.text(document)
    return Signed(work.seq, JsonText(stored), document["id"], issuing.json_validity(document),
                  offers.offerable_document(document), summary.get("learnerRef"),
                  summary.get("learnerName"), summary.get("title"), now, digest=json_digest.of_text(stored))
