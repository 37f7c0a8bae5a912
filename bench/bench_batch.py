"""Batch issuing benchmark: one POST /credentials/batches of --n items, issued by `mcred worker`, end to end.

    PYTHONPATH=. .venv/bin/python bench/bench_batch.py [--n 10000] [--postgres] [--processes 2] [--chunk 100]

On a freshly migrated database (a SQLite file, or a scratch PostgreSQL database with --postgres, dropped at the
end) with an institution that suspends (two status entries per credential, as the demo), it starts the service
(uvicorn subprocess) and one `mcred worker` (subprocess, --processes signing processes), posts one partial batch of
--n copies of the EXAMPLE micro-credential (distinct learners) and polls GET /batches/{id} until the batch is done.

It prints: the time of the POST (validation of every item, the batch stored), the time from the POST to the last
credential stored, credentials/s, the peak memory (RSS) of the worker and its signing processes (summed over the
process tree, sampled every 0.2 s, and each process's own peak, VmHWM), the CPU seconds each part used (worker,
signing processes, service, PostgreSQL), how busy the machine was meanwhile, and, for comparison, the time one
credential takes to sign in one process (``eddsa_rdfc_2022.create_proof``), i.e. the best any design could do on
these cores.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx
from _common import (
    ROOT,
    bench_client,
    bench_issuer,
    bench_setup,
    cpu_seconds,
    machine_info,
    pct,
    print_machine,
    print_table,
    running_service,
    tree,
    with_bench_status,
)

from app.composition import build
from app.domain import eddsa_rdfc_2022, elm
from app.domain.microcredential import EXAMPLE, parse_micro_credential
from app.domain.timefmt import to_xsd, utcnow


def sign_ms(settings, n: int = 40) -> float:
    """One ELM credential with two status entries, signed in this process (median of n), each for another learner
    with its own credential id, as in a batch (what mcred remembers from one credential to the next counts, and
    only that)."""
    services = build(settings).services
    org, signer = bench_issuer()
    now = utcnow()
    times = []
    for k in range(n + 5):
        item = copy.deepcopy(EXAMPLE)
        item["learner"].update(givenName=f"Anna {k}", reference=f"BENCH-{k}")
        mc = parse_micro_credential(item, today=now.date())
        unsigned = with_bench_status(elm.build_credential(mc, org, credential_id=f"urn:uuid:{uuid.uuid4()}",
                                                          issued_at=now, valid_until=None), 4711 + k)
        t0 = time.perf_counter()
        eddsa_rdfc_2022.create_proof(unsigned, signer, loader=services.loader, created=to_xsd(now))
        times.append(time.perf_counter() - t0)
    return sorted(times[5:])[n // 2] * 1000


# --- processes: memory from /proc ----------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def postgres_cpu() -> float:
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(proc.name))
            except OSError:
                pass
    return total


def machine_busy() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


class Sampler(threading.Thread):
    """Peak RSS of a process tree (summed) and of each process (VmHWM), CPU seconds per process."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_sum, self.hwm, self.cpu = pid, 0, {}, {}
        self.stop = threading.Event()

    def sample(self) -> None:
        pids = tree(self.pid)
        self.peak_sum = max(self.peak_sum, sum(status_kb(p, "VmRSS") for p in pids))
        for p in pids:
            self.hwm[p] = max(self.hwm.get(p, 0), status_kb(p, "VmHWM"))
            self.cpu[p] = max(self.cpu.get(p, 0.0), cpu_seconds(p))

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.sample()


