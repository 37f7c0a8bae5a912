"""The admin command: contexts, migrations, institutions with their own key and DID, API keys, rotation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mcred(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


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
    assert len(list((tmp_path / "keys").glob("*.pem"))) == 3
