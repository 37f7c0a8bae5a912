"""A bounded Schemathesis run over the service's own OpenAPI document: no request may end in a 5xx.

Every operation of ``/openapi.json`` gets a fixed number of requests that Schemathesis generates from its schema,
some that fit the schema and some that break it (Hypothesis, derandomized: the same requests on every run), sent
in-process to the app with a valid API key, on SQLite and on PostgreSQL. A 4xx must be RFC 9457 problem details
(or an HTML page where the operation documents HTML).
"""

from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, response_schema_conformance, status_code_conformance
from schemathesis.core.failures import FailureGroup

from app.api.problems import is_oauth_path
from tests.apphelpers import auth, new_tenant

EXAMPLES_PER_OPERATION = 40


def _documents_html(operation) -> bool:
    return any("text/html" in (response.get("content") or {})
               for response in operation.definition.raw.get("responses", {}).values())


def _offence(operation, case, key: str) -> str | None:
    """What is wrong with the answer to ``case`` (None when nothing is)."""
    try:
        response = case.call(headers=auth(key))
    except Exception as exc:  # the in-process client re-raises what the app answered with a 500
        return f"500 ({type(exc).__name__}: {str(exc)[:200]})"
    ctype = response.headers.get("content-type", [""])[0]
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:200]}"
    if response.status_code >= 400 and not ctype.startswith("application/problem+json") \
            and not (ctype.startswith("text/html") and _documents_html(operation)) \
            and not (is_oauth_path(operation.path) and ctype.startswith("application/json")):  # OAuth's errors
        return f"{response.status_code} as {ctype!r}"
    try:  # the answer is one the document describes: its status, its media type, its body's schema
        case.validate_response(response, checks=[status_code_conformance, content_type_conformance,
                                                 response_schema_conformance])
    except FailureGroup as exc:
        return f"{response.status_code} not as documented: {exc.exceptions[0]!s:.400}"
    return None


def test_no_operation_answers_with_a_server_error(client):
    _, key = new_tenant(client, suspension_enabled=True)
    # The reproducing requests are reported whole (Schemathesis masks values of keys such as "credential").
    config = schemathesis.Config.from_dict({"output": {"sanitization": {"enabled": False}}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=config)
    offences, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Both modes in one strategy: an operation without parameters or body has no schema-breaking requests.
        cases = (operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
                 | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def run(case):
            offence = _offence(operation, case, key)
            if offence:
                offences.append(f"{operation.label}: {offence}\n    {case.as_curl_command()[:500]}")

        run()
    assert operations == sum(len(methods) for methods in client.get("/openapi.json").json()["paths"].values())
    assert not offences, f"{len(offences)} bad answers:\n" + "\n".join(offences[:30])


# --- the document and the behaviour agree (issue 20) -------------------------------------------------------------

AGREEMENT_EXAMPLES = 8
VERIFY_OPERATIONS = {"POST /credentials/verify", "POST /presentations/verify", "POST /verify"}
# Rules no JSON Schema can state (they compare two dates, or a date with today), documented in their descriptions
DATE_RULES = ("dateOfIssue", "validUntil", "learningPeriod.endDate")


def _judged_on_content(label: str, case, response) -> bool:
    """A refusal of a schema-valid request that the document describes and no schema can state: a credential or
    presentation that does not verify is answered 400 (VC API "Verify Credential"); an unsigned credential is judged
    as the RDF it states (its issuer must be this institution's DID, its terms defined, ...); a date after today,
    or before the date it must follow; an Idempotency-Key used before for another request."""
    if label in VERIFY_OPERATIONS:  # the verdict, or the form again saying why (documented per status)
        return response.status_code in (400, 409, 413, 422)
    if response.status_code != 422 or not response.headers.get("content-type", [""])[0].startswith(
            "application/problem+json"):
        return False
    if response.json().get("type", "").endswith("/idempotency-key-reused"):
        return True  # draft-ietf-httpapi-idempotency-key-header: a key reused for another request is a 422
    fields = [e.get("field", "") for e in response.json().get("errors") or []]
    body = case.body if isinstance(case.body, dict) else {}
    if label == "POST /credentials/issue" and "credential" in body and "microCredential" not in body:
        return all(f.startswith("credential") for f in fields)
    return bool(fields) and all(f.split(".", 2)[-1] in DATE_RULES or f.endswith(DATE_RULES) for f in fields)


def test_every_operation_accepts_what_its_schema_allows_and_refuses_what_it_forbids(client):
    """Schemathesis' positive_data_acceptance and negative_data_rejection over every operation: a request its schema
    allows is not refused (but for ``_judged_on_content``), one it forbids is not accepted."""
    from schemathesis.checks import negative_data_rejection, positive_data_acceptance

    _, key = new_tenant(client, suspension_enabled=True)
    config = schemathesis.Config.from_dict({"output": {"sanitization": {"enabled": False}}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=config)
    offences: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = (operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
                 | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @settings(max_examples=AGREEMENT_EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def run(case):
            response = case.call(headers=auth(key))
            try:
                case.validate_response(response, checks=[positive_data_acceptance, negative_data_rejection])
            except FailureGroup as exc:
                positive = case.meta.generation.mode is GenerationMode.POSITIVE
                if positive and _judged_on_content(operation.label, case, response):
                    return
                offences.append(f"{operation.label} ({case.meta.generation.mode.value}): {response.status_code} "
                                f"{exc.exceptions[0]!s:.300}\n    {response.text[:300]}\n"
                                f"    {case.as_curl_command()[:400]}")

        run()
    assert not offences, f"{len(offences)} disagreements:\n" + "\n".join(offences[:20])


def test_a_405_names_every_method_the_document_gives(client):
    """RFC 9110 §15.5.6 (schemathesis' unsupported_method check): every documented path answers a method it does
    not document with 405 and an ``Allow`` naming exactly the documented ones (``/verify`` has two routes)."""
    paths = client.get("/openapi.json").json()["paths"]

    def matches(template: str, path: str) -> bool:
        return re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path) is not None

    wrong = []
    for template, operations in paths.items():
        path = template.replace("{", "x").replace("}", "")  # any value: the method decides first
        # a method another template serves on this path (GET /credentials/{credential_id} for /credentials/issue)
        served = {m.upper() for t, ops in paths.items() if matches(t, path) for m in ops}
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - served):
            r = client.request(method, path)
            allow = {m.strip() for m in r.headers.get("allow", "").split(",") if m.strip()}
            if r.status_code != 405 or allow != {m.upper() for m in operations}:
                wrong.append(f"{method} {template}: {r.status_code} Allow: {r.headers.get('allow')!r}")
    assert not wrong, "\n".join(wrong)
