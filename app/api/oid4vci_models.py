"""The OpenAPI description of the OpenID4VCI endpoints (app.api.oid4vci): their members keep the specs' own
snake_case names (OID4VCI 1.0, RFC 6749, RFC 8414), and their errors are OAuth's, not problem details."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

REF = "#/components/schemas/{model}"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class OAuthError(BaseModel):
    """RFC 6749 section 5.2 (OID4VCI 1.0 sections 6.3, 8.3.1.2): ``invalid_request``, ``invalid_grant``,
    ``unsupported_grant_type``, ``invalid_token`` (401), ``invalid_credential_request``, ``invalid_proof``,
    ``invalid_nonce``, ``unknown_credential_configuration``, ``credential_request_denied``..."""

    error: str
    error_description: str | None = None


class CredentialIssuerMetadata(_Open):
    """OID4VCI 1.0 section 12.2.4."""

    credential_issuer: str
    credential_endpoint: str
    nonce_endpoint: str
    display: list[dict[str, Any]]
    credential_configurations_supported: dict[str, dict[str, Any]]


class AuthorizationServerMetadata(_Open):
    """RFC 8414 section 2."""

    issuer: str
    token_endpoint: str
    grant_types_supported: list[str]
    pre_authorized_grant_anonymous_access_supported: bool = Field(
        alias="pre-authorized_grant_anonymous_access_supported")


class CredentialOffer(_Open):
    """OID4VCI 1.0 section 4.1.1."""

    credential_issuer: str
    credential_configuration_ids: list[str]
    grants: dict[str, dict[str, Any]]


class TokenRequest(BaseModel):
    """RFC 6749 section 4.1.3 with OID4VCI 1.0 section 6.1 (application/x-www-form-urlencoded)."""

    grant_type: Literal["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    pre_authorized_code: str = Field(alias="pre-authorized_code")
    tx_code: str | None = None


class TokenResponse(_Open):
    """RFC 6749 section 5.1."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int


class NonceResponse(BaseModel):
    """OID4VCI 1.0 section 7.2."""

    c_nonce: str


class Proofs(BaseModel):
    jwt: list[str] = Field(min_length=1, max_length=1, description="One proof JWT (typ openid4vci-proof+jwt).")


class CredentialRequest(_Open):
    """OID4VCI 1.0 section 8.2."""

    credential_configuration_id: str
    proofs: Proofs


class IssuedCredential(BaseModel):
    credential: dict[str, Any] = Field(description="The wallet copy: a signed W3C VC (ldp_vc).")


class CredentialResponse(BaseModel):
    """OID4VCI 1.0 section 8.3."""

    credentials: list[IssuedCredential]


OAUTH_MODELS = (OAuthError, CredentialIssuerMetadata, AuthorizationServerMetadata, CredentialOffer, TokenRequest,
                TokenResponse, NonceResponse, CredentialRequest, CredentialResponse)


def ok(model: type[BaseModel]) -> dict:
    return {200: {"description": "OK", "content": {"application/json": {"schema": {"$ref": REF.format(
        model=model.__name__)}}}}}


def oauth_errors(*statuses: int) -> dict:
    descriptions = {400: "OAuth error (RFC 6749 section 5.2)", 401: "The access token is missing, not valid, "
                    "expired or used (RFC 6750 section 3.1: invalid_token)", 404: "No such credential issuer or offer"}
    return {status: {"description": descriptions[status], "content": {"application/json": {"schema": {
        "$ref": REF.format(model="OAuthError")}}}} for status in statuses}


def body(model: type[BaseModel], media: str = "application/json") -> dict:
    return {"requestBody": {"required": True, "content": {media: {"schema": {"$ref": REF.format(
        model=model.__name__)}}}}}
