"""What the verification says to people, in Latvian and English: one message per check or warning code.

The codes are the verification's (app.domain.verification) and the proof suites' (app.domain.proof_result); the
pages add plainer "why" texts of their own (app.i18n). Technical details stay English, in ``detail``.
"""

from __future__ import annotations

from app.domain import proof_result as pcodes

MESSAGES: dict[str, tuple[str, str]] = {
    # proof
    "proof-valid": ("Elektroniskais paraksts ir īsts: dati nav mainīti kopš izsniegšanas.",
                    "The digital signature is genuine: the data have not changed since issuance."),
    pcodes.SIGNATURE_INVALID: ("Paraksts neatbilst datiem: apliecinājums ir mainīts vai parakstīts ar citu atslēgu.",
                               "The signature does not match the data: the credential was altered or signed by "
                               "another key."),
    pcodes.PROOF_MISSING: ("Apliecinājumam nav elektroniskā paraksta.", "The credential has no digital signature."),
    pcodes.UNSUPPORTED_CRYPTOSUITE: ("Paraksta veids netiek atbalstīts.", "The proof type is not supported."),
    pcodes.PROOF_MALFORMED: ("Paraksts ir bojāts vai nepilnīgs.", "The proof is malformed or incomplete."),
    pcodes.PROOF_CONTEXT_MISMATCH: ("Paraksta konteksts neatbilst dokumentam.",
                                    "The proof's context does not match the document."),
    pcodes.CREATED_IN_FUTURE: ("Paraksta izveides datums ir nākotnē.", "The proof's creation date is in the future."),
    pcodes.PROOF_EXPIRED: ("Paraksta derīgums ir beidzies.", "The proof itself has expired."),
    pcodes.PURPOSE_MISMATCH: ("Paraksts nav paredzēts šim nolūkam.", "The proof was not made for this purpose."),
    pcodes.CHALLENGE_MISMATCH: ("Paraksts neattiecas uz šo pieprasījumu (challenge).",
                                "The proof was not made for this request (challenge)."),
    pcodes.DOMAIN_MISMATCH: ("Paraksts paredzēts citam saņēmējam (domain).",
                             "The proof was made for another recipient (domain)."),
    pcodes.PREVIOUS_PROOF_MISSING: ("Parakstu ķēdē trūkst iepriekšējā paraksta.",
                                    "A proof in the chain names a previous proof that is missing."),
    pcodes.UNKNOWN_VERIFICATION_METHOD: ("Parakstītāja atslēga nav atrodama.",
                                         "The signing key could not be found."),
    pcodes.UNSUPPORTED_VERIFICATION_METHOD: ("Parakstītāja atslēga nav derīga Ed25519 atslēga.",
                                             "The signing key is not a usable Ed25519 key."),
    "did-unavailable": ("Izsniedzēja DID dokumentu pašlaik nevar nolasīt; pārbaudi atkārtojiet vēlāk.",
                        "The issuer's DID document cannot be read right now; try again later."),
    "not-checked": ("Nav pārbaudīts, jo iepriekšēja pārbaude neizdevās.",
                    "Not checked, because an earlier check did not pass."),
    # issuer
    "issuer-key-valid": ("Parakstītāja atslēga pieder apliecinājumā norādītajam izsniedzējam.",
                         "The signing key belongs to the issuer the credential names."),
    "issuer-unbound": ("Izsniedzējs nav DID, tāpēc nevar pārbaudīt, ka atslēga pieder tam: izsniedzēja vārds ir tikai "
                       "paša apliecinājuma apgalvojums.",
                       "The issuer is not a DID, so the signing key cannot be tied to it: the issuer's name is only "
                       "the credential's own claim."),
    "issuer-missing": ("Apliecinājumā nav norādīts tieši viens izsniedzējs.", "The credential does not name exactly one "
                                                                             "issuer."),
    "unsupported-did-method": ("Izsniedzēja identifikatora veids netiek atbalstīts (tikai did:key un did:web).",
                               "The issuer's identifier type is not supported (only did:key and did:web)."),
    "did-not-found": ("Izsniedzēja DID dokuments nav atrasts.", "The issuer's DID document was not found."),
    "did-invalid": ("Izsniedzēja DID ir nederīgs.", "The issuer's DID is invalid."),
    "did-document-mismatch": ("Izsniedzēja DID dokuments apraksta citu identifikatoru.",
                              "The issuer's DID document describes another identifier."),
    "key-not-issuers": ("Apliecinājums parakstīts ar atslēgu, kas nepieder izsniedzējam.",
                        "The credential was signed with a key that does not belong to the issuer."),
    "key-not-authorized": ("Izsniedzējs nav pilnvarojis šo atslēgu izsniegt apliecinājumus.",
                           "The issuer has not authorised this key to issue credentials."),
    # format
    "well-formed": ("Dokuments ir pareizi veidots, un paraksts aptver visus tā datus.",
                    "The document is well-formed and the signature covers all of its data."),
    "not-a-credential": ("Dokuments nav pareizi veidots verificējams apliecinājums.",
                         "The document is not a well-formed verifiable credential."),
    "not-a-presentation": ("Dokuments nav pareizi veidota verificējama prezentācija.",
                           "The document is not a well-formed verifiable presentation."),
    "unknown-context": ("Dokuments izmanto nezināmu JSON-LD kontekstu.", "The document uses an unknown JSON-LD context."),
    "undefined-terms": ("Dokumentā ir dati, kurus paraksts neaptvertu.",
                        "The document holds data a signature would not cover."),
    "invalid-jsonld": ("Dokuments nav derīgs JSON-LD.", "The document is not valid JSON-LD."),
    "elm-elements-missing": ("Apliecinājumā trūkst elementu, kas jānorāda katrā ES mikrokvalifikācijā.",
                             "The credential lacks elements every EU micro-credential must carry."),
    # validity
    "valid-period": ("Apliecinājums ir derīguma termiņā.", "The credential is within its validity period."),
    "no-expiry": ("Apliecinājums ir derīgs, un tam nav beigu termiņa.",
                  "The credential is valid and does not expire."),
    "expired": ("Apliecinājuma derīguma termiņš ir beidzies.", "The credential has expired."),
    "not-yet-valid": ("Apliecinājums vēl nav stājies spēkā.", "The credential is not valid yet."),
    "invalid-date": ("Apliecinājuma derīguma datums ir nederīgs.", "A validity date of the credential is invalid."),
    # status
    "not-revoked": ("Izsniedzējs apliecinājumu nav atsaucis un nav apturējis.",
                    "The issuer has not revoked or suspended the credential."),
    "no-status": ("Apliecinājumam nav statusa ieraksta: izsniedzējs to nevar atsaukt.",
                  "The credential has no status entry: the issuer cannot revoke it."),
    "revoked": ("Izsniedzējs apliecinājumu ir atsaucis.", "The issuer has revoked the credential."),
    "suspended": ("Izsniedzējs apliecinājuma darbību ir apturējis.", "The issuer has suspended the credential."),
    "status-list-unavailable": ("Statusa sarakstu pašlaik nevar nolasīt: nav zināms, vai apliecinājums ir atsaukts.",
                                "The status list cannot be read right now: it is unknown whether the credential "
                                "is revoked."),
    "insecure-url": ("Statusa saraksts nav pieejams drošā, publiskā HTTPS adresē, tāpēc tas netika nolasīts.",
                     "The status list is not at a secure, public HTTPS address, so it was not read."),
    "status-list-invalid": ("Statusa saraksts nav derīgs vai nav autentisks: statuss nav zināms.",
                            "The status list is invalid or not authentic: the status is unknown."),
    "status-list-issuer-mismatch": ("Statusa sarakstu izdevis cits izsniedzējs: statuss nav zināms.",
                                    "The status list was published by another issuer: the status is unknown."),
    "status-list-expired": ("Statusa saraksta derīgums ir beidzies: statuss nav zināms.",
                            "The status list has expired: the status is unknown."),
    "unsupported-status-type": ("Statusa ieraksta veids netiek atbalstīts: statuss nav zināms.",
                                "The status entry type is not supported: the status is unknown."),
    "too-many-status-entries": ("Apliecinājumam ir pārāk daudz statusa ierakstu: statuss nav zināms.",
                                "The credential has too many status entries: the status is unknown."),
    "verification-timeout": ("Pārbaude neiekļāvās laika limitā: statuss nav zināms.",
                             "The verification ran out of time: the status is unknown."),
    # trust and other warnings
    "issuer-not-recognised": ("Šis pakalpojums neatpazīst izsniedzēju: izsniedzēja nosaukums ir tikai paša "
                              "apliecinājuma apgalvojums.",
                              "This service does not recognise the issuer: the issuer's name is only the "
                              "credential's own claim."),
    "issuer-name-mismatch": ("Apliecinājumā norādītais izsniedzēja vai piešķīrējiestādes nosaukums atšķiras no "
                             "atpazītās iestādes nosaukuma.",
                             "The issuer or awarding body name the credential gives differs from the recognised "
                             "institution's name."),
    "verification-incomplete": ("Daļu pārbaužu nevarēja veikt; rezultāts var mainīties, kad attālie dokumenti būs "
                                "pieejami.",
                                "Some checks could not be made; the result may change once the remote documents "
                                "can be read."),
    # presentations
    "holder-unbound": ("Prezentācijai nav DID turētāja, kuram piesaistīt parakstu.",
                       "The presentation names no DID holder the proof could be tied to."),
    "holder-key-valid": ("Prezentāciju parakstījis tās turētājs.", "The presentation was signed by its holder."),
    "holder-missing": ("Prezentācijā norādīti vairāki turētāji.", "The presentation names more than one holder."),
}


def message(code: str) -> dict:
    lv, en = MESSAGES.get(code, ("Pārbaude neizdevās.", "The check did not pass."))
    return {"lv": lv, "en": en}
