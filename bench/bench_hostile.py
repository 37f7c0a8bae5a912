"""Hostile documents against the public verifier: what one costs, and what it does to everyone else's latency.

    PYTHONPATH=. .venv/bin/python bench/bench_hostile.py [--n 60] [--crowd-only] [--levels 0,8,16,32]

Starts the service (``uvicorn``, one process, SQLite) and issues one ordinary micro-credential. Then:

1. each hostile shape is sent to ``POST /credentials/verify`` alone: its answer (413 for a limit, or a verdict)
   and the time it took;
2. ordinary verifications are timed by one client, first alone, then while another client sends the most
   expensive hostile shape back to back: the difference is what one hostile caller costs the others.

The shapes: a property with 4,000 (and 8,000) distinct strings (the case that took 12.5 s and 30 s inside pyld's
duplicate check before), many values under aliases of one property, 19 nodes of 1,000 values, a 1 MB document of
long strings, 200 inline contexts, and 1,000 nodes each activating one of 100 type-scoped contexts of 100 terms
(pyld reprocesses a type-scoped context on every node: the most expensive shape within the limits found).

3. a crowd (issue 16): N hostile clients (0, 8, 16, 32; each its own address, through ``X-Forwarded-For``, which
   uvicorn takes from 127.0.0.1) send ``CROWD_SHAPE`` (~220 kB, a thousand small objects, within the limits) back to
   back, retrying at once when refused; one ordinary client verifies the service's own credential ``--n`` times.
   The table: its p50/p99/max, and what the hostile requests were answered (200/400 verdicts, 429, 503, 413).
"""

from __future__ import annotations

import argparse
import collections
import json
import threading
import time
from datetime import datetime

import httpx

from _common import (
    bench_client,
    bench_setup,
    machine_info,
    pct,
    print_machine,
    print_table,
    running_service,
)

from app.domain.microcredential import EXAMPLE

