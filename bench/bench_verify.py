"""Verification benchmark: POST /credentials/verify (and the HTML page GET /v/{token}) next to issuing.

    PYTHONPATH=. .venv/bin/python bench/bench_verify.py [--n 200] [--concurrency 4] [--postgres] [--processes 1]

Starts ``uvicorn --factory app.main:create_app`` in a subprocess on a free port, on a freshly migrated database
(SQLite by default, a scratch PostgreSQL database with --postgres), creates an institution (did:web, suspension
enabled: every credential carries two status entries, so each verification reads and checks two signed status
lists) and measures with httpx, with 1 client and with --concurrency clients (threads, keep-alive connections):

  * POST /credentials/issue (the EXAMPLE micro-credential), for comparison,
  * POST /credentials/verify of those credentials (every check: proof, issuer, format, validity, status),
  * GET /v/{token}, the employer's page (the same verification plus HTML rendering),

and, in this process, verify_credential alone (no HTTP, no database) to show where the time goes.
The client runs on the same machine and competes with the server for the CPU; say so when quoting the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path

from _common import (
    PEER,
    SHARED,
    bench_client,
    bench_setup,
    cpu_seconds,
    machine_info,
    pct,
    print_machine,
    print_table,
    service_processes,
    summary_ms,
)

from app.composition import build
from app.domain import eddsa_rdfc_2022, elm
from app.domain.did_key import did_key_for
from app.domain.keys import Ed25519Signer, generate_private_key, public_key_multibase
from app.domain.microcredential import EXAMPLE
from app.domain.timefmt import to_xsd, utcnow
from app.domain.verification import verify_credential
from tests.apphelpers import verification_method_id


def run_clients(total: int, clients: int, make_client, request) -> tuple[float, list[float]]:
    """``total`` calls of ``request(client, i)`` spread over ``clients`` threads; returns (wall s, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    counts = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def worker(n: int, count: int):
        mine = []
        with make_client() as client:
            request(client, n)  # open the connection before the clock starts
            barrier.wait()
            try:
                for i in range(count):
                    t0 = time.perf_counter()
                    request(client, n * 100_000 + i)
                    mine.append(time.perf_counter() - t0)
            except BaseException as exc:  # noqa: BLE001
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


def domain_verify(settings, n: int) -> list[list]:
    """verify_credential in process on an ELM credential signed by a did:key (no status lists, no HTTP)."""
    services = build(settings).services
    key = generate_private_key()
    did = did_key_for(public_key_multibase(key))
    signer = Ed25519Signer(key, verification_method_id(did))
    from app.domain.microcredential import parse_micro_credential
    org = elm.organisation({"legalName": {"lv": "Mērījumu Universitāte", "en": "Benchmark University"},
                            "country": "LVA", "did": did, "registration": "90000000000"})
    unsigned = elm.build_credential(parse_micro_credential(EXAMPLE, today=utcnow().date()), org,
                                    credential_id="urn:uuid:" + "0" * 32,
                                    issued_at=utcnow(), valid_until=None)
    signed = eddsa_rdfc_2022.create_proof(unsigned, signer, loader=services.loader, created=to_xsd(utcnow()))

    def once():
        result = verify_credential(signed, loader=services.loader, resolve_did=lambda d: None,
                                   fetch_status_lists=lambda urls: {}, now=utcnow(),
                                   missing_elements=elm.missing_micro_credential_elements)
        assert result.verified, result.to_dict()

    once()
    t0 = time.perf_counter()
    for _ in range(n):
        once()
    per = (time.perf_counter() - t0) / n
    return [["verify_credential (ELM, did:key, no status), in process", f"{per * 1000:.1f}", f"{1 / per:.1f}"]]


# wrk (Debian's package): a load generator in C, so that the client takes next to none of the cores the service
# runs on. One wrk per service process, each cycling through bodies of its own (credentials no process verified).
WRK_SCRIPT = r"""
local bodies, i = {}, 0
init = function(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
end
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/credentials/verify", {["Content-Type"] = "application/json"}, bodies[i])
end
"""


def wrk_verify(bases, bodies: list[str], seconds: int, connections: int, workdir) -> tuple[float, float, int]:
    """POST /credentials/verify with wrk, ``connections`` over each service process, for ``seconds``: (requests/s
    over all processes, service CPU ms per request, non-2xx answers). ``bodies`` are split between the processes;
    a process that needs more than its share verifies some twice (then remembered): give enough."""
    script = workdir / "verify.lua"
    script.write_text(WRK_SCRIPT)
    share = len(bodies) // len(bases)
    runs = []
    for n, base in enumerate(bases):
        path = workdir / f"bodies-{n}.jsonl"
        path.write_text("\n".join(bodies[n * share:(n + 1) * share]) + "\n")
        runs.append(subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                                      "-s", str(script), base, "--", str(path)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    cpu0 = sum(map(cpu_seconds, bases.pids))
    outputs = [run.communicate()[0] for run in runs]
    cpu = sum(map(cpu_seconds, bases.pids)) - cpu0
    total = sum(int(re.search(r"(\d+) requests in", out).group(1)) for out in outputs)
    rate = sum(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)) for out in outputs)
    bad = sum(int(m.group(1)) for out in outputs for m in [re.search(r"Non-2xx or 3xx responses: (\d+)", out)] if m)
    return rate, cpu / max(total, 1) * 1000, bad


