"""`mcred issue-csv` end to end, as a separate process, on SQLite and on the real PostgreSQL: the sample cohort
(Latvian diacritics), a file with a byte order mark and broken rows, the report of failed rows, a dry run, and
files that are not the layout."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.csv_import import COLUMNS
from app.db.models import Credential
from app.storage import institutions
from tests.apphelpers import ORIGIN, make_client, new_tenant

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "cohort.csv"


@pytest.fixture(scope="module")
def setup(database_url, tmp_path_factory):
    keys = tmp_path_factory.mktemp("keys")
    with make_client(database_url, keys) as client:
        yield client, keys


def mcred(database_url: str, keys: Path, *args, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MCRED_DATABASE_URL": database_url, "MCRED_KEYS_DIR": str(keys), "MCRED_PUBLIC_URL": ORIGIN,
           "MCRED_WORKER_PROCESSES": "2", **(env or {})}
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def stored(client, slug: str) -> list[Credential]:
    with client.app.state.session_factory() as session:
        inst = institutions.by_slug(session, slug)
        return list(session.scalars(select(Credential).where(Credential.institution_id == inst.id)
                                    .order_by(Credential.learner_ref)))


def sample_rows() -> list[dict]:
    with open(SAMPLE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, rows: list[dict], *, encoding="utf-8-sig", delimiter=",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_sample_cohort_is_issued(setup, database_url):
    client, keys = setup
    slug, _ = new_tenant(client)
    dry = mcred(database_url, keys, "issue-csv", SAMPLE, "--institution", slug, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "8 rows checked, nothing issued; 8 valid, 0 invalid" in dry.stdout
    assert stored(client, slug) == []

    done = mcred(database_url, keys, "issue-csv", SAMPLE, "--institution", slug)
    assert done.returncode == 0, done.stderr
    assert "8 of 8 rows issued, 0 failed" in done.stdout
    assert "8/8" in done.stderr  # the progress bar, at its end
    creds = stored(client, slug)
    assert [(c.learner_ref, c.learner_name) for c in creds] == [
        (row["learner_reference"], f"{row['given_name']} {row['family_name']}") for row in sample_rows()]
    subject = creds[0].document["credentialSubject"]
    assert subject["givenName"]["lv"] == "Anna" and subject["familyName"]["lv"] == "Bērziņa"


def test_failed_rows_are_reported_and_the_others_issued(setup, database_url, tmp_path):
    client, keys = setup
    slug, _ = new_tenant(client)
    rows = sample_rows()[:5]
    rows[1]["family_name"] = ""                                   # row 3: missing
    rows[2]["eqf_level"] = "deviņi"                               # row 4: not a number
    rows[2]["learning_outcomes_en"] = "Only one outcome"          # ... and not read at all: outcomes do not pair
    rows[3]["ects"] = "1,5"                                       # row 5: a Latvian decimal comma is fine
    rows[4]["title_lv"], rows[4]["title_en"] = "", ""             # row 6: no title
    path = write(tmp_path / "kohorta.csv", rows)  # with a byte order mark, as spreadsheets save "CSV UTF-8"
    report = tmp_path / "neizdevās.csv"
    done = mcred(database_url, keys, "issue-csv", path, "--institution", slug, "--report", report)
    assert done.returncode == 1, done.stderr
    assert "2 of 5 rows issued, 3 failed" in done.stdout
    with open(report, encoding="utf-8-sig", newline="") as fh:
        failed = [(r["row"], r["column"], r["element"]) for r in csv.DictReader(fh)]
    assert failed == [("3", "family_name", "learner.familyName"),
                      ("4", "learning_outcomes_lv/learning_outcomes_en", "learning_outcomes_lv/learning_outcomes_en"),
                      ("6", "title_lv/title_en", "title")]
    creds = stored(client, slug)
    assert [c.learner_ref for c in creds] == ["ST-2025-0001", "ST-2025-0004"]
    assert "row 3: family_name: the learner's family name is required" in done.stderr

    rows[2]["learning_outcomes_en"] = sample_rows()[2]["learning_outcomes_en"]
    checked = mcred(database_url, keys, "issue-csv", write(path, rows, delimiter=";"), "--institution", slug,
                    "--all-or-nothing", "--report", report)
    assert checked.returncode == 1 and "refused: nothing issued" in checked.stdout
    with open(report, encoding="utf-8-sig", newline="") as fh:
        assert [(r["row"], r["column"]) for r in csv.DictReader(fh)] == [
            ("3", "family_name"), ("4", "eqf_level"), ("6", "title_lv/title_en")]
    assert len(stored(client, slug)) == 2


def test_files_that_are_not_the_layout_are_refused(setup, database_url, tmp_path):
    client, keys = setup
    slug, _ = new_tenant(client)
    rows = sample_rows()[:2]
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("cp1257"))  # the Baltic Windows code page
    done = mcred(database_url, keys, "issue-csv", latin1, "--institution", slug)
    assert done.returncode == 2 and "is not UTF-8 text (line 2)" in done.stderr

    unknown = write(tmp_path / "unknown.csv", [{**row, "vārds": row["given_name"]} for row in rows])
    done = mcred(database_url, keys, "issue-csv", unknown, "--institution", slug)
    assert done.returncode == 2 and "unknown columns vārds" in done.stderr
    assert all(column in done.stderr for column in COLUMNS)

    done = mcred(database_url, keys, "issue-csv", SAMPLE, "--institution", "no-such-institution")
    assert done.returncode == 2 and "No institution" in done.stderr
    assert stored(client, slug) == []


def test_the_progress_bar_is_not_crossed_by_log_lines_and_a_missing_file_is_said_plainly(setup, database_url,
                                                                                         tmp_path):
    client, keys = setup
    slug, _ = new_tenant(client)
    quiet = mcred(database_url, keys, "issue-csv", SAMPLE, "--institution", slug)
    assert quiet.returncode == 0, quiet.stderr
    assert "8/8" in quiet.stderr and '{"' not in quiet.stderr  # the bar, and not one JSON log line
    log = tmp_path / "issue.log"
    logged = mcred(database_url, keys, "issue-csv", SAMPLE, "--institution", slug, "--log-file", log)
    assert logged.returncode == 0 and '{"' not in logged.stderr
    events = [json.loads(line)["event"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert events.count("credential.issued") == 8 and "batch.accepted" in events

    missing = mcred(database_url, keys, "issue-csv", tmp_path / "kohorta.csv", "--institution", slug)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert f"Cannot read {tmp_path / 'kohorta.csv'}: there is no such file." in missing.stderr
    folder = mcred(database_url, keys, "issue-csv", tmp_path, "--institution", slug)
    assert folder.returncode == 2 and "Traceback" not in folder.stderr and "Cannot read" in folder.stderr
    unwritable = mcred(database_url, keys, "issue-csv", SAMPLE, "--institution", slug, "--log-file",
                       tmp_path / "no-folder" / "x.log")
    assert unwritable.returncode == 2 and "Cannot write the log file" in unwritable.stderr


def test_the_results_file_has_every_row_and_the_learners_get_their_links(setup, database_url, tmp_path,
                                                                         smtp_server):
    from app.batch_results import COLUMNS

    client, keys = setup
    slug, key = new_tenant(client)
    url, mailbox = smtp_server
    rows = sample_rows()[:4]
    rows[2]["family_name"] = ""  # row 4 is refused
    path = write(tmp_path / "kohorta.csv", rows)
    results = tmp_path / "rezultāti.csv"
    done = mcred(database_url, keys, "issue-csv", path, "--institution", slug, "--results", results,
                 env={"MCRED_SMTP_URL": url, "MCRED_SMTP_FROM": "noreply@mcred.example.lv"})
    assert done.returncode == 1, done.stderr
    assert results.read_bytes().startswith("\ufeff".encode())  # a BOM, as the failed-rows report
    with open(results, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == COLUMNS
        got = list(reader)
    assert [(r["row"], r["status"], r["learner_reference"]) for r in got] == [
        ("2", "issued", "ST-2025-0001"), ("3", "issued", "ST-2025-0002"), ("4", "failed", "ST-2025-0003"),
        ("5", "issued", "ST-2025-0004")]
    assert got[2]["message"].startswith("family_name: the learner's family name is required")
    assert got[0]["learner_name"] == "Anna Bērziņa" and got[2]["learner_name"] == rows[2]["given_name"]
    tokens = {c.id: (c.download_token, c.verify_token) for c in stored(client, slug)}
    for r in (got[0], got[1], got[3]):
        download, verify = tokens[r["credential_id"]]
        assert r["learner_page"] == f"{ORIGIN}/download/{download}" and r["verification_link"] == f"{ORIGIN}/v/{verify}"
        assert r["wallet_offer_link"].startswith("openid-credential-offer://?credential_offer_uri=")
        assert r["email_status"] == "sent" and r["email_error"] == ""
    sent = {m.envelope_to[0]: m.get_content() for m in mailbox.messages}
    assert sorted(sent) == sorted(r["learner_email"] for n, r in enumerate(rows) if n != 2)
    assert got[0]["learner_page"] in sent[rows[0]["learner_email"]].split()

    batch_id = done.stdout.split("batch ")[1].split(".")[0]  # the API gives the same lines
    answer = client.get(f"/batches/{batch_id}", headers={"Authorization": f"Bearer {key}", "Accept": "text/csv"})
    api = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    same = ("item", "status", "credential_id", "learner_page", "wallet_offer_link", "wallet_tx_code", "email_status")
    assert [[r[c] for c in same] for r in api] == [[r[c] for c in same] for r in got]
    json_items = client.get(f"/batches/{batch_id}", headers={"Authorization": f"Bearer {key}"}).json()["items"]
    assert [(i["links"] or {}).get("walletOffer", "") for i in json_items] == [r["wallet_offer_link"] for r in api]
