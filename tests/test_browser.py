"""A real headless Chromium (Debian's chromium package, driven by Playwright) opens the verification pages of a
valid, an expired and a revoked credential, and the upload page, on a real uvicorn server; the tests assert what a
person sees, in Latvian and English. Screenshots are kept in tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import os
import shutil
import types
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db import migrate
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import auth, new_tenant
from tests.liveserver import live_server

CHROMIUM = os.environ.get("MCRED_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{tmp / 'mcred.sqlite3'}"
    migrate.upgrade(url)
    with live_server(url, tmp / "keys") as app:
        yield app


@pytest.fixture(scope="module")
def origin(server) -> str:
    return server.state.services.settings.public_origin


@pytest.fixture(scope="module")
def credentials(server, origin) -> dict:
    """A valid, an expired and a revoked credential: {name: issue response}."""
    slug, key = new_tenant(types.SimpleNamespace(app=server))
    # Set up in process (faster); the browser then uses real HTTP.
    http = TestClient(server, base_url=origin, headers=auth(key))

    def issue(**changes):
        r = http.post("/credentials/issue", json={"microCredential": {**EXAMPLE, **changes}})
        assert r.status_code == 201, r.text
        return r.json()

    out = {"valid": issue()}
    services = server.state.services
    real = services.clock
    services.clock = lambda: datetime(2024, 7, 1, 9, 0, tzinfo=timezone.utc)
    try:
        out["expired"] = issue(validUntil="2024-12-31")
    finally:
        services.clock = real
    out["revoked"] = issue()
    r = http.post(f"/credentials/{out['revoked']['id']}/revoke", json={"reason": "issued-in-error"})
    assert r.status_code == 200, r.text
    out["slug"] = slug
    return out


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page_for(browser):
    contexts = []

    def make(locale: str):
        ctx = browser.new_context(locale=locale, java_script_enabled=False, viewport={"width": 1000, "height": 1400})
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def verdict(page) -> str:
    return page.get_by_role("status").get_by_role("heading", level=1).inner_text().strip()


def test_valid_credential_in_latvian_then_english(page_for, credentials):
    page = page_for("lv-LV")
    response = page.goto(credentials["valid"]["links"]["verification"])
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "lv"
    assert verdict(page).endswith("Apliecinājums ir īsts un derīgs")
    main = page.inner_text("main")
    for seen in ("Datu analīze ar Python", "Anna Bērziņa", f"Iestāde {credentials['slug']}", "Latvija",
                 "2024-06-28", "ECTS kredītpunkti", "EKI līmenis", "LKI līmenis", "Mācīšanās rezultāti",
                 "Sagatavo un attīra datu kopas analīzei", "Novērtēšanas veids", "Dalības veids",
                 "Kvalitātes nodrošināšana", "Derīgs līdz", "bez beigu termiņa"):
        assert seen in main, seen
    assert main.count("Izdevās") == 5
    # the CSS was loaded (the banner is styled), yet the meaning is in the words
    assert page.locator(".verdict").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    shot(page, "verify-valid-lv")

    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert verdict(page).endswith("The credential is genuine and valid")
    main = page.inner_text("main")
    assert "Data analysis with Python" in main and "Learning outcomes" in main and "EQF level" in main
    shot(page, "verify-valid-en")


def test_browser_language_english(page_for, credentials):
    page = page_for("en-GB")
    page.goto(credentials["valid"]["links"]["verification"])
    assert page.locator("html").get_attribute("lang") == "en"
    assert verdict(page).endswith("The credential is genuine and valid")


def test_expired_credential(page_for, credentials):
    page = page_for("en-US")
    page.goto(credentials["expired"]["links"]["verification"])
    assert verdict(page).endswith("The credential has expired")
    main = page.inner_text("main")
    assert "The credential is genuine, but its validity period has ended." in main
    assert "2024-12-31" in main
    row = page.locator("tr[data-check=validity]").inner_text()
    assert "Failed" in row and "expired" in row
    assert "Passed" in page.locator("tr[data-check=proof]").inner_text()
    shot(page, "verify-expired-en")
    page.goto(credentials["expired"]["links"]["verification"] + "?lang=lv")
    assert verdict(page).endswith("Apliecinājuma derīguma termiņš ir beidzies")
    shot(page, "verify-expired-lv")


def test_revoked_credential(page_for, credentials):
    page = page_for("lv")
    page.goto(credentials["revoked"]["links"]["verification"])
    assert verdict(page).endswith("Apliecinājums ir atsaukts")
    assert "Izsniedzējs apliecinājumu ir atsaucis." in page.locator("tr[data-check=status]").inner_text()
    shot(page, "verify-revoked-lv")
    page.goto(credentials["revoked"]["links"]["verification"] + "?lang=en")
    assert verdict(page).endswith("The credential has been revoked")
    assert "Failed" in page.locator("tr[data-check=status]").inner_text()
    shot(page, "verify-revoked-en")


def test_upload_page(page_for, credentials, origin, tmp_path):
    page = page_for("en")
    page.goto(origin + "/verify")
    assert page.get_by_role("heading", level=1).inner_text() == "Verify a credential file"
    path = tmp_path / "credential.jsonld"
    path.write_text(json.dumps(credentials["valid"]["verifiableCredential"]))
    page.get_by_label("Credential file").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()
    assert verdict(page).endswith("The credential is genuine and valid")
    assert "Data analysis with Python" in page.inner_text("main")
    shot(page, "upload-valid-en")

    tampered = json.loads(json.dumps(credentials["valid"]["verifiableCredential"]))
    tampered["credentialSubject"]["givenName"] = {"lv": "Malorija"}
    page.goto(origin + "/verify?lang=lv")
    page.get_by_label("vai ielīmējiet apliecinājuma JSON").fill(json.dumps(tampered))
    page.get_by_role("button", name="Pārbaudīt").click()
    assert verdict(page).endswith("Apliecinājums nav derīgs")
    assert "Neizdevās" in page.locator("tr[data-check=proof]").inner_text()
    shot(page, "upload-tampered-lv")


def test_qr_code_on_the_printable_page_leads_to_the_page(page_for, credentials):
    page = page_for("lv")
    page.goto(credentials["valid"]["links"]["verification"] + "/print")
    assert page.locator("figure.qr svg").count() == 1
    png = page.locator("figure.qr svg").screenshot()
    import io

    import zxingcpp
    from PIL import Image
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [r.text for r in decoded] == [credentials["valid"]["links"]["verification"]]
    shot(page, "print-lv")
