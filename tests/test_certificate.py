"""The learner's PDF certificate: rendered by a real PDF renderer (PDFium), its QR code decoded (zxing-cpp) and
followed, its pages counted, its text read back (Latvian letters included), and its state after a revocation.
"""

from __future__ import annotations

import copy
import re
from urllib.parse import unquote

import pytest
import zxingcpp

from app.domain.microcredential import EXAMPLE
from tests.apphelpers import ORIGIN, auth, issue_expired, issue_ok, pdf_pages

STAMPS = ("REVOKED", "SUSPENDED", "EXPIRED", "ATSAUKTS", "APTURĒTS", "TERMIŅŠ BEIDZIES", "NOT VALID", "NAV DERĪGS")


def certificate(client, issued: dict, lang: str) -> tuple[str, object, object]:
    """(the text of its one page, the page's picture, the response)."""
    r = client.get(issued["links"]["certificate"].removeprefix(ORIGIN), params={"lang": lang})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "private, no-store"  # the status it shows is today's
    pages = pdf_pages(r.content)
    assert len(pages) == 1, f"{len(pages)} pages"
    text, picture = pages[0]
    return text, picture, r


def qr_of(picture) -> str:
    found = zxingcpp.read_barcodes(picture)
    assert [f.format for f in found] == [zxingcpp.BarcodeFormat.QRCode], found
    return found[0].text


def flat(text: str) -> str:
    # PDFium marks a hyphen at the end of a line as U+FFFE (a hyphenation it may drop): it is the "-" printed
    return re.sub(r"\s+", " ", text.replace("\ufffe", "-"))


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_full_example_is_one_page_whose_qr_code_leads_to_the_live_page(client, tenant, lang):
    issued = issue_ok(client, tenant[1])
    text, picture, r = certificate(client, issued, lang)
    url = issued["links"]["verification"]
    assert qr_of(picture) == url
    assert client.get(qr_of(picture).removeprefix(ORIGIN)).status_code == 200
    text = flat(text)
    assert url in text.replace(" ", "")  # the address printed beside the code
    # Latvian letters come back as written: the font is embedded with its Unicode map
    assert "Anna Bērziņa" in text
    assert f"{'Iestāde' if lang == 'lv' else 'Institution'} {tenant[0]}" in text
    title = EXAMPLE["title"][lang]
    assert title in text
    facts = {"lv": ("ECTS kredītpunkti 3", "EKI 6. līmenis; LKI 6. līmenis", "Izdošanas datums 2024. gada 28. jūnijs",
                    "Derīgs līdz bez beigu termiņa", "Augstskolas (AII) apliecība".upper()),
             "en": ("ECTS credits 3", "EQF level 6; LQF Level 6", "Date of issue 28 June 2024",
                    "Valid until does not expire", "Higher education institution certificate".upper())}[lang]
    for fact in facts:
        assert fact in text, fact
    for outcome in EXAMPLE["learningOutcomes"]:
        assert flat(outcome["text"][lang])[:40] in text
    assert issued["verifiableCredential"]["id"] in text.replace(" ", "")  # identifiers in small print
    for stamp in STAMPS:
        assert stamp not in text, stamp
    assert "verified" not in text.lower() and "pārbaudīts" not in text.lower()  # no frozen verdict to go stale
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("inline;")
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)).endswith(".pdf")


def test_the_largest_credential_still_fits_one_readable_page(client, tenant):
    long_text = {"lv": "Ļoti garš mācīšanās rezultāts ar garumzīmēm. " * 40,
                 "en": "A very long learning outcome. " * 60}
    mc = copy.deepcopy(EXAMPLE)
    mc["learningOutcomes"] = [{"text": long_text} for _ in range(40)]
    mc["title"] = {"lv": "Ļoti gara nosaukuma mikrokvalifikācija " * 5,
                   "en": "A micro-credential with a long title " * 5}
    mc["qualityAssurance"]["type"] = long_text
    issued = issue_ok(client, tenant[1], **mc)
    for lang in ("lv", "en"):
        text, picture, _ = certificate(client, issued, lang)
        assert qr_of(picture) == issued["links"]["verification"]
        assert ("un vēl 28 mācīšanās rezultāti" if lang == "lv" else "and 28 more learning outcomes") in flat(text)


def test_revoked_and_suspended_credentials_are_not_printed_as_valid(client, tenant):
    issued = issue_ok(client, tenant[1])
    client.post(f"/credentials/{issued['id']}/suspend", json={"reason": "under-investigation"}, headers=auth(tenant[1]))
    text, picture, _ = certificate(client, issued, "en")
    assert "SUSPENDED" in text and "This credential is not valid" in flat(text)
    assert "Reason: Under investigation" in flat(text)
    assert qr_of(picture) == issued["links"]["verification"]  # the code still leads to the live page

    client.post(f"/credentials/{issued['id']}/revoke", json={"reason": "fraud"}, headers=auth(tenant[1]))
    text, _, _ = certificate(client, issued, "lv")
    assert "ATSAUKTS" in text and "Šis apliecinājums nav derīgs" in flat(text)
    assert "Iemesls: Krāpšana vai nepatiesas ziņas" in flat(text)
    assert "APTURĒTS" not in text


def test_an_expired_credential_is_stamped_expired(client, tenant):
    issued = issue_expired(client, tenant[1])
    text, _, _ = certificate(client, issued, "en")
    assert "EXPIRED" in text and "31 December 2024" in text


def test_a_stored_credential_that_no_longer_verifies_is_not_printed(client, tenant):
    issued = issue_ok(client, tenant[1])
    from app.db.models import Credential

    with client.app.state.session_factory() as session:
        row = session.get(Credential, issued["id"])
        document = copy.deepcopy(row.document)
        document["credentialSubject"]["givenName"] = {"lv": "Mallory"}
        row.document = document
        session.commit()
    r = client.get(issued["links"]["certificate"].removeprefix(ORIGIN), params={"lang": "en"},
                   follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == issued["links"]["verification"] + "?lang=en"


def test_the_former_printable_link_leads_to_the_certificate(client, tenant):
    issued = issue_ok(client, tenant[1])
    path = issued["links"]["verification"].removeprefix(ORIGIN)
    r = client.get(path + "/print?lang=en", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == path + "/certificate.pdf?lang=en"
