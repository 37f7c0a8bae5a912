"""A bounded Schemathesis run over the service's own OpenAPI document: no request may end in a 5xx.

Every operation of ``/openapi.json`` gets a fixed number of requests that Schemathesis generates from its schema,
some that fit the schema and some that break it (Hypothesis, derandomized: the same requests on every run), sent
in-process to the app with a valid API key, on SQLite and on PostgreSQL. A 4xx must be RFC 9457 problem details
(or an HTML page where the operation documents HTML).
"""

from __future__ import annotations

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
