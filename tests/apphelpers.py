"""Test helpers: build the app on a migrated database, create tenants with API keys."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient

from app import admin
from app.config import Settings
from app.main import create_app

ORIGIN = "http://127.0.0.1:8765"


def make_client(database_url: str, keys_dir: Path, **overrides) -> TestClient:
    settings = replace(Settings(), database_url=database_url, keys_dir=keys_dir, public_url=ORIGIN, **overrides)
    return TestClient(create_app(settings), base_url=ORIGIN, raise_server_exceptions=False)


def new_tenant(client: TestClient, *, did_method: str = "web", **kwargs) -> tuple[str, str]:
    """A fresh institution with an API key: returns (slug, api_key)."""
    services = client.app.state.services
    slug = f"inst-{secrets.token_hex(4)}"
    with client.app.state.session_factory() as session:
        inst = admin.create_institution(session, services, slug=slug, country="LVA", did_method=did_method,
                                        legal_name={"lv": f"Iestāde {slug}", "en": f"Institution {slug}"},
                                        homepage="https://example.lv", **kwargs)
        key = admin.create_api_key(session, services, inst, "tests")
        session.commit()
    return slug, key


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}
