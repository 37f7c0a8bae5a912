"""A real uvicorn server in a background thread, on a free loopback port, for tests that need real HTTP
(the independent Node verifier resolving did:web and status lists, a real browser)."""

from __future__ import annotations

import socket
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
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{settings.public_origin}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
