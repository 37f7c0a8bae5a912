"""Real servers on free loopback ports, for tests that need real HTTP: uvicorn in a background thread (the
independent Node verifier resolving did:web and status lists, a real browser), or a whole ``mcred serve`` process
(start-up checks, logs, several processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import uvicorn

from app.config import Settings
from app.main import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(base: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Return once ``base``/health answers 200; raise if ``proc`` exits first or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate() if proc.stdout else ("", "")
            raise RuntimeError(f"the service exited with {proc.returncode}:\n{out}\n{err}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the service at {base} did not start")
        time.sleep(0.05)


@contextmanager
def live_server(database_url: str, keys_dir: Path, **overrides):
    """Yields the FastAPI app; its public URL (``app.state.services.settings.public_origin``) is the real one."""
    port = free_port()
    settings = replace(Settings(), database_url=database_url, keys_dir=keys_dir,
                       public_url=f"http://127.0.0.1:{port}", **overrides)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_health(settings.public_origin, timeout=20)
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


ROOT = Path(__file__).resolve().parent.parent


def mcred_env(**env: str) -> dict:
    """The environment for an ``mcred`` subprocess: this one's, without settings that would leak in, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if k not in ("MCRED_PUBLIC_URL", "MCRED_ENV", "MCRED_DATABASE_URL",
                                                            "MCRED_KEYS_DIR")}
    return {**base, **env}


@contextmanager
def mcred_serve(env: dict, *args: str, port: int | None = None, cwd: Path = ROOT, python: str = sys.executable):
    """A real ``mcred serve --port P ...`` process; yields (Popen, base URL) once /health answers.

    Its stdout and stderr (the JSON logs) are read after it stops: ``proc.stdout_text``, ``proc.stderr_text``.
    """
    port = port or free_port()
    proc = subprocess.Popen([python, "-m", "app.cli", "serve", "--port", str(port), *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, proc)
        yield proc, base
    finally:
        proc.terminate()
        try:
            proc.stdout_text, proc.stderr_text = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.stdout_text, proc.stderr_text = proc.communicate()


def mcred_run(env: dict, *args: str, cwd: Path = ROOT, python: str = sys.executable) -> subprocess.CompletedProcess:
    """One ``mcred`` command in a subprocess (``env``: see ``mcred_env``)."""
    return subprocess.run([python, "-m", "app.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
