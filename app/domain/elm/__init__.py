"""Micro-credentials as European Learning Model (ELM 3) European Digital Credentials: built from the Annex I input
(build.py) and read back from any ELM credential, ours or others' (read.py). The names below are the package's
API; each lives in the module named."""

from app.domain.elm.build import build_credential, buildable, can_issue, organisation
from app.domain.elm.read import (
    MANDATORY_ELEMENTS,
    missing_micro_credential_elements,
    row_fields,
    summarize,
    text_in,
)

__all__ = ["MANDATORY_ELEMENTS", "build_credential", "buildable", "can_issue", "missing_micro_credential_elements",
           "organisation", "row_fields", "summarize", "text_in"]