class Bystander(threading.Thread):
    """Someone else meanwhile: verifies the service's own credential (``POST /credentials/verify``) every 50 ms,
    from the POST of the batch to its end; latencies in ms."""

    def __init__(self, base: str, key: str):
        super().__init__(daemon=True)
        self.client = bench_client(base, headers={"Authorization": f"Bearer {key}"})
        issued = self.client.post("/credentials/issue", json={"microCredential": EXAMPLE})
        assert issued.status_code == 201, issued.text[:300]
        self.body = {"verifiableCredential": issued.json()["verifiableCredential"]}
        assert self.client.post("/credentials/verify", json=self.body).status_code == 200
        self.times: list[float] = []
        self.failed = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            t0 = time.perf_counter()
            r = self.client.post("/credentials/verify", json=self.body)
            self.times.append((time.perf_counter() - t0) * 1000)
            self.failed += r.status_code != 200


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="items in the batch (default 10,000)")
    ap.add_argument("--postgres", action="store_true", help="PostgreSQL scratch database instead of SQLite")
    ap.add_argument("--processes", type=int, default=os.cpu_count(), help="signing processes (default: cores)")
    ap.add_argument("--chunk", type=int, default=100, help="items per job (MCRED_BATCH_CHUNK, default 100)")
    args = ap.parse_args()

    print(f"mcred batch benchmark, {datetime.now().isoformat(timespec='seconds')}")
    print_machine(machine_info())
    kind = "postgres" if args.postgres else "sqlite"
    with bench_setup(kind) as (wd, db, keys_dir, port, settings, key):
        one = sign_ms(settings)
        print(f"database: {kind}, {args.n} items, chunks of {args.chunk}, 1 worker with {args.processes} "
              f"signing processes; signing one credential in one process: {one:.1f} ms\n")
        items = []
        for i in range(args.n):
            item = copy.deepcopy(EXAMPLE)
            item["learner"]["reference"] = f"ST-BENCH-{i:05d}"
            items.append(item)
        env = {**os.environ, "MCRED_DATABASE_URL": db.url, "MCRED_KEYS_DIR": str(keys_dir),
               "MCRED_PUBLIC_URL": f"http://127.0.0.1:{port}", "MCRED_BATCH_CHUNK": str(args.chunk),
               "PYTHONPATH": str(ROOT)}
        os.environ["MCRED_BATCH_CHUNK"] = str(args.chunk)  # the service stores the chunk size with the batch
        with running_service(db.url, keys_dir, port) as base:
            worker = subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--processes",
                                       str(args.processes)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
            log: list[str] = []
            threading.Thread(target=lambda: log.extend(worker.stderr), daemon=True).start()
            server = next(p for p in tree(os.getpid()) if p not in (os.getpid(), worker.pid)
                          and "uvicorn" in Path(f"/proc/{p}/cmdline").read_text())
            time.sleep(5)  # the worker's signing processes start (and load the contexts) before the clock starts
            sampler, server_sampler = Sampler(worker.pid), Sampler(server)
            sampler.sample(), server_sampler.sample()
            cpu0 = {p: cpu_seconds(p) for p in tree(worker.pid) + [server]}
            pg0, busy0 = postgres_cpu(), machine_busy()
            sampler.start(), server_sampler.start()
            client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=600)
            bystander = Bystander(base, key)
            # the body is serialised before the clock starts: the POST's time is the service's, not the client's
            # json.dumps of 32 MB on the same two cores
            body = json.dumps({"items": items, "mode": "partial"}, ensure_ascii=False).encode()
            bystander.start()
            t0 = time.perf_counter()
            response = client.post("/credentials/batches", content=body,
                                   headers={"Content-Type": "application/json"})
            t_post = time.perf_counter() - t0
            if response.status_code != 202:
                raise SystemExit(f"batch refused: {response.status_code} {response.text[:500]}")
            del items, body
            url = response.headers["location"].removeprefix(base)
            while True:
                state = client.get(url, params={"limit": 1}).json()
                if state["state"] == "done":
                    break
                time.sleep(0.2)
            t_done = time.perf_counter() - t0
            bystander.stop.set()
            bystander.join()
            sampler.stop.set(), server_sampler.stop.set()
            sampler.join(), server_sampler.join()
            pg_cpu, busy1 = postgres_cpu() - pg0, machine_busy()
            worker.terminate()
            worker.wait(timeout=60)
        counts = state["counts"]
        if counts["issued"] != args.n:
            raise SystemExit(f"not every item was issued: {counts}")
        signers = [p for p in sampler.hwm if p != worker.pid]

        def cpu(pids, s: Sampler) -> float:
            return sum(s.cpu.get(p, 0.0) - cpu0.get(p, 0.0) for p in pids)

        busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
        print_table(["measure", "value"], [
            ["POST /credentials/batches (validate + store 10k items)" if args.n == 10_000 else "POST", f"{t_post:.1f} s"],
            ["POST to last credential stored", f"{t_done:.1f} s"],
            ["credentials/s (end to end)", f"{args.n / t_done:.1f}"],
            ["credentials/s (after the POST)", f"{args.n / (t_done - t_post):.1f}"],
            ["worker tree peak RSS (sum, sampled)", f"{sampler.peak_sum / 1024:.0f} MiB"],
            ["worker process peak RSS (VmHWM)", f"{sampler.hwm[worker.pid] / 1024:.0f} MiB"],
            ["largest signing process peak RSS (VmHWM)", f"{max(sampler.hwm[p] for p in signers) / 1024:.0f} MiB"],
            ["service process peak RSS (VmHWM)", f"{server_sampler.hwm[server] / 1024:.0f} MiB"],
            ["CPU: signing processes", f"{cpu(signers, sampler):.1f} s"],
            ["CPU: worker process (claim, store, orchestration)", f"{cpu([worker.pid], sampler):.1f} s"],
            ["CPU: service (validation, insert, polling)", f"{cpu([server], server_sampler):.1f} s"],
            ["CPU: PostgreSQL (all backends)" if args.postgres else "CPU: PostgreSQL", f"{pg_cpu:.1f} s"],
            ["machine busy during the run (all processes, all cores)", f"{busy:.0%}"],
            ["an ordinary verification meanwhile (every 50 ms): p50 / p99 / max",
             f"{pct(bystander.times, 50):.0f} / {pct(bystander.times, 99):.0f} / {max(bystander.times):.0f} ms "
             f"(n={len(bystander.times)}{', ' + str(bystander.failed) + ' not 200' if bystander.failed else ''})"],
            [f"best possible on {os.cpu_count()} cores: signing alone ({one:.1f} ms x n / cores)",
             f"{one * args.n / 1000 / os.cpu_count():.1f} s"],
        ])
        chunks = [line for line in log if "items" in line and "claim" in line]
        print(f"\nworker: {len(chunks)} chunks; last: {chunks[-1].strip() if chunks else '-'}")


if __name__ == "__main__":
    main()
