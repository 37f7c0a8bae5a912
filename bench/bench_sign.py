"""Signing speed against the reference implementation, in one run on one machine.

    PYTHONPATH=. .venv/bin/python bench/bench_sign.py [--n 50] [--rounds 5] [--document PATH]

Signs the EU's unsigned Annex I sample (``../shared/data/elm/sample-mc-annex1-unsigned.jsonld``) with
eddsa-rdfc-2022 in process (``eddsa_rdfc_2022.create_proof``: safe expansion, RDF statements, RDFC-1.0 of the
document and of the proof configuration, Ed25519), and with Digital Bazaar's ``@digitalbazaar/vc`` 7.3 +
``eddsa-rdfc-2022-cryptosuite`` in Node (the vc-peer's ``bench`` command, ``.peer/vc-peer``; run
``bash scripts/test.sh`` once to install it). The two alternate in ``--rounds`` rounds of ``--n`` signatures each,
so a noisy neighbour slows both alike; the ratio of the medians (ours / Node's) is the figure that counts (≤ 1.0:
no slower than the reference). Verifying the signed sample in process is measured beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from _common import ROOT, machine_info, print_machine, print_table

from app import contexts
from app.domain import eddsa_rdfc_2022
from app.domain.did_key import did_key_for, resolve_did_key, verification_method_id
from app.domain.jsonld import make_document_loader
from app.domain.keys import Ed25519Signer, private_key_from_seed, public_key_multibase

SHARED = ROOT.parent / "shared" / "data"
PEER = Path(os.environ.get("MCRED_PEER_DIR", ROOT / ".peer" / "vc-peer"))


def python_round(document: dict, signer, loader, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        eddsa_rdfc_2022.create_proof(document, signer, loader=loader, created="2024-05-01T10:00:00Z")
        times.append((time.perf_counter() - t0) * 1000)
    return times


def verify_round(signed: dict, loader, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        result = eddsa_rdfc_2022.verify_proof(signed, loader=loader, resolve_verification_method=resolve_did_key)
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
    signed = eddsa_rdfc_2022.create_proof(document, signer, loader=loader, created="2024-05-01T10:00:00Z")
    python_round(document, signer, loader, 5)  # warm-up: the pinned contexts are processed once

    ours, theirs, verifying = [], [], []
    for _ in range(args.rounds):
        theirs.append(node_round(args.document, args.n))
        ours.append(statistics.median(python_round(document, signer, loader, args.n)))
        verifying.append(statistics.median(verify_round(signed, loader, args.n)))
    rows = [["sign, Python (this service)", f"{statistics.median(ours):.2f}", f"{min(ours):.2f}"],
            ["sign, Node (@digitalbazaar/vc 7.3)", f"{statistics.median(theirs):.2f}", f"{min(theirs):.2f}"],
            ["verify proof, Python", f"{statistics.median(verifying):.2f}", f"{min(verifying):.2f}"]]
    print(f"\n{args.document.name}: {args.rounds} rounds of {args.n}, median of the round medians (ms)")
    print_table(["", "median ms", "best round ms"], rows)
    print(f"\nratio sign Python / Node: {statistics.median(ours) / statistics.median(theirs):.2f} "
          f"(per round: {', '.join(f'{o / t:.2f}' for o, t in zip(ours, theirs))})")


if __name__ == "__main__":
    main()
