"""What a credential weighs, and what its parts cost: bytes (JSON, gzip, stored), signing and verifying time.

    PYTHONPATH=. .venv/bin/python bench/bench_size.py [--n 40] [--rounds 5]

In process, no HTTP: the service's own micro-credential (``EXAMPLE``, an institution that suspends: two status
entries), built as ``POST /credentials/issue`` builds it, each time for another learner. Prints the size of the
signed credential and of its largest parts (JSON as stored and sent, UTF-8; gzip -6 as a compressing proxy would
send it), then the median time of ``create_proof`` and of verifying the proof for three variants of the same
credentials, alternating in ``--rounds`` rounds so that a noisy neighbour slows all alike:

  * as issued;
  * without the page images (the ``content`` of every display image emptied): what the pictures cost;
  * without ``displayParameter`` at all: what the whole display part costs (EDC requires it; for comparison only).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
import uuid

from _common import bench_issuer, machine_info, print_machine, print_table, with_bench_status

from app import contexts
from app.domain import eddsa_rdfc_2022, elm
from app.domain.did_key import resolve_did_key
from app.domain.jsonld import make_document_loader
from app.domain.microcredential import EXAMPLE, parse_micro_credential
from app.domain.timefmt import to_xsd, utcnow
from tests.apphelpers import verify_proof


def sizes(value) -> tuple[int, int]:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": ")).encode()
    return len(text), len(gzip.compress(text, 6))


def parts(doc: dict) -> list[tuple[str, object]]:
    claim = doc["credentialSubject"]["hasClaim"]
    display = doc["displayParameter"]
    images = [d["displayDetail"]["image"]["content"] for d in display["individualDisplay"]]
    return [("whole credential (signed)", doc),
            ("credentialSubject.hasClaim", claim),
            ("displayParameter", display),
            (f"  of which the page images ({len(images)}, base64 SVG)", images),
            ("  one page image, SVG bytes", elm_svg(images[0])),
            ("awardingBody (one copy; the document embeds it 5 times)", claim["awardedBy"]["awardingBody"]),
            ("issuer", doc["issuer"]),
            ("proof", doc["proof"])]


def elm_svg(content: str) -> str:
    import base64
    return base64.b64decode(content).decode()


def without_images(doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    for d in doc["displayParameter"]["individualDisplay"]:
        d["displayDetail"]["image"]["content"] = ""
    return doc


def without_display(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "displayParameter"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    print_machine(machine_info())
    loader = make_document_loader(contexts.load_documents())
    org, _ = bench_issuer()
    from app.domain.did_key import did_key_for
    from app.domain.keys import Ed25519Signer, public_key_multibase
    from tests.apphelpers import private_key_from_seed, verification_method_id
    key = private_key_from_seed(bytes([7]) * 32)
    signer = Ed25519Signer(key, verification_method_id(did_key_for(public_key_multibase(key))))
    now = utcnow()

    def cohort(n: int) -> list[dict]:
        out = []
        for k in range(n):
            item = json.loads(json.dumps(EXAMPLE))
            item["learner"]["givenName"] = f"Learner{k}"
            item["learner"]["reference"] = f"ST-{uuid.uuid4().hex[:8]}"
            mc = parse_micro_credential(item, today=now.date())
            out.append(with_bench_status(elm.build_credential(mc, org, credential_id=f"urn:uuid:{uuid.uuid4()}",
                                                              issued_at=now, valid_until=None)))
        return out

    sample = eddsa_rdfc_2022.create_proof(cohort(1)[0], signer, loader=loader, created=to_xsd(now))
    print("\nSizes (JSON as stored and sent; gzip -6):")
    print_table(["part", "bytes", "gzip bytes"], [[name, *sizes(v)] for name, v in parts(sample)])

    variants = {"as issued": lambda d: d, "page images emptied": without_images,
                "no displayParameter": without_display}
    times = {name: ([], []) for name in variants}
    for name, make in variants.items():  # warm-up
        eddsa_rdfc_2022.create_proof(make(cohort(1)[0]), signer, loader=loader, created=to_xsd(now))
    for _ in range(args.rounds):
        for name, make in variants.items():
            docs = [make(d) for d in cohort(args.n)]
            signs, verifies = [], []
            for d in docs:
                t0 = time.perf_counter()
                signed = eddsa_rdfc_2022.create_proof(d, signer, loader=loader, created=to_xsd(now))
                signs.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                assert verify_proof(signed, loader=loader, resolve_verification_method=resolve_did_key).verified
                verifies.append(time.perf_counter() - t0)
            times[name][0].append(statistics.median(signs))
            times[name][1].append(statistics.median(verifies))
    print(f"\nSigning and verifying the proof, {args.rounds} rounds of {args.n} learners, median of round medians:")
    rows = []
    for name, make in variants.items():
        signed = eddsa_rdfc_2022.create_proof(make(cohort(1)[0]), signer, loader=loader, created=to_xsd(now))
        rows.append([name, *sizes(signed), f"{statistics.median(times[name][0]) * 1000:.2f}",
                     f"{statistics.median(times[name][1]) * 1000:.2f}"])
    print_table(["credential", "bytes", "gzip bytes", "sign ms", "verify proof ms"], rows)


if __name__ == "__main__":
    main()
