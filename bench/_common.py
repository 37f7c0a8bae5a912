"""Shared helpers for the benchmark scripts: scratch databases, a real uvicorn server, statistics, machine info.

Not a test module. Everything here is throw-away scaffolding around the real service (``app.main:create_app``).
"""

from __future__ import annotations

import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import admin, status
from app.composition import build
from app.config import Settings
from app.db import migrate
from app.domain import elm, status_list
from app.domain.keys import Ed25519Signer, generate_private_key
from tests.liveserver import free_port, wait_for_health

SHARED = ROOT.parent / "shared" / "data"
PEER = Path(os.environ.get("MCRED_PEER_DIR", ROOT / ".peer" / "vc-peer"))  # Digital Bazaar's stack (scripts/test.sh)
PG_ADMIN_URL = os.environ.get("MCRED_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# --- machine ------------------------------------------------------------------------------------------------------


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}
    try:
        with create_engine(PG_ADMIN_URL).connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
    except Exception:  # noqa: BLE001 - PostgreSQL is optional for the SQLite runs
        info["postgresql"] = "unavailable"
    import sqlite3
    info["sqlite"] = sqlite3.sqlite_version
    return info


def print_machine(info: dict) -> None:
    print(f"machine : {info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['platform']}")
    print(f"          PostgreSQL {info['postgresql']}, SQLite {info['sqlite']}")


# --- statistics ---------------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Percentile by linear interpolation (values in any order)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary_ms(values: list[float]) -> str:
    """p50 / p95 / p99 / mean in milliseconds for latencies given in seconds."""
    ms = [v * 1000 for v in values]
    return (f"p50 {pct(ms, 50):7.1f}  p95 {pct(ms, 95):7.1f}  p99 {pct(ms, 99):7.1f}  "
            f"mean {statistics.fmean(ms):7.1f} ms  (n={len(ms)})")


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    print(line)
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    print(line)
    for r in cells:
        print("| " + " | ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(r, widths)) + " |")
    print(line)


def _numeric(s: str) -> bool:
    try:
        float(s.replace(",", "").rstrip("x%"))
        return True
    except ValueError:
        return False


# --- databases ----------------------------------------------------------------------------------------------------


@dataclass
class ScratchDB:
    url: str
    cleanup: callable


def scratch_database(kind: str, workdir: Path) -> ScratchDB:
    """A new empty database: ``sqlite`` (a file in workdir) or ``postgres`` (CREATE DATABASE mcred_bench_<hex>)."""
    if kind == "sqlite":
        path = workdir / "bench.sqlite3"
        return ScratchDB(f"sqlite:///{path}", lambda: None)
    name = f"mcred_bench_{secrets.token_hex(4)}"
    admin_engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]

    def drop():
        with admin_engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin_engine.dispose()

    return ScratchDB(f"{base}/{name}", drop)


def settings_for(url: str, keys_dir: Path, public_url: str) -> Settings:
    return replace(Settings(), database_url=url, keys_dir=keys_dir, public_url=public_url)


def create_tenant(settings: Settings, slug: str = "bench-universitate", *, suspension: bool = True) -> str:
    """Migrated DB + an institution (did:web) + an API key; returns the key."""
    runtime = build(settings)
    services = runtime.services
    with runtime.session_factory() as session:
        inst = admin.create_institution(session, services, slug=slug, country="LVA", did_method="web",
                                        legal_name={"lv": "Mērījumu Universitāte", "en": "Benchmark University"},
                                        homepage="https://bench.example.lv", registration="90000000000",
                                        suspension_enabled=suspension)
        key = admin.create_api_key(session, services, inst, "bench")
        session.commit()
    runtime.close()
    return key


BENCH_DID = "did:web:127.0.0.1:institutions:bench"


