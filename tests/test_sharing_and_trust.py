"""After issuing (issue 19), the public pages' share and trust parts, over HTTP in process: who vouches (the
operator on every page and in the "recognised" badge, the about page with every recognised issuer's DID), checks
that could not be made or do not apply shown neutral, and what the learner shares (LinkedIn, Open Graph and
Twitter card tags, the card picture), which a revoked or suspended credential no longer invites.
The browser journeys of the same parts are in tests/test_browser.py."""

from __future__ import annotations

import copy
import html
import json
import re

import pytest

from app.config import Settings
from app.errors import ConfigurationError
from tests.apphelpers import DID_A, SIGNER_A, new_tenant, sign
from tests.conftest import OPERATOR
from tests.test_qr_pages import card_text, path_of, section, visible_text
from tests.test_verify_api import issue

NAMES = {"lv": OPERATOR["operator_name_lv"], "en": OPERATOR["operator_name_en"]}


@pytest.fixture(scope="module")
def tenant(operated_client):
    return new_tenant(operated_client, suspension_enabled=True)


@pytest.fixture(scope="module")
def issued(operated_client, tenant):
    return issue(operated_client, tenant[1])


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
