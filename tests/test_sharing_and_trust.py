"""After issuing (issue 19), the public pages' share and trust parts, over HTTP in process: who vouches (the
operator on every page and in the "recognised" badge, the about page with every recognised issuer's DID), checks
that could not be made or do not apply shown neutral, and what the learner shares (LinkedIn, Open Graph and
Twitter card tags, the card picture), which a revoked or suspended credential no longer invites.
The browser journeys of the same parts are in tests/test_browser.py."""

from __future__ import annotations

import copy
import html
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from app import i18n
from app.config import Settings
from app.errors import ConfigurationError
from app.texts.terms import TERMS
from app.texts.verification import MESSAGES, message
from tests.apphelpers import DID_A, SIGNER_A, auth, did_of, issue_ok, new_tenant, sign
from tests.conftest import OPERATOR
from tests.test_qr_pages import card_text, path_of, section, visible_text
from tests.test_verify_api import vc2

NAMES = {"lv": OPERATOR["operator_name_lv"], "en": OPERATOR["operator_name_en"]}


@pytest.fixture(scope="module")
def tenant(operated_client):
    return new_tenant(operated_client, suspension_enabled=True, email="studijas@example.lv")


@pytest.fixture(scope="module")
def issued(operated_client, tenant):
    return issue_ok(operated_client, tenant[1])


def footer(page: str) -> str:
    return re.search(r"<footer.*?</footer>", page, flags=re.S).group(0)


# --- who vouches --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_operator_is_named_on_every_page(operated_client, issued, lang):
    pages = [path_of(issued["links"]["verification"]), path_of(issued["links"]["download"]), "/verify", "/about",
             "/v/no-such-token"]
    for path in pages:
        r = operated_client.get(path, params={"lang": lang})
        assert r.status_code in (200, 404), path
        foot = footer(r.text)
        assert f'<a href="https://www.aic.lv" rel="noreferrer">{NAMES[lang]}</a>' in foot, path
        assert '<a href="mailto:mcred@aic.lv"' in foot and f'href="/about?lang={lang}"' in foot, path


def test_without_an_operator_the_footer_says_so(client):
    text = visible_text(footer(client.get("/verify", params={"lang": "en"}).text))
    assert "Operator not configured" in text


@pytest.mark.parametrize("lang, badge", [
    ("lv", "atpazīts: iestāde reģistrēta šajā pakalpojumā (Akadēmiskās informācijas centrs)"),
    ("en", "recognised: an institution registered with Academic Information Centre")])
def test_the_recognised_badge_names_the_operator_and_leads_to_the_about_page(operated_client, issued, lang, badge):
    page = operated_client.get(path_of(issued["links"]["verification"]), params={"lang": lang}).text
    card = section(page, "card")
    assert badge in card_text(page)
    assert f'<a href="/about?lang={lang}#institutions">{html.escape(badge)}</a>' in card


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_about_page_lists_the_institutions_and_the_trust_list_with_their_dids(operated_client, tenant, lang):
    r = operated_client.get("/about", params={"lang": lang})
    assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
    own = section(r.text, "institutions")
    with operated_client.app.state.session_factory() as session:
        from app.storage import institutions
        did = institutions.by_slug(session, tenant[0]).did
    name = {"lv": f"Iestāde {tenant[0]}", "en": f"Institution {tenant[0]}"}[lang]
    assert re.search(rf"<th scope=\"row\">{name}</th><td class=\"mono did\">{re.escape(did)}</td>", own)
    trusted = section(r.text, "trusted")
    university = {"lv": "Latvijas Universitāte", "en": "University of Latvia"}[lang]
    assert f'<th scope="row">{university}</th><td class="mono did">{DID_A}</td>' in trusted
    assert 'href="https://www.lu.lv"' in trusted
    operator = visible_text(section(r.text, "operator"))
    assert NAMES[lang] in operator and "https://www.aic.lv" in operator and "mcred@aic.lv" in operator


