"""An installed wheel runs without the source tree: its migrations, context pins, templates and static files are
package data, and every path it writes is relative to the working directory (or set in the environment)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import httpx

from tests.liveserver import ROOT, free_port, mcred_env, mcred_run, mcred_serve


def test_a_wheel_installed_elsewhere_sets_up_migrates_and_serves(tmp_path):
    # Built from a copy of what the wheel is made of: an in-tree build would leave build/ in the checkout.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "app", source / "app", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("mcred-*.whl"))
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site),
                                str(wheel)], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    # The dependencies come from this environment; mcred itself only from the wheel.
    work = tmp_path / "work"
    work.mkdir()
    port = free_port()
    mirrors = os.pathsep.join(str(ROOT.parent / "shared" / "data" / d) for d in ("contexts", "elm"))
    env = mcred_env(PYTHONPATH=str(site), MCRED_CONTEXT_MIRRORS=mirrors, MCRED_PUBLIC_URL=f"http://127.0.0.1:{port}")
    where = subprocess.run([sys.executable, "-c", "import app; print(app.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr

    assert mcred_run(env, "setup-contexts", cwd=work).returncode == 0
    assert len(list((work / "contexts").glob("*.jsonld"))) >= 10
    assert mcred_run(env, "migrate", cwd=work).returncode == 0
    assert (work / "data" / "mcred.sqlite3").is_file()
    created = mcred_run(env, "create-institution", "lu", "--name-lv", "Latvijas Universitāte", cwd=work)
    assert created.returncode == 0, created.stderr
    did = json.loads(created.stdout)["did"]
    with mcred_serve(env, port=port, cwd=work) as (_proc, base):
        assert httpx.get(f"{base}/ready").json() == {"status": "ready"}
        assert httpx.get(f"{base}/institutions/lu/did.json").json()["id"] == did
        assert httpx.get(f"{base}/verify").status_code == 200
        assert httpx.get(f"{base}/static/verify.css").status_code == 200
    assert list((work / "keys").glob("lu-*.pem"))
