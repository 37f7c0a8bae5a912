"""The learner's PDF certificate: rendered by a real PDF renderer (PDFium), its QR code decoded (zxing-cpp) and
followed, its pages counted, its text read back (Latvian letters included), and its state after a revocation; the
institution's letterhead (logo, address, signatory), the PDF/A-2b markers read with pikepdf, and the learner's own
reference kept off the public page and the certificate unless the institution shows it.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from urllib.parse import unquote

import pytest
import zxingcpp

from app.domain.microcredential import EXAMPLE
from tests.apphelpers import ORIGIN, auth, issue_expired, issue_ok, new_tenant, pdf_pages

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
    assert ("Latvija" if lang == "lv" else "Latvia") in text  # no address set: the country, not the input region
    assert "Rīga" not in text and "Riga" not in text
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


# --- the letterhead, PDF/A-2b, privacy ----------------------------------------------------------------------------

GREEN = (11, 128, 64)  # the test logo's colour: used nowhere else on the page
SVG_LOGO = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" '
            b'viewBox="0 0 200 100"><rect width="200" height="100" fill="#0b8040"/></svg>')
BASE_14 = {"Courier", "Helvetica", "Times", "Symbol", "ZapfDingbats"}
CLOCK = re.compile(r"(?<![\d.:])\d{1,2}:\d{2}(?![\d:])")  # 13:05, not an address's port or a DID's path


def png_logo(size=(300, 150), colour=GREEN) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def set_letterhead(client, slug: str, **fields) -> None:
    from app import admin
    from app.storage import institutions

    with client.app.state.session_factory() as session:
        admin.update_institution(session, client.app.state.services, institutions.by_slug(session, slug), **fields)
        session.commit()


def logo_pixels(picture, scale: float = 3.0) -> int:
    """How many pixels of the logo box (top left, under the margin) are the logo's green."""
    mm_px = 72 / 25.4 * scale
    box = picture.convert("RGB").crop((int(18 * mm_px), int(18 * mm_px), int(70 * mm_px), int(42 * mm_px)))
    data = box.tobytes()
    return sum(1 for i in range(0, len(data), 3) if all(abs(data[i + n] - GREEN[n]) < 24 for n in range(3)))


def pdf_objects(pdf: bytes):
    """The PDF's objects (pikepdf); keep the returned document while reading its pages."""
    import io

    import pikepdf

    return pikepdf.open(io.BytesIO(pdf))


def fonts_of(resources, seen: list) -> list:
    """Every font dictionary used on a page, in form XObjects too."""
    for font in (resources.get("/Font") or {}).values():
        seen.append(font)
    for xobject in (resources.get("/XObject") or {}).values():
        if "/Resources" in xobject:
            fonts_of(xobject.Resources, seen)
    return seen


@pytest.fixture(scope="module")
def lettered(client):
    """An institution with its full letterhead (SVG logo, address, signatory) and a credential of it."""
    slug, key = new_tenant(client)
    set_letterhead(client, slug, logo=SVG_LOGO, address={"lv": "Raiņa bulvāris 19, Rīga, LV-1586",
                                                         "en": "19 Raiņa Boulevard, Riga, LV-1586, Latvia"},
                   signatory_name="Jānis Ozoliņš", signatory_position={"lv": "Rektors", "en": "Rector"})
    return slug, key, issue_ok(client, key)


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_letterhead_logo_address_and_signatory_are_printed(client, lettered, lang):
    _, _, issued = lettered
    text, picture, _ = certificate(client, issued, lang)
    text = flat(text)
    assert ("Raiņa bulvāris 19, Rīga, LV-1586" if lang == "lv" else "19 Raiņa Boulevard, Riga, LV-1586") in text
    assert "Jānis Ozoliņš" in text and ("Rektors" if lang == "lv" else "Rector") in text
    assert "Rīga" not in text.split("Raiņa")[0]  # the input region (LV006) is not printed as the place
    assert logo_pixels(picture) > 10_000
    assert qr_of(picture) == issued["links"]["verification"]


def test_without_a_logo_the_box_stays_blank_and_a_png_logo_is_drawn(client, tenant):
    slug, key = new_tenant(client)
    issued = issue_ok(client, key)
    _, picture, _ = certificate(client, issued, "en")
    assert logo_pixels(picture) == 0
    set_letterhead(client, slug, logo=png_logo())
    _, picture, _ = certificate(client, issued, "en")
    assert logo_pixels(picture) > 10_000
    set_letterhead(client, slug, remove_logo=True)
    _, picture, _ = certificate(client, issued, "en")
    assert logo_pixels(picture) == 0


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_wording_is_neutral_and_every_date_is_a_date(client, lettered, lang):
    services = client.app.state.services
    real = services.clock
    services.clock = lambda: datetime(2026, 3, 4, 13, 5, tzinfo=timezone.utc)  # issued at 15:05 Riga time
    try:
        issued = issue_ok(client, lettered[1], dateOfIssue=None)
    finally:
        services.clock = real
    text, _, _ = certificate(client, issued, lang)
    text = flat(text)
    assert "ieguvis" not in text and "(-usi)" not in text
    assert ("Vārds, uzvārds Anna Bērziņa" if lang == "lv" else "Name Anna Bērziņa") in text
    assert ("2026. gada 4. marts" if lang == "lv" else "4 March 2026") in text
    assert not CLOCK.search(text), CLOCK.search(text)
    assert "plkst" not in text and "Riga time" not in text


