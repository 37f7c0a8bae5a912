"""Shared fixtures. The contexts are installed (from the mirror) once per session before anything loads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import contexts
from app.domain.jsonld import make_document_loader

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def context_documents() -> dict:
    contexts.install()
    return contexts.load_documents()


@pytest.fixture(scope="session")
def loader(context_documents):
    return make_document_loader(context_documents)


@pytest.fixture(scope="session")
def elm_sample() -> dict:
    return json.loads((SHARED / "elm" / "sample-mc-annex1-unsigned.jsonld").read_text())
