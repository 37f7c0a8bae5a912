"""OpenAPI documentation of the JSON bodies the routes read themselves (bounded parsing, see deps.json_body).

The micro-credential schema comes from the domain's pydantic model, so the documentation cannot drift from the
validation; its sub-schemas are registered as OpenAPI components.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.domain.microcredential import MicroCredentialInput

_REF = "#/components/schemas/{model}"
_SCHEMA = MicroCredentialInput.model_json_schema(ref_template=_REF)
_DEFS = _SCHEMA.pop("$defs", {})
_EXAMPLE = (_SCHEMA.get("examples") or [None])[0]

_UNSIGNED_VC_EXAMPLE = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "type": ["VerifiableCredential", "ExampleAlumniCredential"],
    "credentialSubject": {"id": "did:example:learner", "alumniOf": "Latvijas Universitāte"},
}


def _body(schema: dict, examples: dict) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema, "examples": {k: {"value": v} for k, v in examples.items() if v is not None}}}}}


ISSUE_BODY = _body(
    {"type": "object", "properties": {
        "microCredential": {"$ref": _REF.format(model="MicroCredentialInput")},
        "credential": {"type": "object", "description": "An unsigned W3C VC (1.1 or 2.0) to sign as the institution."},
        "options": {"type": "object", "description": "VC API issue options; unknown options are ignored."}}},
    {"microCredential": {"microCredential": _EXAMPLE}, "unsignedVc": {"credential": _UNSIGNED_VC_EXAMPLE}},
)

COHORT_BODY = _body(
    {"type": "object", "required": ["microCredentials"], "properties": {
        "microCredentials": {"type": "array", "items": {"$ref": _REF.format(model="MicroCredentialInput")}}}},
    {"cohort": {"microCredentials": [_EXAMPLE]} if _EXAMPLE else None},
)

BATCH_BODY = _body(
    {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": _REF.format(model="MicroCredentialInput")}},
        "mode": {"type": "string", "enum": ["all-or-nothing", "partial"], "default": "all-or-nothing",
                 "description": "all-or-nothing: one invalid item refuses the batch; partial: the valid items are "
                                "issued and the invalid ones reported with their errors."}}},
    {"batch": {"items": [_EXAMPLE], "mode": "partial"} if _EXAMPLE else None},
)


def install(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(_DEFS)
            components["MicroCredentialInput"] = _SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
