"""One micro-credential of each Latvian programme type, issued through the API: its ELM record conforms to the EDC
shapes, reads back as its programme and document type, and the verification page and the printable certificate
show both in the reader's language."""

from __future__ import annotations

import copy
import html
from datetime import date
from urllib.parse import urlsplit

import pytest

from app.domain import vocab
from app.domain.elm import summarize
from app.domain.microcredential import EXAMPLE
from tests.apphelpers import issue_ok, new_tenant, pdf_pages


@pytest.fixture(scope="module")
def issued(client) -> dict:
    """code -> the issue response, one credential per programme type."""
    _, key = new_tenant(client)
    out = {}
    for code in vocab.LV_PROGRAMME_TYPES:
        mc = copy.deepcopy(EXAMPLE)
        mc["programmeType"] = code
        mc["nqfLevel"] = mc["eqfLevel"] = 4
        mc["dateOfIssue"] = date.today().isoformat()
        out[code] = issue_ok(client, key, mc)
    return out


@pytest.mark.parametrize("code", list(vocab.LV_PROGRAMME_TYPES))
def test_the_credential_records_the_programme_type_in_elm_terms(issued, edc_violations, code):
    vc = issued[code]["verifiableCredential"]
    ptype = vocab.LV_PROGRAMME_TYPES[code]
    assert edc_violations(vc) == []
    spec = vc["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert [t["id"] for t in spec["dcType"]] == [ptype.opportunity.id, ptype.concept.id]
    assert spec["dcType"][1]["prefLabel"] == dict(ptype.concept.pref_label)
    assert vc["displayParameter"]["title"] == dict(ptype.document)
    for lang in ("lv", "en"):
        summary = summarize(vc, lang)
        assert summary["programmeType"] == ptype.concept.pref_label[lang]
        assert summary["documentType"] == ptype.document[lang]
        assert summary["learningOpportunityType"] == ptype.opportunity.pref_label[lang]


@pytest.mark.parametrize("code", list(vocab.LV_PROGRAMME_TYPES))
@pytest.mark.parametrize("page", ["", "/certificate.pdf"])
def test_the_page_and_the_certificate_show_both_in_the_readers_language(client, issued, code, page):
    ptype = vocab.LV_PROGRAMME_TYPES[code]
    path = urlsplit(issued[code]["links"]["verification"]).path + page
    for lang, other in (("lv", "en"), ("en", "lv")):
        r = client.get(path, params={"lang": lang})
        assert r.status_code == 200
        # the PDF's text as a reader extracts it (the document type is printed in capitals)
        text = " ".join(pdf_pages(r.content)[0][0].split()) if page else html.unescape(r.text)
        assert ptype.concept.pref_label[lang] in text and ptype.document[lang].casefold() in text.casefold()
        assert ptype.concept.pref_label[other] not in text
