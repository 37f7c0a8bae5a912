"""The IRIs every check reads: one place for the vocabulary of what is signed.

A signature covers RDF statements, and a JSON-LD context (inline, property-scoped or type-scoped) can give any IRI
any term name, so a decision is only ever taken on these full IRIs (VC Data Model 2.0, section 4.1; VC Data
Integrity 1.0, section 2.4). Term names are for showing a field to a person.
"""

from __future__ import annotations

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

# VC Data Model 1.1 and 2.0 share one namespace (VCDM 2.0, appendix B.2: the 1.1 terms keep their IRIs).
CRED = "https://www.w3.org/2018/credentials#"
VERIFIABLE_CREDENTIAL = CRED + "VerifiableCredential"
VERIFIABLE_PRESENTATION = CRED + "VerifiablePresentation"
ISSUER = CRED + "issuer"
HOLDER = CRED + "holder"
CREDENTIAL_SUBJECT = CRED + "credentialSubject"
CREDENTIAL_STATUS = CRED + "credentialStatus"
CREDENTIAL_SCHEMA = CRED + "credentialSchema"
EMBEDDED_CREDENTIAL = CRED + "verifiableCredential"
RELATED_RESOURCE = CRED + "relatedResource"
DIGEST_SRI = CRED + "digestSRI"
VALID_FROM = CRED + "validFrom"
VALID_UNTIL = CRED + "validUntil"
ISSUANCE_DATE = CRED + "issuanceDate"
EXPIRATION_DATE = CRED + "expirationDate"
# VCDM 1.1 section 7.1 / 2.0 section 4.9: every statement of either kind counts; the strictest wins.
VALIDITY_STARTS = (VALID_FROM, ISSUANCE_DATE)
VALIDITY_ENDS = (VALID_UNTIL, EXPIRATION_DATE)
# Objects the data model requires to carry a type (VCDM 2.0, sections 4.10-4.13, 5.3-5.6).
TYPED_OBJECTS = tuple(CRED + n for n in ("credentialStatus", "credentialSchema", "termsOfUse", "evidence",
                                         "refreshService"))

SEC = "https://w3id.org/security#"
DIGEST_MULTIBASE = SEC + "digestMultibase"

# Bitstring Status List v1.0 (section 2.1) and its predecessor StatusList2021.
STATUS = "https://www.w3.org/ns/credentials/status#"
SL2021 = "https://w3id.org/vc/status-list#"
STATUS_ENTRY_TYPES = {STATUS + "BitstringStatusListEntry": STATUS + "BitstringStatusListCredential",
                      SL2021 + "StatusList2021Entry": SL2021 + "StatusList2021Credential"}
STATUS_LIST_TYPES = tuple(STATUS_ENTRY_TYPES.values())
STATUS_PURPOSE = (STATUS + "statusPurpose", SL2021 + "statusPurpose")
STATUS_LIST_INDEX = (STATUS + "statusListIndex", SL2021 + "statusListIndex")
STATUS_LIST_CREDENTIAL = (STATUS + "statusListCredential", SL2021 + "statusListCredential")
STATUS_SIZE = (STATUS + "statusSize",)
ENCODED_LIST = (STATUS + "encodedList", SL2021 + "encodedList")

# The European Learning Model (ELM 3) and the vocabularies it reuses.
ELM = "http://data.europa.eu/snb/model/elm/"
EUROPEAN_DIGITAL_CREDENTIAL = ELM + "EuropeanDigitalCredential"
AWARDING_BODY = ELM + "awardingBody"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LEGAL_NAME = "http://www.w3.org/ns/regorg#legalName"
# Every predicate that gives an organisation a name a person may read (ELM Organisation: legalName, altLabel;
# VCDM 2.0 issuer: name; schema.org / FOAF / SKOS names of other vocabularies).
NAME_PREDICATES = (LEGAL_NAME, SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel",
                   "https://schema.org/name", "http://schema.org/name", "https://schema.org/legalName",
                   "http://schema.org/legalName", "https://schema.org/alternateName",
                   "http://schema.org/alternateName", "http://xmlns.com/foaf/0.1/name",
                   "http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title")

# The local names of the properties this service decides on: a predicate with one of these names under another
# IRI says something about validity or status that no verifier reads (see app.issuing.prepare_unsigned_vc).
DECISIVE_LOCAL_NAMES = frozenset({"validFrom", "validUntil", "issuanceDate", "expirationDate", "credentialStatus",
                                  "statusListCredential", "statusListIndex", "statusPurpose", "statusSize",
                                  "issuer"})
DECISIVE_IRIS = frozenset({VALID_FROM, VALID_UNTIL, ISSUANCE_DATE, EXPIRATION_DATE, CREDENTIAL_STATUS, ISSUER,
                           *STATUS_PURPOSE, *STATUS_LIST_INDEX, *STATUS_LIST_CREDENTIAL, *STATUS_SIZE})


def local_name(iri: str) -> str:
    """The last segment of an IRI (after its last '#', '/' or ':')."""
    for sep in ("#", "/", ":"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri
