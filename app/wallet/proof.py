"""Key proofs of the credential request: the ``jwt`` proof type (OID4VCI 1.0 Appendix F.1) and the holder's DID.

A proof is a compact JWS with ``typ`` ``openid4vci-proof+jwt``, signed (EdDSA with Ed25519, or ES256 with P-256) by
the key the credential is to be bound to, named by ``kid`` (a DID URL: did:key or did:jwk) or given as ``jwk`` (the
holder is then that key's did:jwk). Its claims: ``aud`` the Credential Issuer Identifier, ``iat`` within the
accepted window, ``nonce`` a ``c_nonce`` of the nonce endpoint (checked and spent by the caller, Appendix F.4).
JOSE itself (JWK import, JWS verification) is joserfc's.

did:key: the W3C CCG did:key method, Multikey Ed25519 (``z6Mk...``, multicodec 0xed) and P-256 (``zDn...``,
multicodec 0x1200, compressed point). did:jwk: the did:jwk method specification (``did:jwk:`` + base64url JSON JWK,
verification method ``#0``).
"""

from __future__ import annotations

import json
import warnings
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, OKPKey

from app.domain.multibase import MultibaseError, multibase_decode
from app.errors import OAuthError

# RFC 9864 deprecates "EdDSA" in favour of "Ed25519", but wallets (and OID4VCI 1.0's examples) send "EdDSA".
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)

PROOF_TYP = "openid4vci-proof+jwt"
ALGS = {"EdDSA": ("OKP", "Ed25519"), "Ed25519": ("OKP", "Ed25519"), "ES256": ("EC", "P-256")}
_ED25519 = b"\xed\x01"
_P256 = b"\x80\x24"
MAX_PROOF_BYTES = 8000


@dataclass(frozen=True)
class Proven:
    holder: str  # the DID the credential names as its subject
    nonce: str


def _b64(data: bytes) -> str:
    return urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


def invalid(detail: str) -> OAuthError:
    return OAuthError("invalid_proof", detail)


def _public(jwk: object) -> dict:
    """The public members of an OKP Ed25519 or EC P-256 JWK; anything else (a private key included) is refused."""
    if not isinstance(jwk, dict) or "d" in jwk:
        raise invalid("The proof's key must be a public JWK.")
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and isinstance(jwk.get("x"), str):
        return {"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]}
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256" and all(isinstance(jwk.get(c), str) for c in "xy"):
        return {"crv": "P-256", "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    raise invalid("The proof's key must be Ed25519 (OKP) or P-256 (EC).")


def did_jwk(jwk: dict) -> str:
    return "did:jwk:" + _b64(json.dumps(_public(jwk), separators=(",", ":"), sort_keys=True).encode())


def _did_key_jwk(did: str, fragment: str | None) -> dict:
    key = did[len("did:key:"):]
    if fragment not in (None, key):
        raise invalid("A did:key verification method's fragment is its key.")
    try:
        raw = multibase_decode(key, allowed="z")
    except MultibaseError as exc:
        raise invalid(f"The did:key is not readable: {exc.detail}") from None
    if raw[:2] == _ED25519 and len(raw) == 34:
        return {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw[2:])}
    if raw[:2] == _P256 and len(raw) == 35:
        try:
            numbers = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:]).public_numbers()
        except ValueError:
            raise invalid("The did:key's P-256 point is not on the curve.") from None
        return {"crv": "P-256", "kty": "EC", "x": _b64(numbers.x.to_bytes(32, "big")),
                "y": _b64(numbers.y.to_bytes(32, "big"))}
    raise invalid("Only Ed25519 and P-256 did:key holders are supported.")


def holder_key(header: dict) -> tuple[str, dict]:
    """(the holder's DID, its public JWK) from the proof's ``kid`` or ``jwk`` header (exactly one of them)."""
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None) or "x5c" in header:
        raise invalid("The proof must name its key by `kid` (a DID URL) or carry it as `jwk`, not both.")
    if jwk is not None:
        public = _public(jwk)
        return did_jwk(public), public
    if not isinstance(kid, str) or len(kid) > 1900:
        raise invalid("`kid` must be a DID URL.")
    did, _, fragment = kid.partition("#")
    if did.startswith("did:key:"):
        return did, _did_key_jwk(did, fragment or None)
    if did.startswith("did:jwk:"):
        if fragment not in ("", "0"):
            raise invalid("A did:jwk verification method is `#0`.")
        try:
            public = _public(json.loads(_unb64(did[len("did:jwk:"):])))
        except (ValueError, UnicodeDecodeError):
            raise invalid("The did:jwk is not a base64url JSON JWK.") from None
        return did, public
    raise invalid("Only did:key and did:jwk holders are supported.")


def verify(compact: object, *, audience: str, now: int, max_age: int, skew: int) -> Proven:
    """Check a ``jwt`` proof; the nonce it carries is returned for the caller to spend. Raises invalid_proof."""
    if not isinstance(compact, str) or len(compact) > MAX_PROOF_BYTES:
        raise invalid("A jwt proof is a compact JWS.")
    try:
        header = jws.extract_compact(compact.encode()).headers()
    except (JoseError, ValueError, UnicodeError):
        raise invalid("The proof is not a compact JWS.") from None
    if header.get("typ") != PROOF_TYP:
        raise invalid(f"The proof's `typ` must be {PROOF_TYP}.")
    alg = header.get("alg")
    if alg not in ALGS:
        raise invalid("The proof must be signed with EdDSA (Ed25519) or ES256.")
    holder, public = holder_key(header)
    if (public["kty"], public["crv"]) != ALGS[alg]:
        raise invalid(f"`alg` {alg} does not fit the holder's {public['crv']} key.")
    key = OKPKey.import_key(public) if public["kty"] == "OKP" else ECKey.import_key(public)
    try:
        payload = jws.deserialize_compact(compact, key, algorithms=[alg]).payload
        claims = json.loads(payload)
    except (JoseError, ValueError, UnicodeError):
        raise invalid("The proof's signature does not verify with the holder's key.") from None
    if not isinstance(claims, dict):
        raise invalid("The proof's payload must be a JSON object.")
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise invalid(f"The proof's `aud` must be this credential issuer, {audience}.")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise invalid("The proof must state `iat` (seconds).")
    if iat > now + skew or iat < now - max_age:
        raise invalid(f"The proof's `iat` is outside the accepted window ({max_age} s before now).")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise OAuthError("invalid_nonce", "The proof must carry a `nonce` from the nonce endpoint.")
    return Proven(holder=holder, nonce=nonce)
