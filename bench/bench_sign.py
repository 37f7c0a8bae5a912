"""Signing speed against the reference implementation, in one run on one machine.

    PYTHONPATH=. .venv/bin/python bench/bench_sign.py [--n 50] [--rounds 5] [--document PATH]

Signs the EU's unsigned Annex I sample (``../shared/data/elm/sample-mc-annex1-unsigned.jsonld``) with
eddsa-rdfc-2022 in process (``eddsa_rdfc_2022.create_proof``: safe expansion, RDF statements, RDFC-1.0 of the
document and of the proof configuration, Ed25519), and with Digital Bazaar's ``@digitalbazaar/vc`` 7.3 +
``eddsa-rdfc-2022-cryptosuite`` in Node (the vc-peer's ``bench`` command, ``.peer/vc-peer``; run
``bash scripts/test.sh`` once to install it). The two alternate in ``--rounds`` rounds of ``--n`` signatures each,
so a noisy neighbour slows both alike; the ratio of the medians (ours / Node's) is the figure that counts (≤ 1.0:
no slower than the reference). Verifying the signed credentials in process is measured beside it.

Node signs the same document ``--n`` times. Python signs a cohort: ``--n`` copies of the document, each for another
learner (``cohort``), as a course's credentials are issued, so that what mcred remembers from one credential to the
next (equal small subtrees: the vocabulary concepts, the awarding body, the specification) counts and nothing
else does. ``--document`` must have the Annex I sample's shape (a Person subject with names, date of birth, e-mail,
national id, and a display image).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import time
import uuid
from pathlib import Path

from _common import PEER, SHARED, machine_info, print_machine, print_table

from app import contexts
from app.domain import eddsa_rdfc_2022
from app.domain.did_key import did_key_for, resolve_did_key
from app.domain.jsonld import make_document_loader
from app.domain.keys import Ed25519Signer, public_key_multibase
from tests.apphelpers import private_key_from_seed, verification_method_id, verify_proof


def cohort(document: dict, n: int) -> list[dict]:
    """``n`` credentials of the document's shape for ``n`` different learners: every part that names the learner
    (the credential's and the person's ids, names, date of birth, e-mail, national id, the rendered image) differs,
    so no signature can reuse another's work on those parts (mcred remembers equal small subtrees: app.domain.jsonld)."""
    out = []
    for k in range(n):
        doc = copy.deepcopy(document)
        tag = uuid.uuid4().hex
        doc["id"] = f"urn:uuid:{uuid.uuid4()}"
        person = doc["credentialSubject"]
        person["id"] = f"urn:epass:person:{tag}"
        for name in ("givenName", "familyName", "fullName"):
            person[name] = {lang: f"{text} {tag[:6]}" for lang, text in person[name].items()}
        person["dateOfBirth"] = f"19{70 + k % 30}-0{1 + k % 9}-1{k % 10}T00:00:00Z"
        person["contactPoint"]["emailAddress"]["id"] = f"mailto:learner.{tag}@example.lv"
        person["nationalID"]["notation"] = tag[:11]
        image = doc["displayParameter"]["individualDisplay"]["displayDetail"]["image"]
        image["content"] = image["content"][:-16] + tag[:16]
        out.append(doc)
    return out


def all_new(documents: list[dict]) -> list[dict]:
    """The cohort with every node's id made unique too (vocabulary concepts included): no subtree repeats, though
    the shape does (signing's template still fits: ids are values)."""
    def renamed(value, tag):
        if isinstance(value, list):
            return [renamed(v, tag) for v in value]
        if isinstance(value, dict):
            return {k: f"{v}#{tag}" if k == "id" and isinstance(v, str) and not v.startswith("mailto:")
                    else renamed(v, tag) for k, v in value.items()}
        return value
    return [renamed(doc, uuid.uuid4().hex) for doc in documents]


def python_round(documents: list[dict], signer, loader) -> list[float]:
    times = []
    for document in documents:
        t0 = time.perf_counter()
        eddsa_rdfc_2022.create_proof(document, signer, loader=loader, created="2024-05-01T10:00:00Z")
        times.append((time.perf_counter() - t0) * 1000)
    return times


def verify_round(signed: list[dict], loader) -> list[float]:
    times = []
    for document in signed:
        t0 = time.perf_counter()
        result = verify_proof(document, loader=loader, resolve_verification_method=resolve_did_key)
        times.append((time.perf_counter() - t0) * 1000)
        assert result.verified, result.message
    return times


def node_round(path: Path, n: int) -> float:
    done = subprocess.run([shutil.which("node") or "node", str(PEER / "peer.mjs"), "bench", str(path), str(n)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "SHARED_DATA": str(SHARED)})
    if done.returncode != 0:
        raise SystemExit(f"the vc-peer bench failed: {done.stderr}")
    return json.loads(done.stdout)["medianMs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--document", type=Path, default=SHARED / "elm" / "sample-mc-annex1-unsigned.jsonld")
    args = parser.parse_args()
    print_machine(machine_info())

    loader = make_document_loader(contexts.load_documents())
    key = private_key_from_seed(bytes([7]) * 32)
    signer = Ed25519Signer(key, verification_method_id(did_key_for(public_key_multibase(key))))
    document = json.loads(args.document.read_text())
    python_round(cohort(document, 5), signer, loader)  # warm-up: the pinned contexts are processed once

    ours, theirs, verifying, unshared = [], [], [], []
    for _ in range(args.rounds):
        theirs.append(node_round(args.document, args.n))
        learners = cohort(document, args.n)
        ours.append(statistics.median(python_round(learners, signer, loader)))
        unshared.append(statistics.median(python_round(all_new(cohort(document, args.n)), signer, loader)))
        signed = [eddsa_rdfc_2022.create_proof(doc, signer, loader=loader, created="2024-05-01T10:00:00Z")
                  for doc in cohort(document, args.n)]
        verifying.append(statistics.median(verify_round(signed, loader)))
    rows = [["sign, Python (this service)", f"{statistics.median(ours):.2f}", f"{min(ours):.2f}"],
            ["sign, Node (@digitalbazaar/vc 7.3)", f"{statistics.median(theirs):.2f}", f"{min(theirs):.2f}"],
            ["sign, Python, every node's id new", f"{statistics.median(unshared):.2f}", f"{min(unshared):.2f}"],
            ["verify proof, Python", f"{statistics.median(verifying):.2f}", f"{min(verifying):.2f}"]]
    print(f"\n{args.document.name}: {args.rounds} rounds of {args.n}, median of the round medians (ms)")
    print_table(["", "median ms", "best round ms"], rows)
    print(f"\nratio sign Python / Node: {statistics.median(ours) / statistics.median(theirs):.2f} "
          f"(per round: {', '.join(f'{o / t:.2f}' for o, t in zip(ours, theirs))}); every node's id new: "
          f"{statistics.median(unshared) / statistics.median(theirs):.2f}")


if __name__ == "__main__":
    main()
