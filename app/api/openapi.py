"""The OpenAPI document, generated from the models that validate the requests and responses (app.api.models).

FastAPI generates the routes' parameters and response models; this adds what the routes read themselves (bounded
parsing, see deps.json_body, then validation by their model): the request body models, the micro-credential
input (the domain's own pydantic model, with its example) and the problem model, as components. FastAPI's default
422 ``HTTPValidationError`` (``{"detail": …}``) is never sent: every such answer is the problem+json that
app.api.problems renders, and the document says so.
"""

from __future__ import annotations

import copy
import json
import re

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from app.api.models import (
    EXTRA_MODELS,
    REF,
    REQUEST_MODELS,
    BatchRequest,
    CohortRequest,
    IssueRequest,
    body_doc,
    problems,
)
from app.api.oid4vci_models import OAUTH_MODELS
from app.api.problems import is_oauth_path
from app.domain.microcredential import MicroCredentialInput

_SCHEMA = MicroCredentialInput.model_json_schema(ref_template=REF)
_DEFS = _SCHEMA.pop("$defs", {})
_EXAMPLE = (_SCHEMA.get("examples") or [None])[0]
_, _MODELS = models_json_schema([(m, "validation") for m in (*REQUEST_MODELS, *EXTRA_MODELS,
                                                                        *OAUTH_MODELS)], ref_template=REF)

_UNSIGNED_VC_EXAMPLE = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "type": ["VerifiableCredential", "ExampleAlumniCredential"],
    "issuer": "did:web:mcred.example:institutions:lu",
    "credentialSubject": {"id": "did:example:learner", "alumniOf": "Latvijas Universitāte"},
}

ISSUE_BODY = body_doc(IssueRequest, examples={"microCredential": {"microCredential": _EXAMPLE},
                                              "unsignedVc": {"credential": _UNSIGNED_VC_EXAMPLE}})
COHORT_BODY = body_doc(CohortRequest, examples={"cohort": {"microCredentials": [_EXAMPLE]} if _EXAMPLE else None})
BATCH_BODY = body_doc(BatchRequest, examples={"batch": {"items": [_EXAMPLE], "mode": "partial"} if _EXAMPLE else None})
_VALIDATION_ERROR = REF.format(model="HTTPValidationError")


def _problem_422(schema: dict) -> None:
    """Every 422 FastAPI documents as ``{"detail": …}`` is, as sent, a problem (app.api.problems)."""
    for template, path in schema.get("paths", {}).items():
        for operation in path.values():
            if is_oauth_path(template):  # OAuth endpoints answer invalid parameters 400 invalid_request
                operation.get("responses", {}).pop("422", None)
            response = operation.get("responses", {}).get("422")
            if response and _VALIDATION_ERROR in str(response.get("content")):
                operation["responses"]["422"] = problems(422)[422]
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)

# The JSON reader refuses a NUL character anywhere in a body, a key or the URL (deps.json_body: PostgreSQL cannot
# store it): every string the document describes says so, and members no model names are NUL-free JSON too.
NUL_FREE = "^[^\\x00]*$"
_JSON_VALUE = REF.format(model="JsonValue")
_JSON_VALUE_SCHEMA = {"description": "Any JSON without a NUL character in a string or a key.", "anyOf": [
    {"type": "string", "pattern": NUL_FREE}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
    {"type": "array", "items": {"$ref": _JSON_VALUE}},
    {"type": "object", "propertyNames": {"pattern": NUL_FREE}, "additionalProperties": {"$ref": _JSON_VALUE}}]}


def _no_nul(schema) -> None:
    """Say in ``schema`` (and every schema within it) that strings and keys hold no NUL character."""
    if not isinstance(schema, dict):
        return
    for key in ("properties", "patternProperties"):
        for sub in (schema.get(key) or {}).values():
            _no_nul(sub)
    for key in ("items", "additionalProperties", "not", "contains"):
        _no_nul(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for sub in schema.get(key) or ():
            _no_nul(sub)
    kind = schema.get("type")
    if kind == "string" and not {"enum", "const", "format"} & set(schema):
        if "pattern" not in schema:
            schema["pattern"] = NUL_FREE
        elif schema["pattern"] != NUL_FREE and {"pattern": NUL_FREE} not in schema.get("allOf", ()):
            schema["allOf"] = [*schema.get("allOf", ()), {"pattern": NUL_FREE}]
    if (kind == "object" or "properties" in schema) and schema.get("additionalProperties") is not False:
        schema.setdefault("propertyNames", {"pattern": NUL_FREE})
        if schema.get("additionalProperties", True) is True:
            schema["additionalProperties"] = {"$ref": _JSON_VALUE}


def _no_nul_anywhere(document: dict) -> None:
    """``_no_nul`` on what requests send: their parameters, bodies and the components those refer to (answers may
    echo a NUL they refused, e.g. a problem's ``instance``)."""
    components = document.get("components", {}).get("schemas", {})
    todo: list = []
    for path in document.get("paths", {}).values():
        for operation in path.values():
            todo += [parameter.get("schema") for parameter in operation.get("parameters", ())]
            todo += [media.get("schema") for media in (operation.get("requestBody") or {}).get("content", {}).values()]
    seen: set[str] = set()
    while todo:
        schema = todo.pop()
        for name in re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", json.dumps(schema)):
            if name not in seen and name in components:
                seen.add(name)
                todo.append(components[name])
        _no_nul(schema)


def install(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in {**_DEFS, **_MODELS["$defs"]}.items():
                components.setdefault(name, copy.deepcopy(definition))  # the shared definitions stay as they are
            components["MicroCredentialInput"] = copy.deepcopy(_SCHEMA)
            components["JsonValue"] = _JSON_VALUE_SCHEMA
            _problem_422(schema)
            _no_nul_anywhere(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
