"""The admin command: contexts, migrations, institutions with their own key and DID, API keys, rotation."""

from __future__ import annotations

import json

from tests.liveserver import mcred_env, mcred_run


def mcred(env: dict, *args: str):
    return mcred_run(mcred_env(**env), *args)


def test_admin_commands(tmp_path):
    # A folder that does not exist yet, like data/ in a fresh clone.
    env = {"MCRED_DATABASE_URL": f"sqlite:///{tmp_path / 'new-folder' / 'cli.sqlite3'}", "MCRED_KEYS_DIR": str(tmp_path / "keys"),
           "MCRED_PUBLIC_URL": "https://mcred.example.lv"}
    assert mcred(env, "migrate").returncode == 0
    done = mcred(env, "create-institution", "lu", "--name-lv", "Latvijas Universitāte", "--name-en",
                 "University of Latvia", "--homepage", "https://www.lu.lv", "--api-key-label", "registry")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["did"] == "did:web:mcred.example.lv:institutions:lu"
    assert out["apiKey"].startswith("mcred_")
    assert "PRIVATE" not in done.stdout + done.stderr
    done = mcred(env, "create-institution", "rtu", "--name-lv", "Rīgas Tehniskā universitāte", "--did-method", "key")
    assert json.loads(done.stdout)["did"].startswith("did:key:z6Mk")

    listed = mcred(env, "list-institutions").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["lu", "rtu"]
    rotated = mcred(env, "rotate-key", "lu")
    assert rotated.returncode == 0 and rotated.stdout.startswith("did:web:mcred.example.lv:institutions:lu#z6Mk")
    refused = mcred(env, "rotate-key", "rtu")
    assert refused.returncode == 2 and "did:key" in refused.stderr
    assert mcred(env, "create-api-key", "lu", "--label", "second").stdout.startswith("mcred_")
    assert mcred(env, "create-api-key", "nobody").returncode == 2
    bad = mcred(env, "create-institution", "Bad Slug!", "--name-lv", "X")
    assert bad.returncode == 2 and "slug" in bad.stderr
    # A taken slug is refused before any key file is written.
    taken = mcred(env, "create-institution", "lu", "--name-lv", "Cita universitāte")
    assert taken.returncode == 2 and "already exists" in taken.stderr
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 3
    # A did:web DID needs the public origin: no silent default.
    no_origin = {**env, "MCRED_PUBLIC_URL": ""}
    refused = mcred(no_origin, "create-institution", "vea", "--name-lv", "Ventspils Augstskola")
    assert refused.returncode == 2 and "MCRED_PUBLIC_URL" in refused.stderr

    # API keys: listed by prefix and label (never the key itself), revoked by prefix.
    listed = [line.split("\t") for line in mcred(env, "list-api-keys", "lu").stdout.splitlines()]
    assert [(k[1], k[3]) for k in listed] == [("registry", "active"), ("second", "active")]
    assert listed[0][0] == out["apiKey"].split("_")[1] and out["apiKey"] not in str(listed)
    assert mcred(env, "revoke-api-key", "lu", listed[0][0]).returncode == 0
    states = [line.split("\t")[3] for line in mcred(env, "list-api-keys", "lu").stdout.splitlines()]
    assert states[0].startswith("revoked ") and states[1] == "active"
    unknown = mcred(env, "revoke-api-key", "lu", "000000000000")
    assert unknown.returncode == 2 and "no API key" in unknown.stderr


def test_an_institution_gets_its_registration_number_later_and_then_issues(tmp_path):
    """ELM credentials need the issuer's legal identifier: an institution created without one is told so when it
    issues, and `mcred update-institution` supplies it (its DID and keys stay)."""
    from fastapi.testclient import TestClient

    from tests.apphelpers import ORIGIN, issue, make_client

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {"MCRED_DATABASE_URL": url, "MCRED_KEYS_DIR": str(tmp_path / "keys"), "MCRED_PUBLIC_URL": ORIGIN}
    assert mcred(env, "migrate").returncode == 0
    created = json.loads(mcred(env, "create-institution", "va", "--name-lv", "Vidzemes Augstskola",
                               "--api-key-label", "x").stdout)
    with make_client(url, tmp_path / "keys") as client:
        assert isinstance(client, TestClient)
        headers = {"Authorization": f"Bearer {created['apiKey']}"}
        refused = issue(client, headers=headers)
        assert refused.status_code == 409 and "update-institution" in refused.json()["detail"]
        done = mcred(env, "update-institution", "va", "--registration", "90000013771", "--name-en",
                     "Vidzeme University of Applied Sciences")
        assert done.returncode == 0, done.stderr
        profile = json.loads(done.stdout)
        assert profile["did"] == created["did"] and profile["registration"] == "90000013771"
        assert profile["legalName"] == {"lv": "Vidzemes Augstskola", "en": "Vidzeme University of Applied Sciences"}
        issued = issue(client, headers=headers)
        assert issued.status_code == 201, issued.text
        assert issued.json()["verifiableCredential"]["issuer"]["eIDASIdentifier"]["notation"] == "90000013771"
    bad = mcred(env, "update-institution", "va", "--default-validity-days", "0")
    assert bad.returncode == 2 and "validity" in bad.stderr


def test_update_institution_sets_the_certificates_letterhead(tmp_path):
    """`--logo` (sanitised, PNG or SVG), `--no-logo`, the address and signatory in lv/en, whether the learner's
    reference is shown; a missing or hostile logo file is refused with exit 2 and a message, not a traceback."""
    env = {"MCRED_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "MCRED_KEYS_DIR": str(tmp_path / "keys"),
           "MCRED_PUBLIC_URL": "https://mcred.example.lv"}
    assert mcred(env, "migrate").returncode == 0
    assert mcred(env, "create-institution", "lu", "--name-lv", "Latvijas Universitāte").returncode == 0
    logo = tmp_path / "logo.svg"
    logo.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><!-- editor -->'
                     b'<rect width="80" height="40" fill="#0b3d73"/></svg>')
    done = mcred(env, "update-institution", "lu", "--logo", str(logo), "--address-lv", "Raiņa bulvāris 19, Rīga",
                 "--address-en", "19 Raiņa Boulevard, Riga", "--signatory-name", "Jānis Ozoliņš",
                 "--signatory-position-lv", "Rektors", "--signatory-position-en", "Rector",
                 "--show-learner-reference")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["logo"]["mediaType"] == "image/svg+xml" and out["logo"]["bytes"] > 0
    assert out["address"] == {"lv": "Raiņa bulvāris 19, Rīga", "en": "19 Raiņa Boulevard, Riga"}
    assert out["signatoryName"] == "Jānis Ozoliņš" and out["signatoryPosition"] == {"lv": "Rektors", "en": "Rector"}
    assert out["showLearnerReference"] is True
    out = json.loads(mcred(env, "update-institution", "lu", "--no-logo", "--signatory-position-en", "",
                           "--no-show-learner-reference").stdout)
    assert out["logo"] is None and out["signatoryPosition"] == {"lv": "Rektors"}
    assert out["showLearnerReference"] is False and out["signatoryName"] == "Jānis Ozoliņš"

    missing = mcred(env, "update-institution", "lu", "--logo", str(tmp_path / "nope.png"))
    assert missing.returncode == 2 and "cannot be read" in missing.stderr and "Traceback" not in missing.stderr
    logo.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    hostile = mcred(env, "update-institution", "lu", "--logo", str(logo))
    assert hostile.returncode == 2 and "script" in hostile.stderr and "Traceback" not in hostile.stderr
