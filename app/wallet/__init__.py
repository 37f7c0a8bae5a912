"""OpenID for Verifiable Credential Issuance 1.0 (OID4VCI): learners take their credential into a wallet.

metadata: discovery (credential issuer and authorization server metadata); offers: credential offers with the
pre-authorized code and transaction code; proof: the wallet's key proof and its DID; issuance: the token, nonce
and credential endpoints' work, and the wallet copy signed at pickup.
"""
