"""Discovery: each institution is one OpenID4VCI credential issuer, ``{origin}/issuers/{slug}``, and its own
authorization server (pre-authorized code flow only).

- Credential issuer metadata, OID4VCI 1.0 section 12.2: at ``/.well-known/openid-credential-issuer`` inserted
  between the origin and the issuer's path (section 12.2.2), lv/en ``display`` with the institution's names.
- Authorization server metadata, RFC 8414 section 3 (the same path insertion), with
  ``pre-authorized_grant_anonymous_access_supported`` (OID4VCI 1.0 section 12.3).
- Credential configurations (section 12.2.4, Appendix A.1.2 "W3C VCs secured using Data Integrity", format
  ``ldp_vc``): the ELM micro-credential, and the generic VC 1.1 and VC 2.0 forms for ready VCs an institution
  signed through the API. Every one is bound to a DID of the wallet (did:key, did:jwk) proven by a ``jwt`` proof
  (EdDSA or ES256).
"""

from __future__ import annotations

from app.db.models import Institution
from app.domain.elm.build import BASE_CONTEXTS
from app.domain.jsonld import as_list
from app.domain.signed import VC1, VC2
from app.domain.status_list import STATUS_CONTEXT

ELM_CONFIGURATION = "EuropeanDigitalCredential_ldp_vc"
VC1_CONFIGURATION = "VerifiableCredential_v1_ldp_vc"
VC2_CONFIGURATION = "VerifiableCredential_v2_ldp_vc"
PROOF_ALGS = ("EdDSA", "ES256")
BINDING_METHODS = ("did:key", "did:jwk")
CRYPTOSUITES = ("eddsa-rdfc-2022",)

_DISPLAY = {
    ELM_CONFIGURATION: {"lv": ("Mikrokvalifikācija", "Eiropas mikrokvalifikācija (Eiropas mācīšanās modelis)"),
                        "en": ("Micro-credential", "European micro-credential (European Learning Model)")},
    VC1_CONFIGURATION: {"lv": ("Apliecinājums", "W3C verificējams apliecinājums"),
                        "en": ("Credential", "W3C Verifiable Credential")},
    VC2_CONFIGURATION: {"lv": ("Apliecinājums", "W3C verificējams apliecinājums (VC 2.0)"),
                        "en": ("Credential", "W3C Verifiable Credential (VC 2.0)")},
}
_DEFINITIONS = {
    ELM_CONFIGURATION: {"@context": [*BASE_CONTEXTS, STATUS_CONTEXT],
                        "type": ["VerifiableCredential", "EuropeanDigitalCredential"]},
    VC1_CONFIGURATION: {"@context": [VC1], "type": ["VerifiableCredential"]},
    VC2_CONFIGURATION: {"@context": [VC2], "type": ["VerifiableCredential"]},
}


def issuer_id(origin: str, slug: str) -> str:
    """The Credential Issuer Identifier (OID4VCI 1.0 section 12.2.1), also the authorization server's issuer."""
    return f"{origin}/issuers/{slug}"


def endpoints(origin: str, slug: str) -> dict:
    base = issuer_id(origin, slug)
    return {"token": f"{base}/token", "nonce": f"{base}/nonce", "credential": f"{base}/credential",
            "offers": f"{base}/offers"}


def configuration_for(document: dict) -> str | None:
    """The configuration a record's credential is offered under; None when it cannot name a holder (not exactly
    one subject object)."""
    subjects = as_list(document.get("credentialSubject"))
    if len(subjects) != 1 or not isinstance(subjects[0], dict):
        return None
    if "EuropeanDigitalCredential" in as_list(document.get("type")):
        return ELM_CONFIGURATION
    return VC2_CONFIGURATION if VC2 in as_list(document.get("@context")) else VC1_CONFIGURATION


def _names(inst: Institution) -> dict:
    legal = inst.profile.get("legalName") or {}
    return {lang: legal.get(lang) or legal.get("en") or legal.get("lv") or inst.slug for lang in ("lv", "en")}


def credential_issuer_metadata(origin: str, inst: Institution) -> dict:
    """OID4VCI 1.0 section 12.2.4. The issuer is its own authorization server (``authorization_servers``
    omitted, section 12.2.4)."""
    urls = endpoints(origin, inst.slug)
    names = _names(inst)
    configurations = {}
    for config_id, definition in _DEFINITIONS.items():
        configurations[config_id] = {
            "format": "ldp_vc",
            "scope": config_id,
            "cryptographic_binding_methods_supported": list(BINDING_METHODS),
            "credential_signing_alg_values_supported": list(CRYPTOSUITES),
            "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}},
            "credential_definition": definition,
            "credential_metadata": {"display": [
                {"name": name, "locale": lang, "description": f"{description} · {names[lang]}"}
                for lang, (name, description) in _DISPLAY[config_id].items()]},
        }
    return {
        "credential_issuer": issuer_id(origin, inst.slug),
        "credential_endpoint": urls["credential"],
        "nonce_endpoint": urls["nonce"],
        "display": [{"name": names[lang], "locale": lang} for lang in ("lv", "en")],
        "credential_configurations_supported": configurations,
    }


def authorization_server_metadata(origin: str, inst: Institution) -> dict:
    """RFC 8414 section 2, for the pre-authorized code grant only (OID4VCI 1.0 sections 6 and 12.3)."""
    return {
        "issuer": issuer_id(origin, inst.slug),
        "token_endpoint": endpoints(origin, inst.slug)["token"],
        "grant_types_supported": ["urn:ietf:params:oauth:grant-type:pre-authorized_code"],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
    }