def bench_issuer() -> tuple[dict, Ed25519Signer]:
    """The benchmark institution as the ELM builder and the signer see it, for work in process: its organisation
    node and a signer with a fresh key."""
    org = elm.organisation({"legalName": {"lv": "Mērījumu Universitāte", "en": "Benchmark University"},
                            "country": "LVA", "did": BENCH_DID, "registration": "90000000000"})
    return org, Ed25519Signer(generate_private_key(), f"{BENCH_DID}#key-1")


def with_bench_status(unsigned: dict, index: int = 4711) -> dict:
    """The credential with a revocation and a suspension entry at ``index`` of a benchmark list, as the service
    adds them (app.status.with_entries)."""
    return status.with_entries(unsigned, [status_list.entry(f"http://127.0.0.1/status/bench/{purpose}/1", index,
                                                            purpose) for purpose in ("revocation", "suspension")])


# --- the real service ---------------------------------------------------------------------------------------------


@contextmanager
def workdir():
    path = Path(tempfile.mkdtemp(prefix="mcred-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def scratch_service(kind: str):
    """A scratch database of ``kind`` ("sqlite" or "postgres"), migrated; a key directory and a free port for the
    service. Yields (workdir, db, keys_dir, port, settings); everything is removed at the end."""
    with workdir() as wd:
        db = scratch_database(kind, wd)
        try:
            port = free_port()
            settings = settings_for(db.url, wd / "keys", f"http://127.0.0.1:{port}")
            migrate.upgrade(db.url)
            yield wd, db, wd / "keys", port, settings
        finally:
            db.cleanup()


@contextmanager
def bench_setup(kind: str):
    """``scratch_service`` with an institution (did:web, suspension: two status entries per credential) and its
    API key. Yields (workdir, db, keys_dir, port, settings, api_key)."""
    with scratch_service(kind) as (wd, db, keys_dir, port, settings):
        yield wd, db, keys_dir, port, settings, create_tenant(settings)


@contextmanager
def service_processes(url: str, keys_dir: Path, port: int, processes: int = 1):
    """``processes`` separate ``uvicorn --factory app.main:create_app`` subprocesses (each its own GIL, one database,
    one key directory: the README's scale-out shape), on ``port``, ``port + 1``, ...; all serve the public origin
    of the first, as they would behind a load balancer. Yields their base URLs: clients spread over them.
    (Not uvicorn's ``--workers``: its shared listening socket delays small responses on keep-alive connections.)"""
    env = {**os.environ, "MCRED_DATABASE_URL": url, "MCRED_KEYS_DIR": str(keys_dir),
           "MCRED_PUBLIC_URL": f"http://127.0.0.1:{port}", "PYTHONPATH": str(ROOT)}
    ports = [port] + [free_port() for _ in range(processes - 1)]
    procs = [subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host",
                               "127.0.0.1", "--port", str(p), "--log-level", "warning", "--no-access-log"],
                              cwd=ROOT, env=env) for p in ports]
    bases = Processes(f"http://127.0.0.1:{p}" for p in ports)
    bases.pids = [proc.pid for proc in procs]
    try:
        for proc, base in zip(procs, bases):
            wait_for_health(base, proc)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Processes(list):
    """The base URLs of service processes, with their ``pids``."""

    pids: list[int]


@contextmanager
def running_service(url: str, keys_dir: Path, port: int):
    """One service process (see service_processes); yields its base URL."""
    with service_processes(url, keys_dir, port, 1) as bases:
        yield bases[0]


# --- processes: CPU from /proc -------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except FileNotFoundError:
            pass
    return out


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except FileNotFoundError:
        return 0.0


def bench_client(base: str, **kwargs) -> httpx.Client:
    """An HTTP client with TCP_NODELAY: a request's headers and body go out at once (otherwise a small body waits
    for the server's delayed ACK, ~40 ms, and the benchmark measures TCP, not the service)."""
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    return httpx.Client(base_url=base, transport=transport, timeout=kwargs.pop("timeout", 120), **kwargs)
