"""Over real HTTP: the transaction is committed before the response leaves, so what a 201 names exists."""

from __future__ import annotations

from types import SimpleNamespace

import httpx

from tests.apphelpers import issue, new_tenant
from tests.liveserver import live_server


def test_a_credential_exists_as_soon_as_issuing_answers(database_url, tmp_path):
    with live_server(database_url, tmp_path / "keys") as app:
        _, key = new_tenant(SimpleNamespace(app=app))
        with httpx.Client(base_url=app.state.services.settings.public_origin, timeout=30) as http:
            for _ in range(30):
                issued = issue(http, key)
                assert issued.status_code == 201
                assert http.get(issued.json()["links"]["download"]).status_code == 200