def node_verify(credentials: list[dict], workdir: Path) -> dict | None:
    """Digital Bazaar's verification of ``credentials`` (bench/node_verify.mjs, run from the vc-peer's folder for its
    node_modules), each once, fetching its DID document and status lists from the service; None without the peer."""
    if not (PEER / "node_modules").is_dir() or not shutil.which("node"):
        return None
    script = PEER / "bench-node-verify.mjs"
    shutil.copyfile(Path(__file__).with_name("node_verify.mjs"), script)
    path = workdir / "node-credentials.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in credentials) + "\n")
    done = subprocess.run(["node", str(script), str(path)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "SHARED_DATA": str(SHARED)})
    if done.returncode != 0:
        raise RuntimeError(f"the Node verification failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="requests per HTTP measurement (default 200)")
    ap.add_argument("--concurrency", type=int, default=4, help="concurrent clients (default 4)")
    ap.add_argument("--postgres", action="store_true", help="PostgreSQL scratch database instead of SQLite")
    ap.add_argument("--processes", type=int, default=1, help="service processes, one database (default 1)")
    ap.add_argument("--domain-n", type=int, default=30, help="repetitions of the in-process verification")
    ap.add_argument("--node-n", type=int, default=50, help="credentials Digital Bazaar's stack verifies (0: none)")
    ap.add_argument("--wrk-seconds", type=int, default=5,
                    help="POST /credentials/verify driven by wrk for this long, when wrk is installed (0: not)")
    args = ap.parse_args()

    info = machine_info()
    print(f"mcred verification benchmark, {datetime.now().isoformat(timespec='seconds')}")
    print_machine(info)
    kind = "postgres" if args.postgres else "sqlite"

    with bench_setup(kind) as (wd, db, keys_dir, port, settings, key):
        print(f"database: {kind}, service processes: {args.processes}, institution: did:web with suspension "
              f"(2 status entries per credential)\n")

        print("In process (no HTTP, no database):")
        print_table(["step", "ms", "per second"], domain_verify(settings, args.domain_n))

        with service_processes(db.url, keys_dir, port, args.processes) as bases:
            base = bases[0]
            issued: list[dict] = []
            issued_lock = threading.Lock()
            spread = iter(range(10**9))
            fresh = iter(range(10**9))  # the next credential no service process has verified yet

            def api_client():  # each client thread talks to one process, round robin
                return bench_client(bases[next(spread) % len(bases)], headers={"Authorization": f"Bearer {key}"})

            def do_issue(client, i):
                r = client.post("/credentials/issue", json={"microCredential": EXAMPLE})
                if r.status_code != 201:
                    raise RuntimeError(f"issue failed: {r.status_code} {r.text[:300]}")
                with issued_lock:
                    issued.append(r.json())

            def next_fresh() -> dict:
                with issued_lock:
                    return issued[next(fresh)]

            def do_verify(client, i):  # the body serialised beforehand: the client's json.dumps is not measured
                r = client.post("/credentials/verify", content=next_fresh()["verify_body"],
                                headers={"Content-Type": "application/json"})
                if r.status_code != 200 or not r.json()["verified"]:
                    raise RuntimeError(f"verify failed: {r.status_code} {r.text[:300]}")

            def do_page(client, i):
                r = client.get(next_fresh()["links"]["verification"].removeprefix(base))
                if r.status_code != 200 or 'data-verdict="verified"' not in r.text:
                    raise RuntimeError(f"page failed: {r.status_code}")

            run_clients(10, 1, api_client, do_issue)  # warm-up
            rows, details = [], []
            for name, fn in (("POST /credentials/issue", do_issue), ("POST /credentials/verify", do_verify),
                             ("GET /v/{token} (HTML page)", do_page)):
                if fn is do_verify:  # enough credentials that every verification below is of a new one
                    run_clients(2 * (args.n + args.concurrency + 5) + 10, args.concurrency, api_client, do_issue)
                    for answer in issued:
                        answer["verify_body"] = json.dumps({"verifiableCredential": answer["verifiableCredential"]})
                if fn is not do_issue:
                    run_clients(5, 1, api_client, fn)  # warm-up (first status list signatures, templates)
                for clients in (1, args.concurrency):
                    service0, client0 = sum(map(cpu_seconds, bases.pids)), time.process_time()
                    wall, lat = run_clients(args.n, clients, api_client, fn)
                    service_ms = (sum(map(cpu_seconds, bases.pids)) - service0) / args.n * 1000
                    client_ms = (time.process_time() - client0) / args.n * 1000
                    rows.append([name, clients, f"{pct(lat, 50) * 1000:.1f}", f"{pct(lat, 95) * 1000:.1f}",
                                 f"{pct(lat, 99) * 1000:.1f}", f"{args.n / wall:.1f}", f"{service_ms:.1f}",
                                 f"{client_ms:.1f}"])
                    details.append(f"  {name}, {clients} client(s): {summary_ms(lat)}")
            print(f"\nHTTP, n={args.n} per row; every verification and page is of a credential no service process has "
                  "verified before,\nand re-checks both status lists; CPU per request from /proc (the service "
                  "processes) and of this client process:")
            print_table(["endpoint", "clients", "p50 ms", "p95 ms", "p99 ms", "requests/s", "service CPU ms",
                         "client CPU ms"], rows)
            print("\n".join(details))
            cores = os.cpu_count() or 1
            print(f"\nThe service's capacity on these {cores} cores without the client: {cores} x 1000 / its CPU ms "
                  "per request.")
            if args.wrk_seconds and shutil.which("wrk"):
                per_run = int(args.wrk_seconds * 400 * 1.2) + 100  # enough for 400 per s, none verified twice
                run_clients(2 * per_run, args.concurrency, api_client, do_issue)
                fresh_bodies = [json.dumps({"verifiableCredential": a["verifiableCredential"]})
                                for a in issued[next(fresh):]]
                wrk_rows = []
                for run, connections in enumerate((1, 2)):
                    bodies = fresh_bodies[run * per_run:(run + 1) * per_run]
                    rate, service_ms, bad = wrk_verify(bases, bodies, args.wrk_seconds, connections, Path(wd))
                    if bad:
                        raise RuntimeError(f"wrk: {bad} verifications did not answer 200")
                    if rate * args.wrk_seconds > len(bodies):
                        print(f"  (wrk, {connections} connections: some credentials were verified twice)")
                    wrk_rows.append(["POST /credentials/verify (wrk)", connections * len(bases), f"{rate:.1f}",
                                     f"{service_ms:.1f}"])
                print(f"\nwrk (a C load generator: the client takes next to no CPU), {args.wrk_seconds} s per row, "
                      "connections spread over the service processes, every credential new:")
                print_table(["endpoint", "connections", "requests/s", "service CPU ms"], wrk_rows)
            node = node_verify([a["verifiableCredential"] for a in issued[:args.node_n + 5]], Path(wd))
            if node:
                ours = next(r for r in rows if r[0] == "POST /credentials/verify" and r[1] == 1)
                print("\nDigital Bazaar's stack in Node (@digitalbazaar/vc, eddsa-rdfc-2022, vc-bitstring-status-list), "
                      "the same credentials, one at a time (its DID document and both status lists fetched from the "
                      "service, as a verifier elsewhere does):")
                print_table(["verification of one credential", "p50 ms", "per second"], [
                    ["ours: POST /credentials/verify, 1 client (over HTTP)", ours[2], ours[5]],
                    ["Node: vc.verifyCredential with checkStatus (in process)", f"{node['medianMs']:.1f}",
                     f"{1000 / node['medianMs']:.1f}"]])
                print(f"ratio ours / Node (p50): {float(ours[2]) / node['medianMs']:.2f}")

if __name__ == "__main__":
    main()
