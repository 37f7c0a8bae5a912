"""The QR code, the verification page behind it, the printable rendition and the upload/paste page (TestClient).

The QR image is decoded for real (zxing-cpp), and the URL it holds is followed.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from app.i18n import choose_language, parse_accept_language
from tests.apphelpers import ORIGIN, auth, new_tenant
from tests.test_verify_api import DID_A, SIGNER_A, issue, issue_expired, sign


@pytest.fixture(scope="module")
def tenant(client):
    return new_tenant(client, suspension_enabled=True)


def path_of(url: str) -> str:
    assert url.startswith(ORIGIN + "/v/"), url
    return url.removeprefix(ORIGIN)


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, results
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("&nbsp;", " "))


def verdict_of(html: str) -> str:
    return re.search(r'class="verdict verdict-[^"]+"[^>]*data-verdict="([^"]+)"', html).group(1)


def test_qr_png_decodes_to_the_verification_url_and_the_page_verifies(client, tenant):
    issued = issue(client, tenant[1])
    url = issued["links"]["verification"]
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 32 and issued["id"] not in url  # unguessable, not derived from the credential id

    r = client.get(f"/v/{token}/qr.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert decode_qr(r.content) == url

    page = client.get(path_of(decode_qr(r.content)))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert verdict_of(page.text) == "verified"
    text = visible_text(page.text)
    assert '<html lang="lv">' in page.text  # default language
    assert "Apliecinājums ir īsts un derīgs" in text
    for shown in ("Datu analīze ar Python", "Anna Bērziņa", f"Iestāde {tenant[0]}", "Latvija", "2024-06-28",
                  "ECTS kredītpunkti 3", "EKI līmenis 6", "LKI līmenis",
                  "Sagatavo un attīra datu kopas analīzei", "Praktisks projekts ar mutisku aizstāvēšanu",
                  "Kvalitātes nodrošināšana", "Dalības veids", "Derīgs no", "Derīgs līdz bez beigu termiņa"):
        assert shown in text, shown
    # every check is listed with its outcome in words, not only a colour
    assert text.count("Izdevās") == 5


def test_qr_svg_is_a_well_formed_svg(client, tenant):
    url = issue(client, tenant[1])["links"]["verification"]
    r = client.get(path_of(url) + "/qr.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_page_in_english_from_the_browser_language_and_switchable(client, tenant):
    url = issue(client, tenant[1])["links"]["verification"]
    page = client.get(path_of(url), headers={"Accept-Language": "en-GB,en;q=0.9,lv;q=0.5"})
    assert '<html lang="en">' in page.text
    text = visible_text(page.text)
    assert "The credential is genuine and valid" in text
    assert "Data analysis with Python" in text and "Learning outcomes" in text and "EQF level 6" in text
    assert 'href="/v/' in page.text and "lang=lv" in page.text  # the switch back to Latvian
    lv = client.get(path_of(url) + "?lang=lv", headers={"Accept-Language": "en"})
    assert '<html lang="lv">' in lv.text and "Mācīšanās rezultāti" in lv.text


def test_expired_page(client, tenant):
    url = issue_expired(client, tenant[1])["links"]["verification"]
    page = client.get(path_of(url) + "?lang=en")
    assert verdict_of(page.text) == "expired"
    text = visible_text(page.text)
    assert "The credential has expired" in text and "Valid until 2024-12-31" in text
    assert 'data-check="proof" data-outcome="ok"' in page.text  # expired, not forged


def test_revoked_and_suspended_pages(client, tenant):
    issued = issue(client, tenant[1])
    client.post(f"/credentials/{issued['id']}/suspend", json={}, headers=auth(tenant[1]))
    page = client.get(path_of(issued["links"]["verification"]))
    assert verdict_of(page.text) == "suspended"
    assert "Apliecinājuma darbība ir apturēta" in visible_text(page.text)
    client.post(f"/credentials/{issued['id']}/revoke", json={"reason": "fraud"}, headers=auth(tenant[1]))
    page = client.get(path_of(issued["links"]["verification"]) + "?lang=en")
    assert verdict_of(page.text) == "revoked"
    assert "The credential has been revoked" in visible_text(page.text)


def test_pages_are_private_scriptless_and_self_contained(client, tenant):
    url = issue(client, tenant[1])["links"]["verification"]
    for path in (path_of(url), path_of(url) + "/print", "/verify"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<script" not in page.text.lower()
        assert not re.search(r'(src|href)="(https?:)?//', page.text), "no external resources"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "script-src" not in page.headers["content-security-policy"]
        assert "noindex" in page.headers["x-robots-tag"]
    css = client.get("/static/verify.css")
    assert css.status_code == 200 and "@media print" in css.text


def test_print_rendition_embeds_the_qr_code(client, tenant):
    url = issue(client, tenant[1])["links"]["verification"]
    page = client.get(path_of(url) + "/print?lang=en")
    assert page.status_code == 200
    assert "<svg" in page.text and url in page.text
    assert "Data analysis with Python" in visible_text(page.text)


def test_unknown_token_is_a_404_page(client):
    page = client.get("/v/not-a-real-token")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Saite nav derīga" in page.text
    assert client.get("/v/not-a-real-token/qr.png").status_code == 404


def test_upload_form_verifies_a_file_and_pasted_text(client, tenant):
    form = client.get("/verify?lang=en")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert '<label for="file">' in form.text and '<label for="credential">' in form.text

    cred = issue(client, tenant[1])["verifiableCredential"]
    data = json.dumps(cred).encode()
    r = client.post("/verify", files={"file": ("credential.jsonld", data, "application/ld+json")},
                    data={"lang": "en"})
    assert r.status_code == 200 and verdict_of(r.text) == "verified"
    assert "Data analysis with Python" in visible_text(r.text)

    tampered = json.loads(data)
    tampered["credentialSubject"]["givenName"] = {"lv": "Mallory"}
    r = client.post("/verify", data={"credential": json.dumps(tampered), "lang": "lv"})
    assert r.status_code == 200 and verdict_of(r.text) == "invalid"
    assert 'data-check="proof" data-outcome="failed" data-code="signature-invalid"' in r.text
    assert "Apliecinājums nav derīgs" in visible_text(r.text)


def test_upload_refusals(client):
    r = client.post("/verify", data={"credential": "", "lang": "en"})
    assert r.status_code == 400 and "Choose a file or paste a credential." in r.text
    r = client.post("/verify", data={"credential": "{oops", "lang": "en"})
    assert r.status_code == 400 and "not a valid JSON document" in r.text
    big = b'{"x": "' + b"a" * 1_100_000 + b'"}'
    r = client.post("/verify", files={"file": ("big.json", big, "application/json")}, data={"lang": "en"})
    assert r.status_code == 413 and 'role="alert"' in r.text
    deep = '{"a":' * 100 + "1" + "}" * 100
    r = client.post("/verify", data={"credential": deep, "lang": "en"})
    assert r.status_code == 413


@pytest.mark.parametrize("query,header,expected", [
    (None, None, "lv"), ("en", "lv", "en"), (None, "en-US,en;q=0.8", "en"), (None, "de,en;q=0.5", "en"),
    (None, "en;q=0.2,lv;q=0.9", "lv"), (None, "fr", "lv"), ("xx", "en", "en"), (None, "en;q=0", "lv")])
def test_language_choice(query, header, expected):
    assert choose_language(query, header) == expected


def test_accept_language_parsing():
    assert parse_accept_language("lv-LV, en;q=0.8, *;q=0.1") == ["lv", "en", "*"]


def test_missing_micro_credential_elements_are_named_on_the_page(client, tenant, loader):
    cred = json.loads(json.dumps(issue(client, tenant[1])["verifiableCredential"]))
    for key in ("proof", "credentialStatus"):
        cred.pop(key)
    cred["issuer"]["id"] = DID_A
    claim = cred["credentialSubject"]["hasClaim"]
    claim = claim[0] if isinstance(claim, list) else claim
    spec = claim["specifiedBy"]
    spec = spec[0] if isinstance(spec, list) else spec
    spec.pop("learningOutcome")
    claim.pop("learningOutcome", None)
    r = client.post("/verify", data={"credential": json.dumps(sign(cred, SIGNER_A, loader)), "lang": "lv"})
    # a warning, not a failure: the checks hold (did:key A is just not an issuer this service recognises)
    assert verdict_of(r.text) == "unrecognised-issuer"
    row = re.search(r'<tr[^>]*data-check="format".*?</tr>', r.text, flags=re.S).group(0)
    assert 'data-outcome="ok"' in row
    warnings = re.search(r'<section[^>]*class="warnings".*?</section>', r.text, flags=re.S).group(0)
    assert "<li>Mācīšanās rezultāti</li>" in warnings
