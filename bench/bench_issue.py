"""Issuing benchmark: POST /credentials/issue and POST /credentials/cohorts against the real service.

    PYTHONPATH=. .venv/bin/python bench/bench_issue.py [--n 200] [--concurrency 4] [--postgres] [--processes 1]

Starts ``uvicorn --factory app.main:create_app`` in a subprocess on a free port, on a freshly migrated database
(a SQLite file by default, a scratch PostgreSQL database ``mcred_bench_<hex>`` with --postgres, dropped at the
end), creates an institution (did:web, suspension enabled: two status entries per credential, as in production)
and an API key, then measures with httpx:

  * single-client latency of issuing the EXAMPLE micro-credential (p50/p95/p99 over --n requests),
  * throughput with 1 client and with --concurrency clients (threads, one keep-alive connection each),
  * cohort throughput (POST /credentials/cohorts with --cohort-size items, --cohorts times),

and, in this process, the domain pieces alone (ELM building, the safe-mode JSON-LD check, RDFC-1.0
canonicalization, the Ed25519 signature) so the HTTP figures can be split into "where the time goes".
The client runs on the same machine and competes with the server for the CPU; say so when quoting the figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import threading
import time
import uuid
from datetime import datetime

import httpx
from _common import (
    bench_client,
    bench_issuer,
    bench_setup,
    machine_info,
    pct,
    print_machine,
    print_table,
    service_processes,
    summary_ms,
    with_bench_status,
)
from bench_sign import node_round

from app.composition import build
from app.domain import eddsa_rdfc_2022, elm, jsonld, rdfc
from app.domain.microcredential import EXAMPLE, parse_micro_credential
from app.domain.timefmt import to_xsd, utcnow

# --- the domain pieces, in process --------------------------------------------------------------------------------


def _time(fn, n: int) -> tuple[float, object]:
    result = fn()  # warm-up (and the value handed on)
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n, result


def domain_breakdown(settings, n: int) -> list[list]:
    services = build(settings).services
    loader = services.loader
    org, signer = bench_issuer()
    now = utcnow()
    rows = []

    t_parse, mc = _time(lambda: parse_micro_credential(EXAMPLE, today=now.date()), n)
    t_build, unsigned = _time(lambda: elm.build_credential(mc, org, credential_id=f"urn:uuid:{uuid.uuid4()}",
                                                          issued_at=now, valid_until=None), n)
    unsigned = with_bench_status(unsigned)
    document = eddsa_rdfc_2022.with_suite_context(unsigned)
    deadline = jsonld.DEFAULT_LIMITS.deadline
    t_expand, expanded = _time(lambda: jsonld.expand(document, loader), n)
    t_rdf, _ = _time(lambda: rdfc.to_dataset(expanded, deadline=deadline()), n)
    t_canon, nquads = _time(lambda: rdfc.canonize(rdfc.to_dataset(expanded, deadline=deadline()), deadline()), n)
    config = eddsa_rdfc_2022.proof_config({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                                           "created": to_xsd(now), "verificationMethod": signer.verification_method,
                                           "proofPurpose": "assertionMethod"}, document)
    t_cfg, _ = _time(lambda: rdfc.statements(config, loader), n)
    t_sign, _ = _time(lambda: signer.sign(bytes(64)), 2000)
    t_proof, _ = _time(lambda: eddsa_rdfc_2022.create_proof(unsigned, signer, loader=loader, created=to_xsd(now)), n)

    rows.append(["parse + validate input (pydantic)", t_parse])
    rows.append(["build ELM document", t_build])
    rows.append(["JSON-LD expansion, safe mode (pyld, sentinel @vocab)", t_expand])
    rows.append(["RDF statements from that expansion", t_rdf])
    rows.append([f"RDFC-1.0 canonicalization ({nquads.count(chr(10))} quads; includes the statements again)",
                 t_canon])
    rows.append(["proof configuration: statements + canonicalization", t_cfg])
    rows.append(["Ed25519 sign (64 bytes)", t_sign])
    rows.append(["create_proof total", t_proof])
    rows.append(["=> domain work per issued credential", t_parse + t_build + t_proof])
    return rows


# --- HTTP ---------------------------------------------------------------------------------------------------------


FAILURES: list[str] = []  # non-201 answers under load are counted and shown, not fatal


def _issue(client: httpx.Client, body: dict) -> float:
    t0 = time.perf_counter()
    r = client.post("/credentials/issue", json=body)
    elapsed = time.perf_counter() - t0
    if r.status_code != 201:
        FAILURES.append(f"{r.status_code} {r.text[:240]}")
    return elapsed


def run_clients(bases: list[str], key: str, total: int, clients: int) -> tuple[float, list[float]]:
    """``total`` issues spread over ``clients`` threads (client i talks to process i mod N); returns (wall seconds,
    latencies)."""
    body = {"microCredential": EXAMPLE}
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    counts = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def worker(n: int, count: int):
        mine = []
        with bench_client(bases[n % len(bases)], headers={"Authorization": f"Bearer {key}"}) as client:
            _issue(client, body)  # open the connection before the clock starts
            barrier.wait()
            try:
                for _ in range(count):
                    mine.append(_issue(client, body))
            except BaseException as exc:  # noqa: BLE001 - re-raised by the caller
                errors.append(exc)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n, c)) for n, c in enumerate(counts)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return wall, latencies


def run_cohorts(base: str, key: str, cohorts: int, size: int) -> tuple[float, list[float]]:
    items = []
    for i in range(size):
        item = copy.deepcopy(EXAMPLE)
        item["learner"]["reference"] = f"ST-BENCH-{i:05d}"
        items.append(item)
    body = {"microCredentials": items}
    times = []
    with bench_client(base, headers={"Authorization": f"Bearer {key}"}, timeout=600) as client:
        for _ in range(cohorts):
            t0 = time.perf_counter()
            r = client.post("/credentials/cohorts", json=body)
            times.append(time.perf_counter() - t0)
            if r.status_code != 201 or r.json()["count"] != size:
                raise RuntimeError(f"cohort failed: {r.status_code} {r.text[:300]}")
    return sum(times), times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="requests per HTTP measurement (default 200)")
    ap.add_argument("--concurrency", type=int, default=4, help="concurrent clients (default 4)")
    ap.add_argument("--postgres", action="store_true", help="PostgreSQL scratch database instead of SQLite")
    ap.add_argument("--processes", type=int, default=1, help="service processes, one database (default 1)")
    ap.add_argument("--cohorts", type=int, default=3, help="cohort requests (default 3)")
    ap.add_argument("--cohort-size", type=int, default=50, help="items per cohort (default 50)")
    ap.add_argument("--domain-n", type=int, default=30, help="repetitions of each domain piece (default 30)")
    ap.add_argument("--node-rounds", type=int, default=3, help="rounds of Node signing vs HTTP issuing (default 3)")
    args = ap.parse_args()

    info = machine_info()
    print(f"mcred issuing benchmark, {datetime.now().isoformat(timespec='seconds')}")
    print_machine(info)
    kind = "postgres" if args.postgres else "sqlite"

    with bench_setup(kind) as (wd, db, keys_dir, port, settings, key):
        print(f"database: {kind} ({db.url.split('@')[-1]}), service processes: {args.processes}, "
              f"institution: did:web with suspension (2 status entries per credential)\n")

        print("Domain pieces alone (in this process, no HTTP, no database):")
        rows = domain_breakdown(settings, args.domain_n)
        print_table(["step", "ms"], [[name, f"{t * 1000:.2f}"] for name, t in rows])
        domain_ms = rows[-1][1] * 1000

        with service_processes(db.url, keys_dir, port, args.processes) as bases:
            base = bases[0]
            # Warm-up: first request loads contexts, keys, SQLAlchemy compiled caches.
            run_clients(bases, key, 10, 1)

            print(f"\nHTTP POST /credentials/issue (EXAMPLE micro-credential), n={args.n} per row:")
            wall1, lat1 = run_clients(bases, key, args.n, 1)
            wallc, latc = run_clients(bases, key, args.n, args.concurrency)
            table = [
                ["1 client", f"{pct(lat1, 50) * 1000:.1f}", f"{pct(lat1, 95) * 1000:.1f}",
                 f"{pct(lat1, 99) * 1000:.1f}", f"{args.n / wall1:.1f}"],
                [f"{args.concurrency} clients", f"{pct(latc, 50) * 1000:.1f}", f"{pct(latc, 95) * 1000:.1f}",
                 f"{pct(latc, 99) * 1000:.1f}", f"{args.n / wallc:.1f}"],
            ]
            print_table(["clients", "p50 ms", "p95 ms", "p99 ms", "credentials/s"], table)
            print(f"  1 client : {summary_ms(lat1)}")
            print(f"  {args.concurrency} clients: {summary_ms(latc)}")
            if FAILURES:
                print(f"  !! {len(FAILURES)} of {2 * args.n + 10} requests failed; first: {FAILURES[0]}")
            else:
                print(f"  all {2 * args.n + 10} requests answered 201")

            # Node's bare signing of the same document (the credential the service issued, without its proof),
            # alternating with rounds of one-client issuing, so that a noisy neighbour slows both alike.
            with bench_client(base, headers={"Authorization": f"Bearer {key}"}) as client:
                issued = client.post("/credentials/issue", json={"microCredential": EXAMPLE}).json()
            document = {k: v for k, v in issued["verifiableCredential"].items() if k != "proof"}
            path = wd / "issued-unsigned.json"
            path.write_text(json.dumps(document))
            node, ours = [], []
            for _ in range(args.node_rounds):
                node.append(node_round(path, 50))
                ours.append(pct(run_clients(bases, key, 50, 1)[1], 50) * 1000)
            print(f"\nThe same document signed by Node (@digitalbazaar/vc, vc-peer bench), {args.node_rounds} rounds "
                  "of 50, alternating with rounds of 50 issues over HTTP (1 client):")
            print_table(["", "median of round medians, ms", "per round, ms"], [
                ["POST /credentials/issue, whole request", f"{statistics.median(ours):.1f}",
                 ", ".join(f"{o:.1f}" for o in ours)],
                ["Node: sign the same document", f"{statistics.median(node):.1f}",
                 ", ".join(f"{t:.1f}" for t in node)]])
            print(f"  ratio issue request / Node's bare signing: {statistics.median(ours) / statistics.median(node):.2f}")

            print(f"\nHTTP POST /credentials/cohorts ({args.cohort_size} items), {args.cohorts} cohorts, 1 client:")
            total, times = run_cohorts(base, key, args.cohorts, args.cohort_size)
            made = args.cohorts * args.cohort_size
            print_table(["cohort size", "p50 s/cohort", "max s/cohort", "credentials/s"],
                        [[args.cohort_size, f"{pct(times, 50):.2f}", f"{max(times):.2f}", f"{made / total:.1f}"]])

        p50 = pct(lat1, 50) * 1000
        print(f"\nWhere the time goes (1 client): p50 {p50:.1f} ms per issue, of which ~{domain_ms:.1f} ms is "
              f"domain CPU work ({domain_ms / p50:.0%}); the rest is HTTP, auth, status-index allocation, "
              f"SQL and commit.")


if __name__ == "__main__":
    main()
