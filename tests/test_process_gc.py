"""The server, the worker and its signing processes settle the garbage collector once built (app.process_gc), unless
MCRED_GC_SETTLE=0; each is run here in a process of its own, as it runs in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import process_gc

ROOT = Path(__file__).resolve().parent.parent

REPORT = "import gc, json; print(json.dumps([list(gc.get_threshold()), gc.get_freeze_count()]))"

SERVER = f"""
from fastapi.testclient import TestClient
from app.main import create_app
with TestClient(create_app()) as client:
    assert client.get("/health").status_code == 200
    {REPORT}
"""

SIGNING_PROCESS = f"""
import os
from app import signing_pool
from app.config import Settings
signing_pool.init_signing_process(Settings(), os.getppid())  # this test is its "worker"
{REPORT}
"""

WORKER = f"""
from app import jobs
from app.config import Settings
jobs.Runtime.close = lambda self: None  # stop at once, collector as the worker left it
jobs._work_sqlite = lambda runtime, concurrency, until: None
jobs.work(Settings())
{REPORT}
"""


def run(code: str, tmp_path: Path, settle: str) -> tuple[list, int]:
    env = {**os.environ, "MCRED_GC_SETTLE": settle, "PYTHONPATH": str(ROOT),
           "MCRED_DATABASE_URL": f"sqlite:///{tmp_path / 'gc.sqlite3'}", "MCRED_KEYS_DIR": str(tmp_path / "keys"),
           "MCRED_PUBLIC_URL": "http://127.0.0.1:8765"}
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    thresholds, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    return thresholds, frozen


@pytest.mark.parametrize("process", ["server", "signing process", "worker"])
def test_a_process_settles_its_collector_once_built(tmp_path, process):
    code = {"server": SERVER, "signing process": SIGNING_PROCESS, "worker": WORKER}[process]
    thresholds, frozen = run(code, tmp_path, "1")
    assert tuple(thresholds) == process_gc.THRESHOLDS
    assert frozen > 10_000, "what the process was built with is frozen out of the collections"
    thresholds, frozen = run(code, tmp_path, "0")
    assert tuple(thresholds) != process_gc.THRESHOLDS and frozen == 0
