"""Pinned JSON-LD contexts: installing them at setup and loading them, verified, at start-up.

VC Data Model 2.0, section 5.2 ("Contexts") and Data Integrity 1.0, section 2.4: implementations should use
static copies of the contexts they know rather than fetch them. ``app/context_pins.json`` (package data, so an
installed wheel has it) is the pin list; this module fills the contexts folder (``MCRED_CONTEXTS_DIR``, default
``contexts/``) from a mirror folder or the canonical URL and checks every file against its sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib import resources
from pathlib import Path

from app.errors import McredError

DEFAULT_DIR = Path("contexts")
# The read-only mirror beside a checkout (relative to the working directory, like every default path).
DEFAULT_MIRRORS = [Path("../shared/data/contexts"), Path("../shared/data/elm")]


class ContextPinError(McredError):
    slug = "context-pin"
    title = "Pinned context missing or altered"


def read_index() -> dict[str, dict]:
    return json.loads(resources.files("app").joinpath("context_pins.json").read_text())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mirror_dirs() -> list[Path]:
    env = os.environ.get("MCRED_CONTEXT_MIRRORS")
    return [Path(p) for p in env.split(os.pathsep) if p] if env else DEFAULT_MIRRORS


def install(directory: Path = DEFAULT_DIR, mirrors: list[Path] | None = None, download=None) -> list[str]:
    """Put every pinned document into ``directory``; returns one line per file saying where it came from.

    ``download(url) -> bytes`` fetches a canonical URL when no mirror has the file (None: mirrors only).
    """
    mirrors = mirror_dirs() if mirrors is None else mirrors
    directory.mkdir(parents=True, exist_ok=True)
    report = []
    for url, pin in read_index().items():
        target = directory / pin["file"]
        if target.exists() and _sha256(target.read_bytes()) == pin["sha256"]:
            report.append(f"ok        {pin['file']}")
            continue
        data, origin = None, None
        for mirror in mirrors:
            candidate = Path(mirror) / pin["file"]
            if candidate.is_file() and _sha256(candidate.read_bytes()) == pin["sha256"]:
                data, origin = candidate.read_bytes(), str(candidate)
                break
        if data is None and download is not None:
            fetched = download(pin["source"])
            if _sha256(fetched) != pin["sha256"]:
                raise ContextPinError(f"{pin['source']} does not match its pinned sha256; refusing it.")
            data, origin = fetched, pin["source"]
        if data is None:
            raise ContextPinError(f"No verified copy of {url} ({pin['file']}) in {', '.join(map(str, mirrors))}.")
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        shutil.move(tmp, target)
        report.append(f"installed {pin['file']} from {origin}")
    return report


def load_documents(directory: Path = DEFAULT_DIR) -> dict[str, dict]:
    """URL -> parsed context, every file checked against its pin (a tampered file stops the service)."""
    docs: dict[str, dict] = {}
    parsed: dict[str, dict] = {}
    for url, pin in read_index().items():
        if pin["file"] not in parsed:
            path = directory / pin["file"]
            if not path.is_file():
                raise ContextPinError(f"Context file {path} is missing: run `mcred setup-contexts`.")
            data = path.read_bytes()
            if _sha256(data) != pin["sha256"]:
                raise ContextPinError(f"Context file {path} does not match its pinned sha256.")
            parsed[pin["file"]] = json.loads(data)
        docs[url] = parsed[pin["file"]]
    return docs
