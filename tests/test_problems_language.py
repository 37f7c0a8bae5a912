"""Errors in the reader's language (issue 19): problem details in Latvian when Accept-Language prefers it, English
by default (Content-Language says which); messages that listed every code point to the vocabulary instead; the
command's refusals in Latvian under a Latvian locale. On SQLite and the real PostgreSQL."""

from __future__ import annotations

import copy

import pytest

from app.domain.microcredential import EXAMPLE
from tests.apphelpers import auth, new_tenant
from tests.liveserver import mcred_env, mcred_run


def refused_issue(client, key, language: str | None, **changes):
    mc = {**copy.deepcopy(EXAMPLE), **changes}
    del mc["title"]
    headers = {**auth(key), **({"Accept-Language": language} if language is not None else {})}
    r = client.post("/credentials/issue", json={"microCredential": mc}, headers=headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    return r


@pytest.mark.parametrize("header", ["lv", "lv-LV,lv;q=0.9,en;q=0.8", "de, lv;q=0.7, en;q=0.5"])
def test_problems_are_latvian_when_the_reader_prefers_it(client, header):
    _, key = new_tenant(client)
    r = refused_issue(client, key, header, eqfLevel=6, nqfLevel=5)
    assert r.headers["content-language"] == "lv"
    body = r.json()
    assert body["title"] == "Nederīgi dati" and body["type"].endswith("/invalid-input")
    assert body["detail"] == "Mikrokvalifikācijas datos ir problēmas (2); katra norādīta sarakstā errors."
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["title"] == ("jānorāda mikrokvalifikācijas nosaukums (ES Padomes ieteikums 2022/C 243/02, "
                                 "I pielikums)")
    assert messages["nqfLevel"].startswith("LKI 5. līmenis ir pretrunā ar EKI 6. līmeni")

    unauthorised = client.get("/credentials", headers={"Accept-Language": header})
    assert unauthorised.status_code == 401 and unauthorised.headers["content-language"] == "lv"
    assert unauthorised.json()["title"] == "Nepieciešama autentifikācija"
    assert unauthorised.json()["detail"].startswith("Sūtiet iestādes API atslēgu")
    missing = client.get("/batches/nav-tādas", headers={**auth(key), "Accept-Language": header})
    assert missing.status_code == 404 and missing.json()["detail"] == "Šai iestādei nav partijas 'nav-tādas'."
    nowhere = client.get("/nav/tādas/lapas", headers={"Accept-Language": header})
    assert nowhere.status_code == 404 and nowhere.json()["title"] == "Nav atrasts"


@pytest.mark.parametrize("header", [None, "", "en", "en-GB,lv;q=0.9", "de", "lv;q=0, en"])
def test_problems_stay_english_by_default(client, header):
    _, key = new_tenant(client)
    r = refused_issue(client, key, header)
    assert r.headers["content-language"] == "en"
    body = r.json()
    assert body["title"] == "Invalid input" and body["detail"].startswith("The micro-credential input has 1 problem")
    assert body["errors"][0]["message"].startswith("the title of the micro-credential is required")
    assert "detailEn" not in body


def test_a_detail_the_catalogue_does_not_know_keeps_the_english_beside_the_latvian(client):
    _, key = new_tenant(client)
    r = client.post("/credentials/issue", json={"credential": {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                                               "type": ["VerifiableCredential"], "proof": {}}},
                    headers={**auth(key), "Accept-Language": "lv"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["title"] == "Nederīgi dati" and body["detail"].startswith("Pieprasījuma saturs ir noraidīts")
    assert body["detailEn"] == "An unsigned credential must not carry a proof."


def test_codes_are_not_listed_one_by_one_the_vocabulary_is_named(client):
    _, key = new_tenant(client)
    mc = copy.deepcopy(EXAMPLE)
    mc.update(country="XYZ", languages=["xx"], region="Mārupe")
    mc["assessment"] = {**mc["assessment"], "method": "exam"}
    r = client.post("/credentials/issue", json={"microCredential": mc}, headers=auth(key))
    messages = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "http://publications.europa.eu/resource/authority/country" in messages["country"]
    assert "http://publications.europa.eu/resource/authority/language" in messages["languages.0"]
    assert "http://data.europa.eu/nuts" in messages["region"] and "LV006" in messages["region"]
    assert "http://data.europa.eu/snb/assessment/25831c2" in messages["assessment.method"]
    for field, text in messages.items():
        assert len(text) < 250, (field, text)  # no list of every code
        assert "ZWE" not in text and "LVA_RP_VEN" not in text and "peer-review" not in text
    lv = client.post("/credentials/issue", json={"microCredential": mc}, headers={**auth(key), "Accept-Language": "lv"})
    lv_messages = {e["field"]: e["message"] for e in lv.json()["errors"]}
    assert lv_messages["country"].startswith("nezināms valsts kods 'XYZ'")
    assert lv_messages["region"].startswith("'Mārupe' nav reģiona kods")
    assert lv_messages["assessment.method"].startswith("jābūt vērtēšanas veidam no ES vērtēšanas veidu saraksta")


def test_the_commands_refusals_follow_the_locale(tmp_path):
    env = {"MCRED_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "MCRED_KEYS_DIR": str(tmp_path / "keys"),
           "MCRED_PUBLIC_URL": "https://mcred.example.lv"}
    missing = tmp_path / "kohorta.csv"
    english = mcred_run(mcred_env(**env, LANG="C.UTF-8", LANGUAGE="", LC_ALL="", LC_MESSAGES=""),
                        "issue-csv", str(missing), "--institution", "lu")
    assert english.returncode == 2 and f"mcred: Cannot read {missing}: there is no such file." in english.stderr
    latvian = mcred_run(mcred_env(**env, LANG="lv_LV.UTF-8", LANGUAGE="", LC_ALL="", LC_MESSAGES=""),
                        "issue-csv", str(missing), "--institution", "lu")
    assert latvian.returncode == 2 and "Traceback" not in latvian.stderr
    assert f"mcred: Nevar nolasīt {missing}: šāda faila nav." in latvian.stderr
    assert "  file: šāda faila nav" in latvian.stderr  # the field's message too
    assert mcred_run(mcred_env(**env, LC_ALL="lv_LV.UTF-8"), "migrate").returncode == 0
    nobody = mcred_run(mcred_env(**env, LC_ALL="lv_LV.UTF-8"), "create-api-key", "nav-tādas")
    assert nobody.returncode == 2 and "mcred: Nav iestādes 'nav-tādas'." in nobody.stderr