V2 = "https://www.w3.org/ns/credentials/v2"
BASE = {"@context": [V2], "id": "urn:uuid:0e0a1b2c-3d4e-4f50-8a9b-000000000001", "type": "VerifiableCredential",
        "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "proof": {"type": "DataIntegrityProof"}}


def shapes() -> dict[str, dict]:
    aliases = {f"a{k}": "https://schema.org/name" for k in range(20)}
    scoped = {f"T{k}": {"@id": f"https://example.org/T{k}",
                        "@context": {f"p{j}": f"https://example.org/p{j}" for j in range(100)}} for k in range(100)}
    return {
        "4,000 distinct strings in one property": {
            **BASE, "credentialSubject": {"id": "did:example:x", "name": [f"s{i}" for i in range(4000)]}},
        "8,000 distinct strings in one property": {
            **BASE, "credentialSubject": {"id": "did:example:x", "name": [f"s{i}" for i in range(8000)]}},
        "20 aliases of one property × 1,000 values": {
            **BASE, "@context": [V2, aliases],
            "credentialSubject": {"id": "did:example:x", **{a: [f"{a}-{i}" for i in range(1000)] for a in aliases}}},
        "19 nodes × 1,000 values": {
            **BASE, "credentialSubject": [{"id": f"did:example:{j}", "name": [f"s{i}" for i in range(1000)]}
                                          for j in range(19)]},
        "1 MB of long strings": {
            **BASE, "credentialSubject": {"id": "did:example:x", "name": ["x" * 900 + str(i) for i in range(1000)]}},
        "200 inline contexts of 50 terms": {
            **BASE, "@context": [V2] + [{f"t{k}_{j}": f"https://example.org/{k}/{j}" for j in range(50)}
                                        for k in range(200)],
            "credentialSubject": {"id": "did:example:x", "name": "x"}},
        "1,000 nodes, 100 type-scoped contexts": {
            **BASE, "@context": [V2, scoped],
            "credentialSubject": [{"id": f"did:example:{i}", "type": f"T{i % 100}", "p1": "v"} for i in range(1000)]},
    }


def crowd_shape() -> dict:
    """~220 kB: 1,000 small nodes, each activating one of 100 type-scoped contexts of 50 terms."""
    scoped = {f"T{k}": {"@id": f"https://example.org/T{k}",
                        "@context": {f"p{j}": f"https://example.org/p{j}" for j in range(50)}} for k in range(100)}
    return {**BASE, "@context": [V2, scoped],
            "credentialSubject": [{"id": f"did:example:{i}", "type": f"T{i % 100}", "p1": "v"} for i in range(1000)]}


def crowd(base: str, ordinary: dict, levels: list[int], n: int) -> None:
    body = json.dumps({"verifiableCredential": crowd_shape()}).encode()
    mine = json.dumps({"verifiableCredential": ordinary}).encode()
    json_type = {"Content-Type": "application/json"}
    rows = []
    for level in levels:
        stop, answers, hostile_ms = threading.Event(), collections.Counter(), []

        def hostile(k: int):
            with bench_client(base) as client:
                while not stop.is_set():
                    t0 = time.perf_counter()
                    try:
                        r = client.post("/credentials/verify", content=body,
                                        headers={**json_type, "X-Forwarded-For": f"10.9.{k // 250}.{k % 250 + 1}"})
                    except httpx.TransportError:  # refused and closed before the whole body was sent
                        answers["closed"] += 1
                        continue
                    answers[r.status_code] += 1
                    if r.status_code in (200, 400):
                        hostile_ms.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=hostile, args=(k,)) for k in range(level)]
        for t in threads:
            t.start()
        time.sleep(1.0 if level else 0)
        times, statuses = [], collections.Counter()
        with bench_client(base) as client:
            for _ in range(n):
                t0 = time.perf_counter()
                r = client.post("/credentials/verify", content=mine, headers=json_type)
                times.append(time.perf_counter() - t0)
                statuses[r.status_code] += 1
                time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join()
        rows.append([level, f"{pct(times, 50) * 1000:.0f}", f"{pct(times, 99) * 1000:.0f}",
                     f"{max(times) * 1000:.0f}", " ".join(f"{k}×{v}" for k, v in sorted(statuses.items())),
                     " ".join(f"{k}×{v}" for k, v in sorted(answers.items(), key=str)) or "-",
                     f"{max(hostile_ms) * 1000:.0f}" if hostile_ms else "-"])
    print(f"\nOrdinary verification (own credential, POST /credentials/verify, {n} requests, one client) beside N "
          f"hostile clients sending {len(body) // 1000} kB (1,000 small objects) back to back:")
    print_table(["hostile clients", "p50 ms", "p99 ms", "max ms", "ordinary answers", "hostile answers",
                 "hostile verified max ms"], rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60, help="ordinary verifications per latency measurement")
    ap.add_argument("--crowd-only", action="store_true", help="only the crowd table")
    ap.add_argument("--levels", default="0,8,16,32", help="hostile clients of the crowd table")
    args = ap.parse_args()
    print(f"mcred hostile-input benchmark, {datetime.now().isoformat(timespec='seconds')}")
    print_machine(machine_info())

    with bench_setup("sqlite") as (wd, db, keys_dir, port, settings, key):
        with running_service(db.url, wd / "keys", port) as base, bench_client(base) as http:
            issued = http.post("/credentials/issue", json={"microCredential": EXAMPLE},
                               headers={"Authorization": f"Bearer {key}"})
            assert issued.status_code == 201, issued.text
            ordinary = issued.json()["verifiableCredential"]
            if args.crowd_only:
                crowd(base, ordinary, [int(x) for x in args.levels.split(",")], args.n)
                return

            rows, costs = [], {}
            for name, doc in shapes().items():
                t0 = time.perf_counter()
                r = http.post("/credentials/verify", json={"verifiableCredential": doc})
                costs[name] = time.perf_counter() - t0
                answer = r.json().get("type", "").rsplit("/", 1)[-1] if r.status_code != 200 else "verified"
                rows.append([name, f"{len(r.request.content) // 1000} kB", r.status_code, answer,
                             f"{costs[name] * 1000:.0f}"])
            print("\nEach hostile document alone:")
            print_table(["shape", "size", "HTTP", "answer", "ms"], rows)

            def ordinary_latencies() -> list[float]:
                out = []
                with bench_client(base) as client:
                    for _ in range(args.n):
                        t0 = time.perf_counter()
                        r = client.post("/credentials/verify", json={"verifiableCredential": ordinary})
                        out.append(time.perf_counter() - t0)
                        assert r.status_code == 200, r.text
                return out

            ordinary_latencies()  # warm-up
            alone = ordinary_latencies()
            worst = max(costs, key=costs.get)
            stop, hostile_times = threading.Event(), []

            def hostile_caller():
                with bench_client(base) as client:
                    while not stop.is_set():
                        t0 = time.perf_counter()
                        client.post("/credentials/verify", json={"verifiableCredential": shapes()[worst]})
                        hostile_times.append(time.perf_counter() - t0)

            attacker = threading.Thread(target=hostile_caller)
            attacker.start()
            time.sleep(0.5)
            beside = ordinary_latencies()
            stop.set()
            attacker.join()
            print(f"\nOrdinary verification (own micro-credential, both status lists), {args.n} requests, one client;"
                  f"\nbeside it, one client sending “{worst}” back to back ({len(hostile_times)} sent, "
                  f"{pct(hostile_times, 50) * 1000:.0f} ms each):")
            print_table(["", "p50 ms", "p95 ms", "max ms"],
                        [["alone", f"{pct(alone, 50) * 1000:.1f}", f"{pct(alone, 95) * 1000:.1f}",
                          f"{max(alone) * 1000:.1f}"],
                         ["beside the hostile caller", f"{pct(beside, 50) * 1000:.1f}", f"{pct(beside, 95) * 1000:.1f}",
                          f"{max(beside) * 1000:.1f}"]])
            crowd(base, ordinary, [int(x) for x in args.levels.split(",")], args.n)


if __name__ == "__main__":
    main()
