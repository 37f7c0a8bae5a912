"""What the verification says to people, in Latvian and English: one message per check or warning code.

The codes are the verification's (app.domain.verification) and the proof suites' (app.domain.proof_result); the
pages add plainer "why" texts of their own (app.i18n). Technical details stay English, in ``detail``.
"""

from __future__ import annotations

from app.domain import proof_result as pcodes
from app.texts.terms import GENERIC, Term, phrase

MESSAGES: dict[str, tuple[str, str]] = {
    # proof
    "proof-valid": ("Elektroniskais paraksts ir īsts: dati nav mainīti kopš izsniegšanas.",
                    "The digital signature is genuine: the data have not changed since issuance."),
    pcodes.SIGNATURE_INVALID: ("Paraksts neatbilst datiem: {nom} ir {mainīts|mainīta} vai {parakstīts|parakstīta} "
                               "ar citu atslēgu.",
                               "The signature does not match the data: the {nom} was altered or signed by "
                               "another key."),
    pcodes.PROOF_MISSING: ("{Dat} nav elektroniskā paraksta.", "The {nom} has no digital signature."),
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
    "issuer-key-valid": ("Parakstītāja atslēga pieder {loc} norādītajam izsniedzējam.",
                         "The signing key belongs to the issuer the {nom} names."),
    "issuer-unbound": ("Izsniedzējs nav DID, tāpēc nevar pārbaudīt, ka atslēga pieder tam: izsniedzēja vārds ir tikai "
                       "{paša|pašas} {gen} apgalvojums.",
                       "The issuer is not a DID, so the signing key cannot be tied to it: the issuer's name is only "
                       "the {nom}'s own claim."),
    "issuer-missing": ("{Loc} nav norādīts tieši viens izsniedzējs.", "The {nom} does not name exactly one issuer."),
    "unsupported-did-method": ("Izsniedzēja identifikatora veids netiek atbalstīts (tikai did:key un did:web).",
                               "The issuer's identifier type is not supported (only did:key and did:web)."),
    "did-not-found": ("Izsniedzēja DID dokuments nav atrasts.", "The issuer's DID document was not found."),
    "did-invalid": ("Izsniedzēja DID ir nederīgs.", "The issuer's DID is invalid."),
    "did-document-mismatch": ("Izsniedzēja DID dokuments apraksta citu identifikatoru.",
                              "The issuer's DID document describes another identifier."),
    "key-not-issuers": ("{Nom} {parakstīts|parakstīta} ar atslēgu, kas nepieder izsniedzējam.",
                        "The {nom} was signed with a key that does not belong to the issuer."),
    "key-not-authorized": ("Izsniedzējs nav pilnvarojis šo atslēgu parakstīt {acc}.",
                           "The issuer has not authorised this key to sign the {nom}."),
    # format
    "well-formed": ("Dokuments ir pareizi veidots, un paraksts aptver visus tā datus.",
                    "The document is well-formed and the signature covers all of its data."),
    "not-a-credential": ("Dokuments nav pareizi {veidots|veidota} {nom}.", "The document is not a well-formed {nom}."),
    "not-a-presentation": ("Dokuments nav pareizi veidota verificējama prezentācija.",
                           "The document is not a well-formed verifiable presentation."),
    "unknown-context": ("Dokuments izmanto nezināmu JSON-LD kontekstu.", "The document uses an unknown JSON-LD context."),
    "undefined-terms": ("Dokumentā ir dati, kurus paraksts neaptvertu.",
                        "The document holds data a signature would not cover."),
    "invalid-jsonld": ("Dokuments nav derīgs JSON-LD.", "The document is not valid JSON-LD."),
    "elm-elements-missing": ("{Loc} trūkst elementu, kas jānorāda katrā ES mikrokvalifikācijā.",
                             "The {nom} lacks elements every EU micro-credential must carry."),
    # validity
    "valid-period": ("{Nom} ir derīguma termiņā.", "The {nom} is within its validity period."),
    "no-expiry": ("{Nom} ir {derīgs|derīga}, un {tam|tai} nav beigu termiņa.",
                  "The {nom} is valid and does not expire."),
    "expired": ("{Gen} derīguma termiņš ir beidzies.", "The {nom} has expired."),
    "not-yet-valid": ("{Nom} vēl nav {stājies|stājusies} spēkā.", "The {nom} is not valid yet."),
    "invalid-date": ("{Gen} derīguma datums ir nederīgs.", "A validity date of the {nom} is invalid."),
    # status
    "not-revoked": ("Izsniedzējs {acc} nav atsaucis un nav apturējis.",
                    "The issuer has not revoked or suspended the {nom}."),
    "no-status": ("{Dat} nav statusa ieraksta: izsniedzējs to nevar atsaukt.",
                  "The {nom} has no status entry: the issuer cannot revoke it."),
    "revoked": ("Izsniedzējs {acc} ir atsaucis.", "The issuer has revoked the {nom}."),
    "suspended": ("Izsniedzējs {gen} darbību ir apturējis.", "The issuer has suspended the {nom}."),
    "status-list-unavailable": ("Statusa sarakstu pašlaik nevar nolasīt: nav zināms, vai {nom} ir "
                                "{atsaukts|atsaukta}.",
                                "The status list cannot be read right now: it is unknown whether the {nom} "
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
    "too-many-status-entries": ("{Dat} ir pārāk daudz statusa ierakstu: statuss nav zināms.",
                                "The {nom} has too many status entries: the status is unknown."),
    "verification-timeout": ("Pārbaude neiekļāvās laika limitā: statuss nav zināms.",
                             "The verification ran out of time: the status is unknown."),
    # trust and other warnings
    "issuer-not-recognised": ("Šis pakalpojums neatpazīst izsniedzēju: izsniedzēja nosaukums ir tikai {paša|pašas} "
                              "{gen} apgalvojums.",
                              "This service does not recognise the issuer: the issuer's name is only the "
                              "{nom}'s own claim."),
    "issuer-name-mismatch": ("{Loc} norādītais izsniedzēja vai piešķīrējiestādes nosaukums atšķiras no "
                             "atpazītās iestādes nosaukuma.",
                             "The issuer or awarding body name the {nom} gives differs from the recognised "
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


def message(code: str, term: Term | None = None) -> dict:
    """The lv/en message of ``code``, naming the credential by ``term`` (app.texts.terms): its document type, else
    "mikrokvalifikācija" for an ELM credential; "digitālais apliecinājums" / "credential" when not given."""
    lv, en = MESSAGES.get(code, ("Pārbaude neizdevās.", "The check did not pass."))
    term = term or GENERIC
    return {"lv": phrase(lv, "lv", term), "en": phrase(en, "en", term)}


def warning_message(w: dict, term: Term) -> dict:
    """A warning's message (``w["message"]``, made before the credential was read) naming the credential by
    ``term``: the code's message is replaced, anything the warning added after it (the names that differ) kept."""
    generic, termed = message(w["code"], GENERIC), message(w["code"], term)
    return {lang: termed[lang] + text[len(generic[lang]):] if lang in termed and text.startswith(generic[lang])
            else text for lang, text in w["message"].items()}
