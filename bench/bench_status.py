"""Status lists at scale: revocation, publishing and allocation with a million credentials in the database.

    PYTHONPATH=. .venv/bin/python bench/bench_status.py [--sqlite] [--credentials 1000000] [--small 10000]
                                                       [--revocations 200] [--gets 200] [--concurrency 4]

Against a scratch PostgreSQL database ``mcred_bench_<hex>`` (dropped at the end), or a SQLite file with --sqlite.

SYNTHETIC ROWS: signing a million credentials would take hours (~30 ms each), so the credentials are bulk-inserted
directly (PostgreSQL COPY, SQLite executemany): real ``credentials`` rows with a small placeholder ``document``
(``{"synthetic": true}``) and real ``status_entries`` with distinct random indexes and ``set = false`` (the bit),
spread evenly over 8 revocation lists of 131,072 entries (1,048,576 slots). Lists that end up >= 95 % used
(``status_lists.CLOSE_AT``; 1M credentials fill each to 95.4 %) are marked ``full``, as allocate() would have done.
No audit events are written for them. Everything *measured* goes
through the real HTTP service (uvicorn subprocess, ``app.main:create_app``), except the allocation figures, which
call ``app.storage.status_lists.allocate`` in-process against the same database (and are cross-checked by issuing
real credentials over HTTP).

Phases:
  1. --small credentials (default 10k): revoke p50/p95, GET-after-change (re-sign) p50/p95.
  2. top up to --credentials (default 1M), ANALYZE, then:
     (a) POST /credentials/{id}/revoke on random credentials, single client;
     (b) GET /status/... first after a change (re-sign), cached (no change), If-None-Match (304);
     (c) GET-after-change at 10k vs 1M credentials (same list size);
     (d) concurrent revocations on one list (--concurrency clients), then the integrity check on every list:
         credentials revoked in the DB == entries with ``set`` == bits set in the published list, and the list's
         version == 1 + its status changes (a lost update would show here).
  3. allocation (issue-time index draw) on one list at 0 / 50 / 90 / 94 / 95 % full: in-process allocate()
     p50/p95/max, how often it fell back to reading the used slots and how often it closed the list and moved to a
     new one (rolled back); HTTP issue p50/p95 at 0 %, 90 % and 94 %, then at 95 %: issues until the list is closed
     and the new list takes over.
"""

from __future__ import annotations

import argparse
import math
import random
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from _common import (
    create_tenant,
    machine_info,
    pct,
    print_machine,
    print_table,
    running_service,
    scratch_service,
)
from sqlalchemy import event, func, insert, select, text, update

from app.db.models import Credential, Institution, StatusEntry, StatusList
from app.db.session import make_engine, make_session_factory
from app.domain import bitstring
from app.domain.microcredential import EXAMPLE
from app.domain.timefmt import utcnow
from app.storage import status_lists as lists

LIST_SIZE = bitstring.MIN_ENTRIES  # 131,072
N_LISTS = 8
SLUG = "bench-universitate"
ALLOC_SLUG = "bench-allocation"
PLACEHOLDER = '{"synthetic": true, "note": "bulk-inserted by bench/bench_status.py, not a signed credential"}'

CRED_COLS = ["id", "uri", "institution_id", "learner_ref", "learner_name", "title", "document", "issued_at",
             "valid_from", "valid_until", "download_token", "verify_token", "batch_id", "created_at", "status"]


# --- bulk loading (synthetic rows) --------------------------------------------------------------------------------


def _cols(cols: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in cols)


