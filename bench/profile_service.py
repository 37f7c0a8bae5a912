"""Where a request's time goes in the running service: py-spy samples a uvicorn process under load.

    PYTHONPATH=. .venv/bin/python bench/profile_service.py [--endpoint issue|verify|page] [--seconds 20]
        [--rate 250] [--postgres] [--raw PATH] [--speedscope PATH]

Starts the service as the other benchmarks do (``_common.service_processes``: a uvicorn subprocess on a scratch
database, an institution with suspension), warms it up, then lets ``py-spy record`` (``pip install py-spy``) sample
the service process for ``--seconds`` while one client sends the request back to back:

  * ``issue``: ``POST /credentials/issue`` with ``{"microCredential": EXAMPLE}`` (one credential, SQLite);
  * ``verify``: ``POST /credentials/verify`` of the credentials the service issued (``--pool`` of them, issued
    beforehand, in turn);
  * ``page``: ``GET /v/{token}`` of those credentials.

Only samples of the thread holding the GIL are counted (``--gil``: waiting in epoll, on a lock or for the GIL is not
work): the table is the split of the service's Python CPU time. Each sample is put in the first *stage* found from the root of its stack (authentication,
body parsing, validation, building, status allocation, the read-back, signing, storage, commit, the response, ...)
and in the deepest *step* (JSON-LD expansion, RDF statements, a template's shape and fill, canonicalization, Ed25519, SQLAlchemy, SQLite,
pydantic, JSON); what matches no stage is the HTTP server and framework. The service's CPU seconds per request
(from /proc, all threads) are printed beside it: a figure the other users of a shared machine change less than the
wall-clock latency.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import bench_client, bench_setup, machine_info, pct, print_machine, print_table, service_processes

from app.domain.microcredential import EXAMPLE

# (stage, substrings of a frame "function (file:line)"); the first stage found from the root of a stack wins
STAGES = [
    ("authentication (API key)", ["authenticate (app/storage/api_keys"]),
    ("request body: read + JSON parse", ["read_json (app/api/deps", "json_body (app/api/deps"]),
    ("request model (pydantic)", ["body_of", "(app/api/models"]),
    ("validation: Annex I input", ["parse_micro_credential"]),
    ("building: ELM document", ["build_credential (app/domain/elm"]),
    ("building: summary", ["summarize (app/domain/elm"]),
    ("status allocation", ["allocate_entries (app/status"]),
    ("read-back (issue_vc)", ["states_as_intended", "prepare_unsigned_vc"]),
    ("signing key", ["active_key (app/storage", "signer (app/keystore"]),
    ("signing: create_proof", ["create_proof (app/domain/eddsa_rdfc_2022"]),
    ("verification", ["verify_credential (app/", "verify (app/api/verify", "verified (app/verifying"]),
    ("storage: row, audit, log", ["add (app/storage/credentials", "record (app/storage/audit",
                                  "credential_row (app/issuing", "on_commit (app/logs"]),
    ("wallet offer", ["open_offer (app/wallet"]),
    ("commit / session", ["get_session (app/api/deps", "commit (sqlalchemy", "flush (sqlalchemy"]),
    ("page: HTML", ["(jinja2", "render (app/", "TemplateResponse"]),
    ("response: validation + JSON", ["serialize_response (fastapi", "jsonable_encoder", "render (starlette",
                                     "_prepare_response_content"]),
]
# (step, substrings); the deepest step found wins
STEPS = [
    ("JSON-LD expansion", ["expand (app/domain/jsonld", "(pyld/jsonld.py"]),
    ("RDF statements", ["to_dataset (app/domain/rdfc", "add (app/domain/rdfc", "_object_to_rdf"]),
    ("template: shape", ["_shape (app/domain/rdf_templates", "walk (app/domain/rdf_templates",
                         "slot (app/domain/rdf_templates"]),
    ("template: fill + N-Quads", ["_nquads (app/domain/rdf_templates", "_filled (app/domain/rdf_templates",
                                  "serialize_nquad"]),
    ("RDFC-1.0", ["canonize (app/domain/rdfc", "(pyld/canon.py", "hash_n_degree", "hash_first_degree"]),
    ("Ed25519", ["sign (app/domain/keys", "verify_signature"]),
    ("SQLAlchemy", ["(sqlalchemy/"]),
    ("SQLite / psycopg", ["(sqlite3/", "execute (sqlalchemy/engine/default", "(psycopg/"]),
    ("pydantic", ["(pydantic/", "(pydantic_core"]),
    ("JSON", ["(json/", "dumps (", "loads ("]),
    ("copying", ["deepcopy", "(copy.py"]),
]


def classify(stack: list[str], table) -> str | None:
    found = None
    for frame in stack:
        for name, needles in table:
            if any(n in frame for n in needles):
                if table is STAGES:
                    return name
                found = name
    return found


def read_raw(path: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append((stack.split(";"), int(count)))
    return samples


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def service_pid(port: int) -> int:
    """The uvicorn process listening on ``port`` (a child of this process)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == me and b"uvicorn" in cmd and str(port).encode() in cmd:
                return int(entry.name)
    raise SystemExit("service process not found")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", choices=["issue", "verify", "page"], default="issue")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--rate", type=int, default=250)
    ap.add_argument("--pool", type=int, default=600, help="credentials issued beforehand for verify and page "
                    "(600: more than the verification memo keeps, so a proof is verified each time)")
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--raw", type=Path, help="keep py-spy's raw (collapsed stacks) output here")
    ap.add_argument("--speedscope", type=Path, help="also record a speedscope profile here (a second run)")
    args = ap.parse_args()
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    print_machine(machine_info())
    kind = "postgres" if args.postgres else "sqlite"
    with bench_setup(kind) as (_, db, keys_dir, port, _settings, key), \
            service_processes(db.url, keys_dir, port) as bases:
        pid = service_pid(port)
        client = bench_client(bases[0], headers={"Authorization": f"Bearer {key}"})
        body = {"microCredential": EXAMPLE}

        def issue():
            r = client.post("/credentials/issue", json=body)
            assert r.status_code == 201, r.text[:300]
            return r.json()

        pool = [issue() for _ in range(20)]  # warm-up
        if args.endpoint != "issue":
            pool = [issue() for _ in range(args.pool)]
        tokens = [p["links"]["verification"].rsplit("/", 1)[1] for p in pool]
        counter = iter(range(10**9))

        def request():
            n = next(counter)
            if args.endpoint == "issue":
                issue()
            elif args.endpoint == "verify":
                r = client.post("/credentials/verify", json={"verifiableCredential": pool[n % len(pool)]
                                                             ["verifiableCredential"]})
                assert r.status_code == 200 and r.json()["verified"], r.text[:300]
            else:
                r = client.get(f"/v/{tokens[n % len(tokens)]}")
                assert r.status_code == 200, r.text[:300]

        for _ in range(20):
            request()

        def sample(fmt: str, out: Path):
            stop = threading.Event()
            latencies = []

            def load():
                while not stop.is_set():
                    t0 = time.perf_counter()
                    request()
                    latencies.append(time.perf_counter() - t0)

            cpu0 = cpu_seconds(pid)
            thread = threading.Thread(target=load)
            thread.start()
            subprocess.run([pyspy, "record", "--pid", str(pid), "--duration", str(args.seconds), "--rate",
                            str(args.rate), "--format", fmt, "--output", str(out), "--nonblocking", "--gil"],
                           check=True, capture_output=True)
            stop.set()
            thread.join()
            return latencies, cpu_seconds(pid) - cpu0

        tmp = Path(tempfile.mkdtemp(prefix="mcred-prof-"))
        raw = args.raw or tmp / "profile.txt"
        latencies, cpu = sample("raw", raw)
        if args.speedscope:
            sample("speedscope", args.speedscope)
        samples = read_raw(raw)
    total = sum(c for _, c in samples)
    n = len(latencies)
    print(f"\n{args.endpoint}: {n} requests in {args.seconds} s, one client; wall p50 {pct(latencies, 50) * 1000:.1f}"
          f" ms; service CPU {cpu / n * 1000:.1f} ms per request; {total} samples at {args.rate}/s")
    stages, steps = collections.Counter(), collections.Counter()
    pairs = collections.Counter()
    for stack, count in samples:
        stage = classify(stack, STAGES) or "HTTP server + framework (uvicorn, starlette, fastapi, anyio)"
        step = classify(stack, STEPS) or "-"
        stages[stage] += count
        steps[step] += count
        pairs[(stage, step)] += count
    per = cpu / n * 1000 / total if total else 0
    print_table(["stage", "share", "ms per request"],
                [[s, f"{c / total:.1%}", f"{c * per:.2f}"] for s, c in stages.most_common()])
    print_table(["step (deepest)", "share", "ms per request"],
                [[s, f"{c / total:.1%}", f"{c * per:.2f}"] for s, c in steps.most_common()])
    print_table(["stage", "step", "share"],
                [[a, b, f"{c / total:.1%}"] for (a, b), c in pairs.most_common(25)])


if __name__ == "__main__":
    main()
