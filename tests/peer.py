"""The independent verifier/issuer (Digital Bazaar's libraries, ../shared/tools/vc-peer) as a test helper.

Tests using it are marked ``node`` and skipped where ``node`` or the installed peer (env MCRED_PEER_DIR,
default .peer/vc-peer, which scripts/test.sh installs) is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PEER_DIR = Path(os.environ.get("MCRED_PEER_DIR", ROOT / ".peer" / "vc-peer"))
NODE = shutil.which("node")

requires_peer = [
    pytest.mark.node,
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (PEER_DIR / "peer.mjs").is_file() or not (PEER_DIR / "node_modules").is_dir(),
        reason=f"vc-peer is not installed in {PEER_DIR} (set MCRED_PEER_DIR)",
    ),
]


def run_peer(command: str, document: dict, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    path = tmp_path / f"{command}-input-{os.urandom(4).hex()}.json"
    path.write_text(json.dumps(document))
    return subprocess.run(
        [NODE, str(PEER_DIR / "peer.mjs"), command, str(path), *extra],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "SHARED_DATA": str(SHARED_DATA)},
    )


def peer_verify(document: dict, tmp_path: Path) -> dict:
    done = run_peer("verify", document, tmp_path)
    try:
        out = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"peer printed no JSON: {done.stdout!r} {done.stderr!r}") from None
    assert (done.returncode == 0) == bool(out["verified"]), (done.returncode, out)
    return out
