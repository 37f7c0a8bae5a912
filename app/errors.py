"""The one error hierarchy of mcred, rendered as RFC 9457 problem details (application/problem+json).

Every error carries its HTTP status, a stable problem ``type`` URI and a human message, so the domain can raise
them without knowing about HTTP frameworks, and the API layer renders them all the same way.
"""

from __future__ import annotations

PROBLEM_BASE = "https://mcred.eu/problems/"


class McredError(Exception):
    """Base class: a refusal with an HTTP status, a problem type slug, a title and a human detail."""

    status = 500
    slug = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str, *, errors: list[dict] | None = None, slug: str | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        if slug:
            self.slug = slug
        self.extra = extra

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def to_problem(self, instance: str | None = None) -> dict:
        body = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class InvalidInput(McredError):
    """The request is well-formed JSON but its content is refused (missing or invalid fields)."""

    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class MalformedRequest(McredError):
    """The request body could not be read as the JSON document the endpoint takes."""

    status = 400
    slug = "malformed-request"
    title = "Malformed request"


class JsonLdRefused(McredError):
    """JSON-LD processing refused the document: unknown context, dropped term, invalid JSON-LD."""

    status = 422
    slug = "jsonld-refused"
    title = "JSON-LD document refused"


class LimitExceeded(McredError):
    """A hard limit against hostile input (size, depth, nodes, canonicalization time) was exceeded."""

    status = 413
    slug = "limit-exceeded"
    title = "Limit exceeded"


class Unauthorized(McredError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(McredError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(McredError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(McredError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class UnsupportedMediaType(McredError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class VerificationFailed(McredError):
    """A credential did not verify; ``extra`` carries the VC API verification result."""

    status = 400
    slug = "verification-failed"
    title = "Credential not verified"


class UpstreamUnavailable(McredError):
    """A remote document (did:web, status list) could not be fetched."""

    status = 502
    slug = "upstream-unavailable"
    title = "Remote document unavailable"


class ConfigurationError(McredError):
    """The service is not set up to run as configured (a missing setting, an unmigrated database)."""

    status = 500
    slug = "configuration"
    title = "Configuration error"


class ServiceUnavailable(McredError):
    """The service cannot serve requests now (readiness: the database is unreachable or not migrated)."""

    status = 503
    slug = "not-ready"
    title = "Service not ready"


class TooManyRequests(McredError):
    """RFC 6585 section 4: this client has used its share (of verification work); ``retry_after`` seconds."""

    status = 429
    slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **kwargs):
        super().__init__(detail, retryAfter=retry_after, **kwargs)
        self.retry_after = retry_after


class ServiceSaturated(McredError):
    """RFC 9110 section 15.6.4: the service is busy (every verification slot taken, or the request could not start
    in time to finish within its deadline); ``retry_after`` seconds."""

    status = 503
    slug = "service-saturated"
    title = "Service busy"

    def __init__(self, detail: str, *, retry_after: int, **kwargs):
        super().__init__(detail, retryAfter=retry_after, **kwargs)
        self.retry_after = retry_after


class OAuthError(McredError):
    """An OAuth 2.0 / OpenID4VCI refusal, rendered as ``{"error", "error_description"}`` (RFC 6749 section 5.2,
    OID4VCI 1.0 sections 6.3 and 8.3.1.2), never as problem details: ``error`` is the spec's code
    (``invalid_grant``, ``invalid_token``, ``invalid_proof``, ``invalid_nonce``...)."""

    status = 400
    slug = "oauth-error"
    title = "OAuth error"

    def __init__(self, error: str, detail: str, *, status: int = 400, **kwargs):
        super().__init__(detail, **kwargs)
        self.error = error
        self.status = status

    def to_oauth(self) -> dict:
        return {"error": self.error, "error_description": self.detail}