class Loader:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine, kind: str):
        self.engine, self.kind = engine, kind
        self.counter = 0

    def credential_rows(self, institution_id: int, n: int) -> tuple[list[str], list[tuple]]:
        now = datetime.now(UTC)
        ids, rows = [], []
        for _ in range(n):
            self.counter += 1
            cid = str(uuid.uuid4())
            issued = now - timedelta(seconds=self.counter)
            ids.append(cid)
            rows.append((cid, f"urn:uuid:{cid}", institution_id, f"SYN-{self.counter:07d}", None,
                         "Synthetic credential", PLACEHOLDER, issued, issued, None,
                         f"syn-dl-{self.counter}-{secrets.token_hex(8)}", f"syn-vf-{self.counter}-{secrets.token_hex(8)}",
                         None, issued, "active"))
        return ids, rows

    def copy(self, table: str, cols: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.kind == "postgres":
            raw = self.engine.raw_connection()
            try:
                with raw.cursor() as cur, cur.copy(f"COPY {table} ({_cols(cols)}) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
                raw.commit()
            finally:
                raw.close()
        else:
            raw = self.engine.raw_connection()
            try:
                conv = [tuple(v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in r) for r in rows]
                raw.cursor().executemany(
                    f"INSERT INTO {table} ({_cols(cols)}) VALUES ({', '.join('?' for _ in cols)})", conv)
                raw.commit()
            finally:
                raw.close()

    def credentials(self, institution_id: int, n: int, chunk: int = 100_000) -> list[str]:
        out = []
        for start in range(0, n, chunk):
            ids, rows = self.credential_rows(institution_id, min(chunk, n - start))
            self.copy("credentials", CRED_COLS, rows)
            out.extend(ids)
        return out

    def entries(self, rows: list[tuple], chunk: int = 200_000) -> None:
        """(list_id, idx, credential_id) rows, inserted with ``set = false`` (status active)."""
        for start in range(0, len(rows), chunk):
            self.copy("status_entries", ["list_id", "idx", "credential_id", "set"],
                      [(*r, False) for r in rows[start:start + chunk]])


def make_lists(engine, institution_id: int, n: int) -> list[int]:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for seq in range(1, n + 1):
            conn.execute(insert(StatusList.__table__).values(
                institution_id=institution_id, purpose="revocation", seq=seq, size=LIST_SIZE,
                full=False, version=1, created_at=now))
        return list(conn.execute(select(StatusList.id).where(StatusList.institution_id == institution_id)
                                 .order_by(StatusList.seq)).scalars())


def close_full_lists(engine, list_ids: list[int]) -> int:
    """Mark lists that are >= CLOSE_AT used as full, as allocate() does when it finds one; returns how many."""
    closed = 0
    with engine.begin() as conn:
        for lid in list_ids:
            used = conn.execute(select(func.count()).select_from(StatusEntry)
                                .where(StatusEntry.list_id == lid)).scalar_one()
            if used >= LIST_SIZE * lists.CLOSE_AT:
                conn.execute(update(StatusList).where(StatusList.id == lid).values(full=True))
                closed += 1
    return closed


def analyze(engine, kind: str) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


# --- HTTP measurements --------------------------------------------------------------------------------------------


def revoke(client: httpx.Client, cid: str) -> float:
    t0 = time.perf_counter()
    r = client.post(f"/credentials/{cid}/revoke", json={"reason": "fraud"})
    elapsed = time.perf_counter() - t0
    if r.status_code != 200 or r.json()["status"] != "revoked":
        raise RuntimeError(f"revoke failed: {r.status_code} {r.text[:300]}")
    return elapsed


def get_list(client: httpx.Client, seq: int, etag: str | None = None) -> tuple[float, httpx.Response]:
    headers = {"If-None-Match": etag} if etag else {}
    t0 = time.perf_counter()
    r = client.get(f"/status/{SLUG}/revocation/{seq}", headers=headers)
    elapsed = time.perf_counter() - t0
    if r.status_code not in (200, 304):
        raise RuntimeError(f"GET list failed: {r.status_code} {r.text[:300]}")
    return elapsed, r


def revoke_then_get(client: httpx.Client, pool: list[tuple[str, int]], n: int) -> tuple[list[float], list[float]]:
    """n times: revoke a credential, then time the first GET of its list (which re-signs)."""
    rev, first = [], []
    for cid, seq in pool[:n]:
        rev.append(revoke(client, cid))
        t, r = get_list(client, seq)
        if r.status_code != 200:
            raise RuntimeError("expected a fresh list")
        first.append(t)
    del pool[:n]
    return rev, first


def lookups(client: httpx.Client, refs: list[str]) -> tuple[list[float], list[float]]:
    """GET /credentials?learnerRef=... (one learner) and GET /credentials (first page), timed."""
    by_ref, page = [], []
    for ref in refs:
        t0 = time.perf_counter()
        r = client.get("/credentials", params={"learnerRef": ref})
        by_ref.append(time.perf_counter() - t0)
        if r.status_code != 200 or r.json()["count"] != 1:
            raise RuntimeError(f"lookup failed: {r.status_code} {r.text[:300]}")
        t0 = time.perf_counter()
        r = client.get("/credentials", params={"limit": 100})
        page.append(time.perf_counter() - t0)
        if r.status_code != 200:
            raise RuntimeError(f"listing failed: {r.status_code} {r.text[:300]}")
    return by_ref, page


def ms(values, p) -> str:
    return f"{pct(values, p) * 1000:.1f}"


# --- allocation ---------------------------------------------------------------------------------------------------


class QueryCounter:
    """Counts the fallback query of allocate() (reading every allocated index of the list)."""

    def __init__(self, engine):
        self.fallbacks = 0

        @event.listens_for(engine, "before_cursor_execute")
        def _count(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT STATUS_ENTRIES.IDX"):
                self.fallbacks += 1


def fill_list(engine, loader: Loader, list_id: int, credential_id: str, target: int) -> None:
    with engine.connect() as conn:
        used = set(conn.execute(select(StatusEntry.idx).where(StatusEntry.list_id == list_id)).scalars())
    need = target - len(used)
    if need <= 0:
        return
    free = [i for i in range(LIST_SIZE) if i not in used]
    loader.entries([(list_id, i, credential_id) for i in random.sample(free, need)])


def measure_allocate(factory, counter: QueryCounter, inst_id: int, credential_id: str, n: int, list_id: int):
    """n allocate() calls, each rolled back; returns (times, fallbacks, calls that closed the list and moved on)."""
    times, before, moved = [], counter.fallbacks, 0
    for _ in range(n):
        with factory() as session:
            inst = session.get(Institution, inst_id)
            # Issuing INSERTs the credential before it allocates, so its savepoints run inside an open transaction.
            # Do a no-op write first for the same reason: on SQLite (pysqlite) a SAVEPOINT outside a transaction
            # starts one and its RELEASE commits it, so the rollback below would not undo the claimed index.
            session.execute(update(Institution).where(Institution.id == inst_id).values(slug=Institution.slug))
            t0 = time.perf_counter()
            lst, _index = lists.allocate(session, inst, "revocation", credential_id, now=utcnow())
            times.append(time.perf_counter() - t0)
            moved += lst.id != list_id
            session.rollback()
    return times, counter.fallbacks - before, moved


def issue_one(client: httpx.Client) -> tuple[float, int]:
    """One real issue; returns (latency, seq of the revocation list its status entry landed on)."""
    t0 = time.perf_counter()
    r = client.post("/credentials/issue", json={"microCredential": EXAMPLE})
    elapsed = time.perf_counter() - t0
    if r.status_code != 201:
        raise RuntimeError(f"issue failed: {r.status_code} {r.text[:300]}")
    status = r.json()["verifiableCredential"]["credentialStatus"]
    entry = next(e for e in (status if isinstance(status, list) else [status]) if e["statusPurpose"] == "revocation")
    return elapsed, int(entry["statusListCredential"].rstrip("/").rsplit("/", 1)[1])


def issue_http(base: str, key: str, n: int) -> list[tuple[float, int]]:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as c:
        return [issue_one(c) for _ in range(n)]


def explain(engine, kind: str, list_id: int, inst_id: int) -> dict[str, str]:
    """Query plans (PostgreSQL: EXPLAIN ANALYZE) of publishing's bits_of() and of the learnerRef lookup."""
    queries = {
        "bits_of (publish)": (select(StatusEntry.idx).where(StatusEntry.list_id == list_id,
                                                            StatusEntry.set.is_(True))),
        "learnerRef lookup": (select(Credential.id).where(Credential.institution_id == inst_id,
                                                          Credential.learner_ref == "SYN-0500000")),
    }
    out = {}
    with engine.connect() as conn:
        for name, q in queries.items():
            sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if kind == "postgres" else "EXPLAIN QUERY PLAN "
            rows = conn.execute(text(prefix + sql)).all()
            out[name] = "\n".join("    " + (r[0] if kind == "postgres" else str(r[-1])) for r in rows)
    return out


# --- main ---------------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite", action="store_true", help="SQLite file instead of PostgreSQL")
    ap.add_argument("--credentials", type=int, default=1_000_000, help="credentials at full scale (default 1M)")
    ap.add_argument("--small", type=int, default=10_000, help="credentials at small scale (default 10k)")
    ap.add_argument("--revocations", type=int, default=200, help="revocations measured at full scale (default 200)")
    ap.add_argument("--gets", type=int, default=200, help="cached GETs / 304s measured (default 200)")
    ap.add_argument("--resigns", type=int, default=50, help="GET-after-change samples per scale (default 50)")
    ap.add_argument("--lookups", type=int, default=20, help="credential list/lookup requests per scale (default 20)")
    ap.add_argument("--concurrency", type=int, default=4, help="clients for the concurrent revocations (default 4)")
    ap.add_argument("--alloc-n", type=int, default=200, help="allocate() calls per fill level (default 200)")
    ap.add_argument("--issue-n", type=int, default=40, help="HTTP issues per fill level (default 40)")
    ap.add_argument("--close-cap", type=int, default=1000,
                    help="at most this many issues at 95 %% waiting for the list to close (default 1000)")
    args = ap.parse_args()
    if args.credentials > N_LISTS * LIST_SIZE or args.small > args.credentials:
        ap.error(f"--credentials must be at most {N_LISTS * LIST_SIZE} and at least --small")

    kind = "sqlite" if args.sqlite else "postgres"
    print(f"mcred status list benchmark, {datetime.now().isoformat(timespec='seconds')}")
    print_machine(machine_info())
    print("NOTE: the credential and status-entry rows are SYNTHETIC (bulk-inserted, placeholder documents, not "
          "signed);\n      every status change and status-list fetch below goes through the real HTTP service.")
    rnd = random.Random(20261125)

    with scratch_service(kind) as (wd, db, keys_dir, port, settings):
        try:
            key = create_tenant(settings, SLUG, suspension=False)
            alloc_key = create_tenant(settings, ALLOC_SLUG, suspension=False)
            engine = make_engine(db.url)
            factory = make_session_factory(engine)
            loader = Loader(engine, kind)
            with engine.connect() as conn:
                inst_id = conn.execute(select(Institution.id).where(Institution.slug == SLUG)).scalar_one()
                alloc_inst_id = conn.execute(select(Institution.id).where(Institution.slug == ALLOC_SLUG)).scalar_one()
            list_ids = make_lists(engine, inst_id, N_LISTS)
            per_list = [args.credentials // N_LISTS + (1 if i < args.credentials % N_LISTS else 0)
                        for i in range(N_LISTS)]
            slots = [rnd.sample(range(LIST_SIZE), per_list[i]) for i in range(N_LISTS)]
            taken = [0] * N_LISTS
            where: dict[str, int] = {}  # credential id -> list seq

            def load(total: int) -> float:
                t0 = time.perf_counter()
                have = len(where)
                want = total - have
                ids = loader.credentials(inst_id, want)
                entries = []
                for n, cid in enumerate(ids):
                    k = (have + n) % N_LISTS
                    entries.append((list_ids[k], slots[k][taken[k]], cid))
                    taken[k] += 1
                    where[cid] = k + 1
                loader.entries(entries)
                analyze(engine, kind)
                return time.perf_counter() - t0

            print(f"\ndatabase: {kind} ({db.url.split('@')[-1]}); {N_LISTS} revocation lists of {LIST_SIZE:,} entries")
            t_small = load(args.small)
            print(f"loaded {args.small:,} synthetic credentials + status entries in {t_small:.1f} s")

            with running_service(db.url, keys_dir, port) as base:
                client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300)
                # Warm-up (first request of each kind; first signing of every list).
                for seq in range(1, N_LISTS + 1):
                    get_list(client, seq)
                pool = list(where.items())
                rnd.shuffle(pool)
                phase1_revoked = [cid for cid, _ in pool[:10 + args.resigns]]
                revoke_then_get(client, pool, 10)  # warm-up of the revoke / re-sign code paths

                # ---- phase 1: small scale
                rev_small, first_small = revoke_then_get(client, pool, args.resigns)
                ref_small, page_small = lookups(client, [f"SYN-{rnd.randint(1, args.small):07d}"
                                                         for _ in range(args.lookups)])
                print(f"[{args.small:,}] revoke p50 {ms(rev_small, 50)} ms, GET-after-change p50 "
                      f"{ms(first_small, 50)} ms")

                # ---- phase 2: full scale
                client.close()
                t_big = load(args.credentials)
                print(f"loaded up to {len(where):,} synthetic credentials in {t_big:.1f} s "
                      f"(lists now {per_list[0] / LIST_SIZE:.1%} allocated)")
                with engine.connect() as conn:
                    n_creds = conn.execute(select(func.count()).select_from(Credential)).scalar_one()
                    n_entries = conn.execute(select(func.count()).select_from(StatusEntry)).scalar_one()
                print(f"database now holds {n_creds:,} credentials and {n_entries:,} status entries")
                client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300)
                get_list(client, 1)  # new connection, same server process
                closed = close_full_lists(engine, list_ids)
                print(f"lists >= {lists.CLOSE_AT:.0%} used marked full (as allocate() would): {closed} of {N_LISTS}")
                # Credentials already revoked in phase 1 stay out of the pool (re-revoking is an idempotent no-op).
                already = set(phase1_revoked)
                pool = [(cid, seq) for cid, seq in where.items() if cid not in already]
                rnd.shuffle(pool)
                # (a) revocations on random credentials (no GET in between)
                rev_big = []
                for cid, _seq in pool[:args.revocations]:
                    rev_big.append(revoke(client, cid))
                    already.add(cid)
                del pool[:args.revocations]
                pool = [p for p in pool if p[0] not in already]
                # (c) GET-after-change at full scale
                _, first_big = revoke_then_get(client, pool, args.resigns)
                ref_big, page_big = lookups(client, [f"SYN-{rnd.randint(1, len(where)):07d}"
                                                     for _ in range(args.lookups)])
                # (b) cached GETs and 304s of list 1
                get_list(client, 1)
                cached, sizes = [], set()
                for _ in range(args.gets):
                    t, r = get_list(client, 1)
                    cached.append(t)
                    sizes.add(len(r.content))
                etag = r.headers["etag"]
                not_modified = []
                for _ in range(args.gets):
                    t, r = get_list(client, 1, etag)
                    if r.status_code != 304:
                        raise RuntimeError("expected 304")
                    not_modified.append(t)

                # (d) concurrent revocations on one list, then the integrity check
                target = [cid for cid, seq in pool if seq == 2][: args.concurrency * 25]
                pool = [p for p in pool if p[0] not in set(target)]
                conc_lat: list[float] = []
                lock = threading.Lock()
                errors: list[BaseException] = []
                barrier = threading.Barrier(args.concurrency + 1)

                def worker(mine: list[str]):
                    got = []
                    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300) as c:
                        c.get("/health")
                        barrier.wait()
                        try:
                            for cid in mine:
                                got.append(revoke(c, cid))
                        except BaseException as exc:  # noqa: BLE001 - re-raised by the caller
                            errors.append(exc)
                    with lock:
                        conc_lat.extend(got)

                threads = [threading.Thread(target=worker, args=(target[i::args.concurrency],))
                           for i in range(args.concurrency)]
                for t in threads:
                    t.start()
                barrier.wait()
                t0 = time.perf_counter()
                for t in threads:
                    t.join()
                conc_wall = time.perf_counter() - t0
                if errors:
                    raise errors[0]
                # Integrity check on every list: revoked in the DB == `set` flags == published bits, and no lost
                # version bumps (each revocation of an active credential bumps its list's version once).
                integrity = []
                for seq, lid in enumerate(list_ids, start=1):
                    _, r = get_list(client, seq)
                    encoded = r.json()["credentialSubject"]["encodedList"]
                    raw = bitstring.decode(encoded)
                    published = {i for i in range(LIST_SIZE) if bitstring.get_bit(raw, i)}
                    with engine.connect() as conn:
                        revoked_idx = set(conn.execute(
                            select(StatusEntry.idx).join(Credential, Credential.id == StatusEntry.credential_id)
                            .where(StatusEntry.list_id == lid, Credential.status == "revoked")).scalars())
                        set_idx = set(conn.execute(select(StatusEntry.idx).where(
                            StatusEntry.list_id == lid, StatusEntry.set.is_(True))).scalars())
                        version = conn.execute(select(StatusList.version).where(StatusList.id == lid)).scalar_one()
                    integrity.append({"seq": seq, "revoked": len(revoked_idx), "set": len(set_idx),
                                      "published": len(published),
                                      "missing": len(revoked_idx - published),  # revoked, bit not published
                                      "extra": len(published - revoked_idx),  # bit published, not revoked
                                      "flags_vs_db": len(revoked_idx ^ set_idx),
                                      "version": version, "expected_version": 1 + len(revoked_idx),
                                      "bytes": len(r.content)})
                lost = sum(row["missing"] for row in integrity)
                client.close()

                # ---- phase 3: allocation at fill levels (its own institution and list)
                counter = QueryCounter(engine)
                dummy = loader.credentials(alloc_inst_id, 1)[0]  # every filler entry points at it
                alloc_rows, issue_rows = [], []
                alloc_list_id = None
                for level in (0.0, 0.5, 0.9, 0.94, lists.CLOSE_AT):
                    if alloc_list_id is None:
                        # The first issue creates the list, exactly as in production.
                        issue_rows.append(["0%", [t for t, _ in issue_http(base, alloc_key, args.issue_n)]])
                        with engine.connect() as conn:
                            alloc_list_id = conn.execute(select(StatusList.id).where(
                                StatusList.institution_id == alloc_inst_id)).scalar_one()
                    fill_list(engine, loader, alloc_list_id, dummy, math.ceil(LIST_SIZE * level))
                    analyze(engine, kind)
                    with engine.connect() as conn:
                        used = conn.execute(select(func.count()).select_from(StatusEntry)
                                            .where(StatusEntry.list_id == alloc_list_id)).scalar_one()
                    times, fallbacks, moved = measure_allocate(factory, counter, alloc_inst_id, dummy, args.alloc_n,
                                                               alloc_list_id)
                    alloc_rows.append([f"{used / LIST_SIZE:.1%}", f"{used:,}", ms(times, 50), ms(times, 95),
                                       f"{max(times) * 1000:.1f}", f"{fallbacks}/{args.alloc_n}",
                                       f"{(used / LIST_SIZE) ** lists.RANDOM_PROBES:.1%}",
                                       f"{moved}/{args.alloc_n}"])
                    if level in (0.9, 0.94):
                        issue_rows.append([f"{used / LIST_SIZE:.1%}",
                                           [t for t, _ in issue_http(base, alloc_key, args.issue_n)]])
                # At CLOSE_AT: real issues until one of them finds the list >= 95 % used and closes it.
                before_close, closing, after_close = [], None, []
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {alloc_key}"},
                                  timeout=120) as c:
                    for _ in range(args.close_cap):
                        t, seq = issue_one(c)
                        if seq == 1:
                            before_close.append(t)
                        else:
                            closing = (t, seq)
                            break
                    if closing is not None:
                        after_close = [issue_one(c)[0] for _ in range(args.issue_n)]
                with engine.connect() as conn:
                    alloc_lists = conn.execute(select(StatusList.seq, StatusList.full, func.count(StatusEntry.id))
                                               .join(StatusEntry, StatusEntry.list_id == StatusList.id)
                                               .where(StatusList.institution_id == alloc_inst_id)
                                               .group_by(StatusList.seq, StatusList.full)
                                               .order_by(StatusList.seq)).all()
                if before_close:
                    issue_rows.append([f"{lists.CLOSE_AT:.1%}, list 1 still open", before_close])
                if after_close:
                    issue_rows.append(["after the close: new list 2", after_close])

                # Query plans of the two queries the fixes touch (publishing's bits_of, the learner lookup).
                plans = explain(engine, kind, list_ids[0], inst_id)
        finally:
            try:
                engine.dispose()
            except NameError:
                pass

    # ---- report
    print("\nStatus lists through HTTP (single client unless stated); list size 131,072; rows synthetic:")
    print_table(["measurement", "credentials in DB", "p50 ms", "p95 ms", "n"], [
        ["(a) POST /credentials/{id}/revoke", f"{args.small:,}", ms(rev_small, 50), ms(rev_small, 95), len(rev_small)],
        ["(a) POST /credentials/{id}/revoke", f"{n_creds:,}", ms(rev_big, 50), ms(rev_big, 95), len(rev_big)],
        ["(b) GET list, cached (200, no change)", f"{n_creds:,}", ms(cached, 50), ms(cached, 95), len(cached)],
        ["(b) GET list, If-None-Match (304)", f"{n_creds:,}", ms(not_modified, 50), ms(not_modified, 95),
         len(not_modified)],
        ["(c) GET list, first after change (re-sign)", f"{args.small:,}", ms(first_small, 50), ms(first_small, 95),
         len(first_small)],
        ["(c) GET list, first after change (re-sign)", f"{n_creds:,}", ms(first_big, 50), ms(first_big, 95),
         len(first_big)],
        [f"(d) revoke, {args.concurrency} clients on one list", f"{n_creds:,}", ms(conc_lat, 50), ms(conc_lat, 95),
         len(conc_lat)],
        ["(e) GET /credentials?learnerRef=<one learner>", f"{args.small:,}", ms(ref_small, 50), ms(ref_small, 95),
         len(ref_small)],
        ["(e) GET /credentials?learnerRef=<one learner>", f"{n_creds:,}", ms(ref_big, 50), ms(ref_big, 95),
         len(ref_big)],
        ["(e) GET /credentials?limit=100 (first page)", f"{args.small:,}", ms(page_small, 50), ms(page_small, 95),
         len(page_small)],
        ["(e) GET /credentials?limit=100 (first page)", f"{n_creds:,}", ms(page_big, 50), ms(page_big, 95),
         len(page_big)],
    ])
    ratio = pct(first_big, 50) / pct(first_small, 50)
    print(f"  list credential size: {', '.join(f'{s:,}' for s in sorted(sizes))} bytes; "
          f"re-sign p50 at {n_creds:,} / at {args.small:,} credentials = {ratio:.2f}x")
    d = integrity[1]
    print(f"  (d) {len(target)} concurrent revocations in {conc_wall:.2f} s ({len(target) / conc_wall:.1f}/s); "
          f"list 2 afterwards: {d['revoked']} credentials revoked in the DB, {d['set']} entries with set=true, "
          f"{d['published']} bits set in the published list, version {d['version']} "
          f"(expected {d['expected_version']})")
    print("\nIntegrity check, every list (DB revoked credentials vs `set` flags vs published bits):")
    print_table(["list", "revoked in DB", "set flags", "published bits", "revoked, bit missing",
                 "bit set, not revoked", "flags != DB", "version", "expected version"],
                [[r["seq"], r["revoked"], r["set"], r["published"], r["missing"], r["extra"], r["flags_vs_db"],
                  r["version"], r["expected_version"]] for r in integrity])
    bad = [r for r in integrity if r["missing"] or r["extra"] or r["flags_vs_db"]
           or r["version"] != r["expected_version"]]
    total = sum(r["revoked"] for r in integrity)
    if lost:
        print(f"  !! LOST UPDATES: {lost} revoked credentials are NOT marked in the published status lists")
    if bad:
        print(f"  !! {len(bad)} list(s) inconsistent: {[r['seq'] for r in bad]}")
    else:
        print(f"  integrity OK: all {total} revoked credentials have their bit set in the published lists, no other "
              f"bit is set, and every version bump is there")

    print(f"\nIssue-time index allocation on one list (in-process allocate(), real DB, rolled back; "
          f"RANDOM_PROBES={lists.RANDOM_PROBES}, CLOSE_AT={lists.CLOSE_AT:.0%}):")
    print_table(["list full", "allocated", "p50 ms", "p95 ms", "max ms", "fell back to used-slot read",
                 f"expected (used/size)^{lists.RANDOM_PROBES}", "closed list, moved to a new one"], alloc_rows)
    print("HTTP POST /credentials/issue on that list (real credentials, signed):")
    print_table(["list full", "p50 ms", "p95 ms", "max ms", "n"],
                [[lvl, ms(t, 50), ms(t, 95), f"{max(t) * 1000:.1f}", len(t)] for lvl, t in issue_rows])
    if closing:
        print(f"  at {lists.CLOSE_AT:.0%}: issue #{len(before_close) + 1} closed list 1 and went to list {closing[1]} "
              f"({closing[0] * 1000:.1f} ms: every probe missed, used-slot read, list marked full, new list started)")
    else:
        print(f"  !! list 1 was not closed after {len(before_close)} issues at {lists.CLOSE_AT:.0%}")
    print("  allocation institution's lists afterwards: " + "; ".join(
        f"list {seq}: {n:,} entries ({n / LIST_SIZE:.1%}){', full' if full else ', open'}"
        for seq, full, n in alloc_lists))
    print("\nQuery plans at full scale:")
    for name, plan in plans.items():
        print(f"  {name}:\n{plan}")
    print(f"load times: {args.small:,} credentials {t_small:.1f} s, up to {n_creds:,} {t_big:.1f} s")


if __name__ == "__main__":
    main()