def test_the_certificate_is_pdf_a_2b(client, lettered):
    _, _, issued = lettered
    _, _, r = certificate(client, issued, "lv")
    pdf = pdf_objects(r.content)
    assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer and len(pdf.trailer.ID) == 2
    assert getattr(pdf, "check_pdf_syntax", getattr(pdf, "check", None))() == []  # qpdf finds nothing wrong
    fonts = fonts_of(pdf.pages[0].Resources, [])
    assert len(fonts) >= 3
    for font in fonts:
        name = str(font.BaseFont).lstrip("/").split("+")[-1]
        assert not any(name.startswith(base) for base in BASE_14), name
        descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name  # embedded
        assert "/ToUnicode" in font, name  # the text can be read back (Latvian letters)
    intent, = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and intent.Type == "/OutputIntent"
    profile = intent.DestOutputProfile
    icc = profile.read_bytes()
    assert profile.N == 3 and icc[36:40] == b"acsp" and icc[16:20] == b"RGB "  # an ICC profile of RGB
    assert icc[8] <= 4  # ICC version 4 at most (ISO 19005-2 section 6.2.3)
    assert "/Filter" not in pdf.Root.Metadata
    with pdf.open_metadata() as meta:
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["xmpMM:DocumentID"].startswith("uuid:") and meta["xmpMM:InstanceID"].startswith("uuid:")
        assert meta["dc:title"] == str(pdf.docinfo.Title)
        assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
    assert "/Keywords" not in pdf.docinfo and "/Trapped" not in pdf.docinfo  # nothing XMP does not repeat
    page = pdf.pages[0]
    assert "/Group" not in page.obj  # no transparency group
    for state in (page.Resources.get("/ExtGState") or {}).values():
        assert float(state.get("/ca", 1)) == 1 and float(state.get("/CA", 1)) == 1 and "/SMask" not in state
    for image in (page.Resources.get("/XObject") or {}).values():
        assert "/SMask" not in image
    assert "/AcroForm" not in pdf.Root and "/Names" not in pdf.Root  # no forms, no JavaScript


def test_a_stamped_certificate_has_no_transparency(client, tenant):
    issued = issue_ok(client, tenant[1])
    client.post(f"/credentials/{issued['id']}/revoke", json={"reason": "fraud"}, headers=auth(tenant[1]))
    text, _, r = certificate(client, issued, "en")
    assert "REVOKED" in text and not CLOCK.search(flat(text))
    pdf = pdf_objects(r.content)
    page = pdf.pages[0]
    for state in (page.Resources.get("/ExtGState") or {}).values():
        assert float(state.get("/ca", 1)) == 1 and float(state.get("/CA", 1)) == 1


def test_the_learners_own_reference_is_private_unless_the_institution_shows_it(client):
    reference = EXAMPLE["learner"]["reference"]
    slug, key = new_tenant(client)
    issued = issue_ok(client, key)
    public = client.get(issued["links"]["verification"].removeprefix(ORIGIN), params={"lang": "en"})
    assert public.status_code == 200 and "Anna" in public.text
    assert reference not in public.text
    text, _, _ = certificate(client, issued, "en")
    assert reference not in text.replace(" ", "") and "Learner number" not in text

    set_letterhead(client, slug, show_learner_reference=True)
    public = client.get(issued["links"]["verification"].removeprefix(ORIGIN), params={"lang": "lv"})
    assert reference in public.text
    text, _, _ = certificate(client, issued, "lv")
    assert f"Izglītojamā numurs: {reference}" in flat(text)


def test_a_logo_with_alpha_is_drawn_opaque(client):
    slug, key = new_tenant(client)
    set_letterhead(client, slug, logo=b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
                                      b'<rect width="200" height="100" fill="rgba(11,128,64,0.999)"/>'
                                      b'<circle cx="50" cy="50" r="40" fill="#ffffff80" stroke="transparent"/></svg>')
    _, picture, r = certificate(client, issue_ok(client, key), "en")
    assert logo_pixels(picture) > 5_000
    pdf = pdf_objects(r.content)
    for state in (pdf.pages[0].Resources.get("/ExtGState") or {}).values():
        assert float(state.get("/ca", 1)) == 1 and float(state.get("/CA", 1)) == 1
