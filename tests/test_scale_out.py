"""Scale-out: several stateless ``mcred serve`` processes on one PostgreSQL database and one key directory, behind
any HTTP load balancer (their shared MCRED_PUBLIC_URL is the balancer's origin; the test sends to each process
directly). Issuing through both at once never shares a status index, and each credential verifies, and shows a
revocation, through the other process."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx

from app.domain.jsonld import as_list
from tests.apphelpers import auth, issue_ok
from tests.conftest import _fresh_postgres_url
from tests.liveserver import mcred_env, mcred_run, mcred_serve

PER_PROCESS = 20


def test_two_processes_on_one_postgres_issue_at_once_and_verify_each_others(tmp_path):
    url, drop = _fresh_postgres_url()
    try:
        env = mcred_env(MCRED_DATABASE_URL=url, MCRED_KEYS_DIR=str(tmp_path / "keys"),
                        MCRED_PUBLIC_URL="https://mcred.example.test")
        assert mcred_run(env, "migrate").returncode == 0
        created = mcred_run(env, "create-institution", "lu", "--name-lv", "Latvijas Universitāte", "--suspension",
                            "--registration", "90000076669",
                            "--api-key-label", "registry")
        assert created.returncode == 0, created.stderr
        key = json.loads(created.stdout)["apiKey"]
        with mcred_serve(env) as (_a, first), mcred_serve(env) as (_b, second):
            other = {first: second, second: first}

            def issue_through(base: str, n: int) -> list[tuple[str, dict]]:
                with httpx.Client(base_url=base, headers=auth(key), timeout=120) as http:
                    out = []
                    for _ in range(n):
                        out.append((base, issue_ok(http)))
                    return out

            # Two clients per process, all four at once.
            with ThreadPoolExecutor(4) as pool:
                jobs = [pool.submit(issue_through, base, PER_PROCESS // 2) for base in (first, second) for _ in (1, 2)]
                issued = [item for job in jobs for item in job.result()]
            assert len(issued) == 2 * PER_PROCESS
            entries = [(e["statusPurpose"], e["statusListCredential"], e["statusListIndex"])
                       for _, body in issued for e in as_list(body["verifiableCredential"]["credentialStatus"])]
            assert len(entries) == 2 * len(issued) == len(set(entries))  # revocation + suspension, none shared

            for base, body in issued:
                verified = httpx.post(f"{other[base]}/credentials/verify",
                                      json={"verifiableCredential": body["verifiableCredential"]}, timeout=60)
                assert verified.status_code == 200, verified.text

            base, body = issued[0]
            revoked = httpx.post(f"{base}/credentials/{body['id']}/revoke", json={"reason": "fraud"},
                                 headers=auth(key), timeout=60)
            assert revoked.status_code == 200
            seen = httpx.post(f"{other[base]}/credentials/verify",
                              json={"verifiableCredential": body["verifiableCredential"]}, timeout=60)
            assert seen.status_code == 400 and seen.json()["verdict"] == "revoked"
            assert all(httpx.get(f"{b}/ready", timeout=10).status_code == 200 for b in (first, second))
    finally:
        drop()
