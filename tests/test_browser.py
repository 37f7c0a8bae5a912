"""The three journeys of the issue, in a real headless Chromium (Debian's chromium package, driven by Playwright)
on a real uvicorn server, at 390×844 (a phone) and 1280×800 (a laptop), in Latvian and English:

- the employer scans the QR code (or uploads a file) and sees, on the first screen, the verdict and the summary
  card: valid, issuer not recognised, forged, revoked (date and reason), suspended, expired;
- the learner opens the download link: the certificate, the signed file (saved under its real name), the link and
  the QR code to share;
- the institution's developer opens /docs with the internet cut off and finds "Authorize".

Every page type is checked with axe-core (no violations). The pages themselves run without JavaScript; only the
axe and /docs contexts enable it. Screenshots are kept in tests/artifacts/ (gitignored): ``<journey>-<lang>-<width>``
for the first screen, ``…-full`` for the whole page.
"""

from __future__ import annotations

import copy
import io
import json
import types
from datetime import datetime, timezone
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from app.db import migrate
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import DID_A, SIGNER_A, auth, issue_ok, new_tenant, pdf_pages, sign
from tests.liveserver import live_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"  # npm ci --prefix tests/axe
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
LOCALES = {"lv": "lv-LV", "en": "en-GB"}

from playwright import sync_api as playwright_api  # noqa: E402  (a test dependency: pip install '.[test]')

pytestmark = pytest.mark.browser


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
def issued(server, origin, loader) -> dict:
    """The credentials of the journeys: {name: issue response}, and the documents to upload."""
    slug, key = new_tenant(types.SimpleNamespace(app=server), suspension_enabled=True)
    # Set up in process (faster); the browser then uses real HTTP.
    http = TestClient(server, base_url=origin, headers=auth(key))

    def issue(**changes):
        return issue_ok(http, **changes)

    services = server.state.services
    real = services.clock
    out = {"valid": issue(), "revoked": issue(), "suspended": issue(), "slug": slug}
    services.clock = lambda: datetime(2024, 7, 1, 9, 0, tzinfo=timezone.utc)
    try:
        out["expired"] = issue(validUntil="2024-12-31")
    finally:
        services.clock = real
    for name, action, reason in (("revoked", "revoke", "academic-misconduct"),
                                 ("suspended", "suspend", "under-investigation")):
        r = http.post(f"/credentials/{out[name]['id']}/{action}", json={"reason": reason})
        assert r.status_code == 200, r.text
    forged = copy.deepcopy(out["valid"]["verifiableCredential"])
    forged["credentialSubject"]["hasClaim"]["specifiedBy"]["creditPoint"]["point"] = "30"
    out["forged-file"] = forged
    other = copy.deepcopy(out["valid"]["verifiableCredential"])
    for field in ("proof", "credentialStatus"):
        other.pop(field)
    other["issuer"]["id"] = DID_A  # genuinely signed, but by a key this service does not recognise
    out["unrecognised-file"] = sign(other, SIGNER_A, loader)
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
def open_page(browser):
    contexts = []

    def make(lang: str, size: str, *, javascript: bool = False, locale: str | None = None):
        width, height = SIZES[size]
        ctx = browser.new_context(locale=locale or LOCALES[lang], java_script_enabled=javascript,
                                  bypass_csp=javascript, viewport={"width": width, "height": height},
                                  accept_downloads=True)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for suffix, full in (("", False), ("-full", True)):
        path = ARTIFACTS / f"{name}{suffix}.png"
        page.screenshot(path=str(path), full_page=full)
        assert path.stat().st_size > 5_000


def verdict(page) -> str:
    return page.get_by_role("status").get_by_role("heading", level=1).inner_text().strip()