def test_operator_settings_are_checked():
    with pytest.raises(ConfigurationError, match="MCRED_OPERATOR_URL"):
        Settings(operator_url="www.aic.lv")
    with pytest.raises(ConfigurationError, match="MCRED_OPERATOR_CONTACT"):
        Settings(operator_contact="call us")
    assert Settings(operator_contact="info@aic.lv").operator["contact"] == "mailto:info@aic.lv"
    assert Settings(operator_name_lv="AIC").operator["name"] == {"lv": "AIC", "en": "AIC"}


def _resigned(issued: dict, loader, issuer_id: str) -> dict:
    """The issued credential without its status entry, issued by ``issuer_id`` and signed by key A."""
    doc = copy.deepcopy(issued["verifiableCredential"])
    for field in ("proof", "credentialStatus"):
        doc.pop(field)
    doc["issuer"]["id"] = issuer_id
    return sign(doc, SIGNER_A, loader)


@pytest.mark.parametrize("lang, word", [("lv", "Neattiecas"), ("en", "Does not apply")])
def test_a_check_that_does_not_apply_is_neutral_never_a_green_tick(operated_client, issued, loader, lang, word):
    r = operated_client.post("/verify", data={"credential": json.dumps(_resigned(issued, loader, DID_A)),
                                              "lang": lang})
    row = re.search(r'<tr [^>]*data-check="status".*?</tr>', r.text, flags=re.S).group(0)
    assert 'data-code="no-status"' in row and 'data-display="neutral"' in row and 'class="outcome-neutral"' in row
    assert "✓" not in row and '<span aria-hidden="true">○</span> ' + word in row
    assert {"lv": "nav statusa ieraksta", "en": "has no status entry"}[lang] in row
    legend = {"lv": "Pārbaude neattiecas vai nav veikta", "en": "The check does not apply or was not made"}[lang]
    assert legend in visible_text(section(r.text, "checks"))


def test_an_unbound_issuer_and_a_check_not_made_are_neutral(operated_client, issued, loader):
    r = operated_client.post("/verify", data={"credential": json.dumps(
        _resigned(issued, loader, "https://example.lv/issuer")), "lang": "en"})
    row = re.search(r'<tr [^>]*data-check="issuer".*?</tr>', r.text, flags=re.S).group(0)
    assert 'data-code="issuer-unbound"' in row and 'data-display="neutral"' in row and "✓" not in row
    assert "Not bound" in row
    forged = copy.deepcopy(issued["verifiableCredential"])
    forged["proof"]["proofValue"] = "z" + "1" * 86
    r = operated_client.post("/verify", data={"credential": json.dumps(forged), "lang": "lv"})
    rows = re.findall(r'<tr [^>]*data-code="not-checked".*?</tr>', r.text, flags=re.S)
    assert rows
    for row in rows:
        assert 'data-display="neutral"' in row and "Nav pārbaudīts" in row and "✓" not in row


# --- what the learner shares --------------------------------------------------------------------------------------


def meta_tags(page: str) -> dict[str, str]:
    return {name: html.unescape(content) for name, content in
            re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)">', page)}


def linkedin_links(page: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(r'href="(https://www\.linkedin\.com/[^"]*)"', page)]


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_learner_adds_the_credential_to_linkedin(operated_client, tenant, lang):
    issued = issue_ok(operated_client, tenant[1], validUntil="2030-06-30")
    page = operated_client.get(path_of(issued["links"]["download"]), params={"lang": lang}).text
    (url,) = linkedin_links(page)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    title = {"lv": "Datu analīze ar Python", "en": "Data analysis with Python"}[lang]
    institution = {"lv": f"Iestāde {tenant[0]}", "en": f"Institution {tenant[0]}"}[lang]
    issued_on = issued["verifiableCredential"]["credentialSubject"]["hasClaim"]["awardedBy"]["awardingDate"]
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"], "name": [title], "organizationName": [institution],
        "issueYear": [issued_on[:4]], "issueMonth": [str(int(issued_on[5:7]))],
        "expirationYear": ["2030"], "expirationMonth": ["6"],
        "certUrl": [issued["links"]["verification"]], "certId": [issued["verifiableCredential"]["id"]]}
    assert {"lv": "Pievienot LinkedIn profilam", "en": "Add to LinkedIn profile"}[lang] in visible_text(page)


