"""The texts people read on mcred's public pages, in Latvian (default) and English.

Language: ``?lang=`` first, then the browser's Accept-Language (by its q-values), else Latvian.
"""

from __future__ import annotations

LANGUAGES = ("lv", "en")
DEFAULT = "lv"

CATALOGUE: dict[str, dict[str, str]] = {
    "lv": {
        "service": "Mikrokvalifikāciju apliecinājumu pārbaude",
        "lang.name": "Latviešu",
        "lang.switch": "Valoda",
        "skip": "Pāriet uz saturu",
        "page.result": "Apliecinājuma pārbaude",
        "page.form": "Pārbaudīt apliecinājuma failu",
        "page.not_found": "Saite nav derīga",
        "not_found.text": "Šī pārbaudes saite nav derīga. Pārbaudiet, vai saite nokopēta pilnībā, vai jautājiet "
                          "apliecinājuma turētājam jaunu saiti.",
        "verdict.verified": "Apliecinājums ir īsts un derīgs",
        "verdict.verified.text": "Paraksts ir īsts, izsniedzējs identificēts, apliecinājums ir derīguma termiņā un "
                                 "nav atsaukts.",
        "verdict.expired": "Apliecinājuma derīguma termiņš ir beidzies",
        "verdict.expired.text": "Apliecinājums ir īsts, bet tā derīguma termiņš ir beidzies.",
        "verdict.not-yet-valid": "Apliecinājums vēl nav stājies spēkā",
        "verdict.not-yet-valid.text": "Apliecinājums ir īsts, bet tā derīgums vēl nav sācies.",
        "verdict.unrecognised-issuer": "Paraksts ir īsts, bet izsniedzējs nav atpazīts",
        "verdict.unrecognised-issuer.text": "Apliecinājums ir parakstīts un derīgs, taču šis pakalpojums neatpazīst "
                                            "tā izsniedzēju (vai apliecinājumā norādītais nosaukums atšķiras no "
                                            "atpazītās iestādes nosaukuma): izsniedzēja nosaukums ir tikai paša "
                                            "apliecinājuma apgalvojums. Pārliecinieties pie iestādes.",
        "unverified": "Šie dati nav apstiprināti ar derīgu parakstu: tos nevar uzskatīt par patiesiem.",
        "verdict.revoked": "Apliecinājums ir atsaukts",
        "verdict.revoked.text": "Izsniedzējs šo apliecinājumu ir atsaucis; tas vairs nav derīgs.",
        "verdict.suspended": "Apliecinājuma darbība ir apturēta",
        "verdict.suspended.text": "Izsniedzējs šī apliecinājuma darbību ir uz laiku apturējis.",
        "verdict.invalid": "Apliecinājums nav derīgs",
        "verdict.invalid.text": "Apliecinājumu nevar uzskatīt par īstu: skatiet neizdevušās pārbaudes zemāk.",
        "verdict.unknown": "Apliecinājumu pašlaik nevar pilnībā pārbaudīt",
        "verdict.unknown.text": "Daļu pārbaužu nevarēja veikt (piemēram, statusa saraksts nav pieejams). "
                                "Mēģiniet vēlreiz vēlāk.",
        "checked_at": "Pārbaudīts",
        "checks": "Veiktās pārbaudes",
        "col.check": "Pārbaude",
        "col.result": "Rezultāts",
        "col.explanation": "Skaidrojums",
        "check.proof": "Elektroniskais paraksts",
        "check.issuer": "Izsniedzējs",
        "check.format": "Formāts",
        "check.validity": "Derīguma termiņš",
        "check.status": "Atsaukšanas statuss",
        "outcome.ok": "Izdevās",
        "outcome.failed": "Neizdevās",
        "outcome.unknown": "Nav zināms",
        "details": "Ko apliecinājums apliecina",
        "field.title": "Nosaukums",
        "field.documentType": "Dokuments",
        "field.programmeType": "Programmas veids",
        "field.region": "Reģions",
        "field.learnerName": "Izglītojamais",
        "field.awardingBody": "Piešķīrējiestāde",
        "field.issuer": "Izsniedzējs (DID)",
        "field.country": "Valsts",
        "field.dateOfIssue": "Izdošanas datums",
        "field.ects": "ECTS kredītpunkti",
        "field.hours": "Slodze (stundas)",
        "field.eqfLevel": "EKI līmenis",
        "field.nqfLevel": "LKI līmenis",
        "field.learningOutcomes": "Mācīšanās rezultāti",
        "field.assessment": "Novērtēšanas veids",
        "field.assessmentMode": "Novērtēšanas forma",
        "field.participation": "Dalības veids",
        "field.qualityAssurance": "Kvalitātes nodrošināšana",
        "field.grade": "Vērtējums",
        "field.validFrom": "Derīgs no",
        "field.validUntil": "Derīgs līdz",
        "field.validUntil.none": "bez beigu termiņa",
        "field.credentialId": "Apliecinājuma identifikators",
        "warnings": "Brīdinājumi",
        "actions": "Darbības",
        "action.print": "Drukājama versija",
        "action.qr_png": "QR kods (PNG)",
        "action.qr_svg": "QR kods (SVG)",
        "action.verify_other": "Pārbaudīt citu apliecinājumu",
        "form.intro": "Augšupielādējiet apliecinājuma failu (.json vai .jsonld) vai ielīmējiet tā saturu. "
                      "Apliecinājums tiek pārbaudīts tāpat kā ar QR kodu; tas netiek saglabāts.",
        "form.file": "Apliecinājuma fails",
        "form.text": "vai ielīmējiet apliecinājuma JSON",
        "form.submit": "Pārbaudīt",
        "form.error": "Kļūda",
        "form.empty": "Izvēlieties failu vai ielīmējiet apliecinājumu.",
        "form.not_json": "Tas nav derīgs JSON dokuments.",
        "form.refused": "Apliecinājumu nevar pārbaudīt",
        "qr.caption": "Skenējiet QR kodu, lai pārbaudītu šo apliecinājumu",
        "print.heading": "Mikrokvalifikācijas apliecinājums",
        "print.verify_at": "Pārbaudes adrese",
        "yes": "jā",
        "no": "nē",
    },
    "en": {
        "service": "Micro-credential verification",
        "lang.name": "English",
        "lang.switch": "Language",
        "skip": "Skip to content",
        "page.result": "Credential verification",
        "page.form": "Verify a credential file",
        "page.not_found": "Link not valid",
        "not_found.text": "This verification link is not valid. Check that the whole link was copied, or ask the "
                          "credential holder for a new link.",
        "verdict.verified": "The credential is genuine and valid",
        "verdict.verified.text": "The signature is genuine, the issuer is identified, the credential is within its "
                                 "validity period and has not been revoked.",
        "verdict.expired": "The credential has expired",
        "verdict.expired.text": "The credential is genuine, but its validity period has ended.",
        "verdict.not-yet-valid": "The credential is not valid yet",
        "verdict.not-yet-valid.text": "The credential is genuine, but its validity period has not started.",
        "verdict.unrecognised-issuer": "Genuine signature, but the issuer is not recognised",
        "verdict.unrecognised-issuer.text": "The credential is signed and valid, but this service does not "
                                            "recognise its issuer (or the name it gives differs from the "
                                            "recognised institution's name): the issuer's name is only the "
                                            "credential's own claim. Check with the institution.",
        "unverified": "These data are not confirmed by a valid signature: do not take them as facts.",
        "verdict.revoked": "The credential has been revoked",
        "verdict.revoked.text": "The issuer has revoked this credential; it is no longer valid.",
        "verdict.suspended": "The credential is suspended",
        "verdict.suspended.text": "The issuer has temporarily suspended this credential.",
        "verdict.invalid": "The credential is not valid",
        "verdict.invalid.text": "The credential cannot be trusted as genuine: see the failed checks below.",
        "verdict.unknown": "The credential cannot be fully verified right now",
        "verdict.unknown.text": "Some checks could not be made (for example the status list is unavailable). "
                                "Please try again later.",
        "checked_at": "Checked",
        "checks": "Checks made",
        "col.check": "Check",
        "col.result": "Result",
        "col.explanation": "Explanation",
        "check.proof": "Digital signature",
        "check.issuer": "Issuer",
        "check.format": "Format",
        "check.validity": "Validity period",
        "check.status": "Revocation status",
        "outcome.ok": "Passed",
        "outcome.failed": "Failed",
        "outcome.unknown": "Unknown",
        "details": "What the credential certifies",
        "field.title": "Title",
        "field.documentType": "Document",
        "field.programmeType": "Programme type",
        "field.region": "Region",
        "field.learnerName": "Learner",
        "field.awardingBody": "Awarding body",
        "field.issuer": "Issuer (DID)",
        "field.country": "Country",
        "field.dateOfIssue": "Date of issue",
        "field.ects": "ECTS credits",
        "field.hours": "Workload (hours)",
        "field.eqfLevel": "EQF level",
        "field.nqfLevel": "LQF (LKI) level",
        "field.learningOutcomes": "Learning outcomes",
        "field.assessment": "Type of assessment",
        "field.assessmentMode": "Mode of assessment",
        "field.participation": "Form of participation",
        "field.qualityAssurance": "Quality assurance",
        "field.grade": "Grade",
        "field.validFrom": "Valid from",
        "field.validUntil": "Valid until",
        "field.validUntil.none": "does not expire",
        "field.credentialId": "Credential identifier",
        "warnings": "Warnings",
        "actions": "Actions",
        "action.print": "Printable version",
        "action.qr_png": "QR code (PNG)",
        "action.qr_svg": "QR code (SVG)",
        "action.verify_other": "Verify another credential",
        "form.intro": "Upload the credential file (.json or .jsonld) or paste its content. The credential is "
                      "verified the same way as through its QR code; it is not stored.",
        "form.file": "Credential file",
        "form.text": "or paste the credential JSON",
        "form.submit": "Verify",
        "form.error": "Error",
        "form.empty": "Choose a file or paste a credential.",
        "form.not_json": "That is not a valid JSON document.",
        "form.refused": "The credential cannot be verified",
        "qr.caption": "Scan the QR code to verify this credential",
        "print.heading": "Micro-credential",
        "print.verify_at": "Verify at",
        "yes": "yes",
        "no": "no",
    },
}


def parse_accept_language(header: str | None) -> list[str]:
    """Primary language subtags of an Accept-Language header, best first (q=0 excluded)."""
    ranked = []
    for n, part in enumerate((header or "").split(",")):
        fields = part.strip().split(";")
        tag = fields[0].strip().lower()
        if not tag:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, n, tag.split("-")[0]))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(query: str | None, accept_language: str | None) -> str:
    if query in LANGUAGES:
        return query
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def t(lang: str, key: str) -> str:
    return CATALOGUE.get(lang, CATALOGUE[DEFAULT]).get(key) or CATALOGUE["en"].get(key, key)


def translator(lang: str):
    return lambda key: t(lang, key)