def on_first_screen(page, selector: str) -> None:
    """The element is shown and lies wholly within the first screen (no scrolling needed)."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    height = page.viewport_size["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} ends at {box['y'] + box['height']}"


def fits_width(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, "the page scrolls sideways"


CARD = (".card .row-issuer", ".card .row-learnerName", ".card .row-title", ".card .row-documentType", ".card .row-ects",
        ".card .row-level", ".card .row-validUntil")
TEXTS = {
    "verified": {"lv": "Apliecinājums ir īsts un derīgs", "en": "The credential is genuine and valid"},
    "unrecognised-issuer": {"lv": "Paraksts ir īsts, bet izsniedzējs nav atpazīts",
                            "en": "Genuine signature, but the issuer is not recognised"},
    "invalid": {"lv": "Viltots vai mainīts apliecinājums", "en": "Altered or forged credential"},
    "revoked": {"lv": "Apliecinājums ir atsaukts", "en": "The credential has been revoked"},
    "suspended": {"lv": "Apliecinājuma darbība ir apturēta", "en": "The credential is suspended"},
    "expired": {"lv": "Apliecinājuma derīguma termiņš ir beidzies", "en": "The credential has expired"},
}


def upload(page, origin: str, lang: str, document: dict) -> None:
    page.goto(f"{origin}/verify?lang={lang}")
    label = {"lv": "vai ielīmējiet apliecinājuma JSON", "en": "or paste the credential JSON"}[lang]
    page.get_by_label(label).fill(json.dumps(document))
    page.get_by_role("button", name={"lv": "Pārbaudīt", "en": "Verify"}[lang]).click()


# --- the employer -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["lv", "en"])
def test_employer_scans_a_valid_credential(open_page, issued, lang, size):
    page = open_page(lang, size)
    qr = page.request.get(issued["valid"]["links"]["qrCode"])  # the QR code the learner shows
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.body())))[0].text
    assert url == issued["valid"]["links"]["verification"]
    assert page.goto(url).status == 200
    assert page.locator("html").get_attribute("lang") == lang  # from the browser's language
    assert verdict(page).endswith(TEXTS["verified"][lang])
    for selector in (".verdict", *CARD, ".card [data-recognised=true]"):
        on_first_screen(page, selector)
    card = page.locator(".card").inner_text()
    for shown in ("Anna Bērziņa", EXAMPLE["title"][lang], {"lv": "EKI 6. līmenis", "en": "EQF level 6"}[lang],
                  {"lv": "bez beigu termiņa", "en": "does not expire"}[lang]):
        assert shown in card, shown
    assert page.locator(".verdict").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"  # CSS loaded
    fits_width(page)
    shot(page, f"employer-valid-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["lv", "en"])
@pytest.mark.parametrize("case", ["revoked", "suspended", "expired"])
def test_employer_sees_a_credential_that_is_no_longer_valid(open_page, issued, case, lang, size):
    page = open_page(lang, size)
    page.goto(issued[case]["links"]["verification"])
    assert verdict(page).endswith(TEXTS[case][lang])
    for selector in (".verdict", *CARD):
        on_first_screen(page, selector)
    banner = page.locator(".verdict").inner_text()
    if case in ("revoked", "suspended"):
        on_first_screen(page, ".verdict .facts")
        on_first_screen(page, ".verdict .contact a")
        reason = {"revoked": {"lv": "Akadēmiskais negodīgums", "en": "Academic misconduct"},
                  "suspended": {"lv": "Notiek pārbaude", "en": "Under investigation"}}[case][lang]
        assert reason in banner
        assert {"lv": "plkst.", "en": "Riga time"}[lang] in banner  # when, in Riga time
        assert page.locator(".verdict .contact a").get_attribute("href") == "https://example.lv"
        status_row = page.locator("tr[data-check=status]").inner_text()
        assert {"lv": "Neizdevās", "en": "Failed"}[lang] not in status_row
    else:
        assert {"lv": "2024. gada 31. decembris", "en": "31 December 2024"}[lang] in \
            page.locator(".card .row-validUntil").inner_text()
    fits_width(page)
    shot(page, f"employer-{case}-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["lv", "en"])
def test_employer_uploads_a_credential_of_an_unrecognised_issuer(open_page, issued, origin, lang, size):
    page = open_page(lang, size)
    upload(page, origin, lang, issued["unrecognised-file"])
    assert verdict(page).endswith(TEXTS["unrecognised-issuer"][lang])
    assert TEXTS["verified"][lang] not in page.inner_text("main")
    for selector in (".verdict", *CARD, ".card [data-recognised=false]"):
        on_first_screen(page, selector)
    fits_width(page)
    shot(page, f"employer-unrecognised-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["lv", "en"])
def test_employer_uploads_a_forged_credential(open_page, issued, origin, lang, size):
    page = open_page(lang, size)
    upload(page, origin, lang, issued["forged-file"])
    assert verdict(page).endswith(TEXTS["invalid"][lang])
    on_first_screen(page, ".verdict .reason")  # why, at once
    assert page.locator(".card").count() == 0
    # the altered value is not shown as a fact: not visible at all until the reader opens the disclosure,
    # and then marked as not verified
    claimed = page.locator(".unverified .row-ects")
    assert claimed.count() == 1 and not claimed.is_visible()
    assert "30" not in [line.strip() for line in page.inner_text("main").splitlines()]
    page.locator("details summary").click()
    claim = page.locator(".unverified .row-ects")
    assert claim.is_visible() and "30" in claim.inner_text()
    assert {"lv": "nepārbaudīts", "en": "not verified"}[lang] in claim.inner_text().lower()
    fits_width(page)
    shot(page, f"employer-forged-{lang}-{SIZES[size][0]}")


def test_a_browser_asking_for_german_gets_english(open_page, issued):
    page = open_page("en", "phone", locale="de-DE")
    page.goto(issued["valid"]["links"]["verification"])
    assert page.locator("html").get_attribute("lang") == "en"


# --- the learner --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["lv", "en"])
def test_learner_opens_the_download_link(open_page, issued, lang, size):
    links = issued["valid"]["links"]
    page = open_page(lang, size)
    assert page.goto(links["download"]).status == 200
    assert page.get_by_role("heading", level=1).inner_text() == {"lv": "Jūsu mikrokvalifikācija",
                                                                 "en": "Your micro-credential"}[lang]
    # the signed file is saved under its real name (UTF-8 filename*), not "Datu-anal-ze-…"
    with page.expect_download() as download:
        page.get_by_role("link", name={"lv": "Parakstītais apliecinājums", "en": "Signed credential"}[lang]).click()
    assert download.value.suggested_filename == f"Datu analīze ar Python {issued['valid']['id'][:8]}.jsonld"
    assert json.loads(Path(download.value.path()).read_text()) == issued["valid"]["verifiableCredential"]
    # the certificate in each language: one page, its QR code leads to the verification page
    for code in ("lv", "en"):
        name = {"lv": {"lv": "Sertifikāts latviešu valodā", "en": "Sertifikāts angļu valodā"},
                "en": {"lv": "Certificate in Latvian", "en": "Certificate in English"}}[lang][code]
        href = page.get_by_role("link", name=name).get_attribute("href")
        pdf = page.request.get(href)
        assert pdf.headers["content-type"] == "application/pdf"
        pages = pdf_pages(pdf.body())
        assert len(pages) == 1
        assert zxingcpp.read_barcodes(pages[0][1])[0].text == links["verification"]
    # the link to share, and its QR code as the browser shows it
    assert page.get_by_role("link", name=links["verification"]).count() == 1
    qr = page.get_by_role("img", name={"lv": "QR kods, kas ved uz pārbaudes lapu",
                                       "en": "QR code leading to the verification page"}[lang])
    picture = Image.open(io.BytesIO(qr.screenshot()))
    assert zxingcpp.read_barcodes(picture)[0].text == links["verification"]
    # "Add to a wallet": its QR code holds the wallet offer, and so does the same-device link
    wallet_qr = page.get_by_role("img", name={"lv": "QR kods apliecinājuma pievienošanai makam",
                                              "en": "QR code to add the credential to a wallet"}[lang])
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(wallet_qr.screenshot())))[0].text == links["walletOffer"]
    assert page.get_by_role("link", name={"lv": "Atvērt makā šajā ierīcē", "en": "Open in a wallet on this device"}[
        lang]).get_attribute("href") == links["walletOffer"]
    fits_width(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, f"learner-{lang}-{SIZES[size][0]}")


# --- the institution's developer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_developer_opens_the_api_documentation_offline(open_page, origin, size):
    page = open_page("en", size, javascript=True)
    outside = []

    def only_this_service(route):
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:  # no internet: a CDN would fail here
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_service)
    page.goto(origin + "/docs")
    authorize = page.locator("button.authorize")
    authorize.wait_for(state="visible", timeout=20_000)
    assert "Authorize" in authorize.inner_text()
    page.get_by_text("/credentials/issue", exact=True).first.wait_for(state="visible")
    authorize.click()
    dialog = page.locator(".modal-ux")
    dialog.wait_for(state="visible")
    assert "bearerAuth" in dialog.inner_text() and "X-API-Key" in dialog.inner_text()
    assert outside == []
    shot(page, f"developer-docs-{SIZES[size][0]}")


# --- accessibility ------------------------------------------------------------------------------------------------

PAGES = ("valid", "revoked", "suspended", "expired", "unrecognised", "forged", "learner", "form", "not-found")


@pytest.mark.parametrize("lang", ["lv", "en"])
@pytest.mark.parametrize("kind", PAGES)
def test_axe_finds_no_violations(open_page, issued, origin, kind, lang):
    assert AXE.exists(), "axe-core is not installed: npm ci --prefix tests/axe"
    for size in SIZES:
        page = open_page(lang, size, javascript=True)  # axe needs script; bypass_csp lets it in
        if kind in ("valid", "revoked", "suspended", "expired"):
            page.goto(issued[kind]["links"]["verification"])
        elif kind in ("unrecognised", "forged"):
            upload(page, origin, lang, issued[f"{kind}-file"])
            if kind == "forged":
                page.locator("details summary").click()  # check the disclosed content too
        elif kind == "learner":
            page.goto(issued["valid"]["links"]["download"])
        elif kind == "form":
            page.goto(f"{origin}/verify")
        else:
            assert page.goto(f"{origin}/v/no-such-token").status == 404
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == [], violations
        assert result["passes"], "axe ran no checks"