def test_a_credential_without_expiry_goes_to_linkedin_without_one(operated_client, issued):
    (url,) = linkedin_links(operated_client.get(path_of(issued["links"]["download"])).text)
    query = parse_qs(urlsplit(url).query)
    assert "expirationYear" not in query and "expirationMonth" not in query and query["issueYear"]


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_a_shared_verification_link_shows_the_title_the_institution_and_a_picture(operated_client, tenant,
                                                                                  issued, lang):
    page = operated_client.get(path_of(issued["links"]["verification"]), params={"lang": lang}).text
    tags = meta_tags(page)
    url = issued["links"]["verification"]
    title = {"lv": "Datu analīze ar Python", "en": "Data analysis with Python"}[lang]
    institution = {"lv": f"Iestāde {tenant[0]}", "en": f"Institution {tenant[0]}"}[lang]
    assert tags["og:title"] == tags["twitter:title"] == title
    assert institution in tags["og:description"] and tags["og:description"] == tags["twitter:description"]
    assert {"lv": "Augstskolas (AII) apliecība", "en": "Higher education institution certificate"}[lang] in \
        tags["og:description"]
    assert tags["og:site_name"] == NAMES[lang] and tags["og:url"] == url
    assert tags["og:image"] == tags["twitter:image"] == f"{url}/card.png?lang={lang}"
    assert tags["twitter:card"] == "summary_large_image" and tags["og:image:alt"]
    assert "genuine and valid now" in tags["og:description"] or "šobrīd derīga" in tags["og:description"]
    picture = operated_client.get(path_of(tags["og:image"]))
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(picture.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    assert (int(tags["og:image:width"]), int(tags["og:image:height"])) == image.size
    assert len(image.convert("L").getcolors(maxcolors=256)) > 8  # drawn text, not a blank picture


def test_the_service_pages_have_share_tags_and_the_service_picture(operated_client):
    origin = operated_client.app.state.services.settings.public_origin
    for path, title in (("/verify", "Verify a micro-credential file"), ("/about", "About this service")):
        tags = meta_tags(operated_client.get(path, params={"lang": "en"}).text)
        assert tags["og:title"] == title and tags["og:url"] == f"{origin}{path}"
        assert tags["og:image"] == f"{origin}/card.png?lang=en" and tags["twitter:card"] == "summary_large_image"
    picture = operated_client.get("/card.png?lang=lv")
    assert picture.status_code == 200 and Image.open(io.BytesIO(picture.content)).size == (1200, 630)
    assert meta_tags(operated_client.get("/v/no-such-token").text) == {}  # nothing to show for an unknown link


@pytest.mark.parametrize("action, reason, lang, texts", [
    ("revoke", "academic-misconduct", "lv", ("Augstskolas (AII) apliecība ir atsaukta", "Atsaukta",
                                             "Akadēmiskais negodīgums", "plkst.")),
    ("revoke", "fraud", "en", ("The micro-credential has been revoked", "Revoked on",
                               "Fraud or misrepresentation", "Riga time")),
    ("suspend", "under-investigation", "lv", ("Augstskolas (AII) apliecības darbība ir apturēta", "Apturēta kopš",
                                              "Notiek pārbaude", "plkst.")),
    ("suspend", "under-investigation", "en", ("The micro-credential is suspended", "Suspended since",
                                              "Under investigation", "Riga time"))])
def test_a_revoked_or_suspended_credential_is_no_longer_offered_for_sharing(operated_client, tenant, action, reason,
                                                                             lang, texts):
    issued = issue_ok(operated_client, tenant[1])
    page = operated_client.get(path_of(issued["links"]["download"]), params={"lang": lang}).text
    assert linkedin_links(page) and 'class="share"' in page
    r = operated_client.post(f"/credentials/{issued['id']}/{action}", json={"reason": reason},
                             headers=auth(tenant[1]))
    assert r.status_code == 200, r.text
    page = operated_client.get(path_of(issued["links"]["download"]), params={"lang": lang}).text
    notice = section(page, "notice")
    shown = visible_text(notice)
    for text in texts:
        assert text in shown, text
    assert f"Iestāde {tenant[0]}" in shown or f"Institution {tenant[0]}" in shown
    assert 'href="mailto:studijas@example.lv"' in notice and 'href="https://example.lv"' in notice
    assert linkedin_links(page) == [] and 'class="share"' not in page and "qr.svg" not in page
    tags = meta_tags(operated_client.get(path_of(issued["links"]["verification"]), params={"lang": lang}).text)
    assert tags["og:title"] == texts[0]  # a shared link says so, with the service's picture, not the credential's
    assert tags["og:image"].endswith(f"/card.png?lang={lang}") and "/v/" not in tags["og:image"]


# --- one Latvian term ---------------------------------------------------------------------------------------------

# the name of the format and the EU's concept in general, not of the credential at hand
GENERAL = re.compile(r"W3C verificējam\w+ apliecinājum\w+|ES mikrokvalifikācij\w+")


@pytest.mark.parametrize("term", sorted(TERMS))
def test_the_pages_and_messages_call_a_credential_by_one_term(term):
    """Every Latvian text of the pages (the PDF's ``cert.*`` and the wallet's ``wallet.*`` are their own) and every
    verification message, as shown for a credential, names it only by its term: no other word for it."""
    chosen = TERMS[term]
    others = {"apliecinājum", "sertifikāt", "mikrokvalifikācij", "apliecīb"} - {
        w for w in ("apliecinājum", "sertifikāt", "mikrokvalifikācij", "apliecīb") if w in chosen.lv["nom"]}
    texts = {f"i18n {k}": i18n.t("lv", k, chosen) for k in i18n.CATALOGUE["lv"]
             if not k.startswith(("cert.", "wallet."))}
    texts |= {f"message {code}": message(code, chosen)["lv"] for code in MESSAGES}
    generic = {"service", "not_found.text", "page.form", "action.verify_other", "missing.text", "about.intro",
               "learner.file.text", "card.service.text"}  # about micro-credentials in general
    for where, text in texts.items():
        assert "{" not in re.sub(r"\{(n|time|host|operator)\}", "", text), (where, text)
        if where.removeprefix("i18n ") in generic or where.startswith(("i18n form.", "i18n about.")):
            continue
        for word in others:
            assert word not in GENERAL.sub("", text).lower(), (where, text)


def test_the_api_messages_name_the_verified_credential(operated_client, issued, loader):
    body = operated_client.post("/credentials/verify", json={
        "verifiableCredential": issued["verifiableCredential"]}).json()
    status = next(c for c in body["checks"] if c["check"] == "status")
    assert status["message"] == {"lv": "Izsniedzējs augstskolas (AII) apliecību nav atsaucis un nav apturējis.",
                                 "en": "The issuer has not revoked or suspended the micro-credential."}
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "issuer": DID_A,
          "credentialSubject": {"id": "did:example:learner"}}
    body = operated_client.post("/credentials/verify", json={"verifiableCredential": sign(vc, SIGNER_A, loader)}
                                ).json()
    messages = {w["code"]: w["message"] for w in body["warnings"]}
    assert messages["no-status"]["lv"] == "Digitālajam apliecinājumam nav statusa ieraksta: izsniedzējs to nevar " \
                                          "atsaukt."
    assert messages["no-status"]["en"] == "The credential has no status entry: the issuer cannot revoke it."


def test_a_credential_that_is_not_an_elm_credential_is_a_digitalais_apliecinajums(operated_client, tenant):
    r = operated_client.post("/credentials/issue", json={"credential": vc2(did_of(operated_client, tenant[0]))},
                             headers=auth(tenant[1]))
    assert r.status_code == 201, r.text
    links = r.json()["links"]
    page = visible_text(operated_client.get(path_of(links["verification"]), params={"lang": "lv"}).text)
    assert "Digitālais apliecinājums ir īsts un derīgs" in page and "mikrokvalifikācija ir" not in page.lower()
    learner = visible_text(operated_client.get(path_of(links["download"]), params={"lang": "lv"}).text)
    assert "Jūsu digitālais apliecinājums" in learner
    english = visible_text(operated_client.get(path_of(links["verification"]), params={"lang": "en"}).text)
    assert "The credential is genuine and valid" in english
    picture = operated_client.get(path_of(links["verification"]) + "/card.png")
    assert picture.status_code == 200 and Image.open(io.BytesIO(picture.content)).size == (1200, 630)
