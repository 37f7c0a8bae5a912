"""The texts people read on mcred's public pages and certificates, in Latvian and English, and how dates read.

Language: ``?lang=`` first, then the browser's Accept-Language (RFC 9110 section 12.5.4, by its q-values): the best
of lv and en it accepts; a browser that accepts neither (German only, say) gets English; no header at all gets
Latvian, the service's own language.

Dates (``format_when``): a credential's dates are calendar dates encoded as 00:00:00 or 23:59:59 UTC (the date of
issue, "valid until 2030-06-30") and read as that date; any other moment is shown in Riga time
(``Europe/Riga``), e.g. "2026. gada 26. novembris, plkst. 13:05" on Latvian pages, "26 November 2026, 13:05 Riga
time" on English ones.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from app.domain.timefmt import parse_xsd

LANGUAGES = ("lv", "en")
DEFAULT = "lv"  # no Accept-Language at all
FALLBACK = "en"  # a browser that accepts none of LANGUAGES
RIGA = ZoneInfo("Europe/Riga")

_MONTHS = {
    "lv": ("janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs", "jūlijs", "augusts", "septembris",
           "oktobris", "novembris", "decembris"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

CATALOGUE: dict[str, dict[str, str]] = {
    "lv": {
        "service": "Mikrokvalifikāciju pārbaude",
        "lang.name": "Latviešu",
        "lang.switch": "Valoda",
        "skip": "Pāriet uz saturu",
        "footer": "Eiropas mācīšanās modelis (ELM) · W3C verificējami apliecinājumi",
        "page.result": "Apliecinājuma pārbaude",
        "page.form": "Pārbaudīt apliecinājuma failu",
        "page.not_found": "Saite nav derīga",
        "not_found.text": "Šī saite nav derīga. Pārbaudiet, vai saite nokopēta pilnībā, vai lūdziet "
                          "mikrokvalifikācijas turētājam vai izsniedzējam jaunu saiti.",
        # verdicts: the headline and one sentence
        "verdict.verified": "Apliecinājums ir īsts un derīgs",
        "verdict.verified.text": "To parakstījis izsniedzējs, kopš izsniegšanas tas nav mainīts, tas ir derīgs un "
                                 "nav atsaukts.",
        "verdict.unrecognised-issuer": "Paraksts ir īsts, bet izsniedzējs nav atpazīts",
        "verdict.unrecognised-issuer.text": "Apliecinājums ir parakstīts un derīgs, taču šis pakalpojums neatpazīst "
                                            "tā izsniedzēju (vai apliecinājumā norādītais nosaukums atšķiras no "
                                            "atpazītās iestādes nosaukuma): izsniedzēja nosaukums ir tikai paša "
                                            "apliecinājuma apgalvojums. Pārliecinieties pie iestādes.",
        "verdict.invalid": "Viltots vai mainīts apliecinājums",
        "verdict.invalid.text": "Neuzticieties šim dokumentam: tā saturs neatbilst izsniedzēja parakstam. Tas ir "
                                "mainīts pēc izsniegšanas, vai arī norādītais izsniedzējs to nav izsniedzis.",
        "verdict.invalid.unreadable": "Tas nav derīgs apliecinājums",
        "verdict.invalid.unreadable.text": "Dokumentu nevar pārbaudīt kā apliecinājumu, tāpēc tam nevar uzticēties.",
        "verdict.revoked": "Apliecinājums ir atsaukts",
        "verdict.revoked.text": "Izsniedzējs šo apliecinājumu ir atsaucis; tas vairs nav derīgs.",
        "verdict.suspended": "Apliecinājuma darbība ir apturēta",
        "verdict.suspended.text": "Izsniedzējs šī apliecinājuma darbību ir uz laiku apturējis; šobrīd tas nav "
                                  "derīgs.",
        "verdict.expired": "Apliecinājuma derīguma termiņš ir beidzies",
        "verdict.expired.text": "Apliecinājums ir īsts, bet tā derīguma termiņš ir beidzies.",
        "verdict.not-yet-valid": "Apliecinājums vēl nav stājies spēkā",
        "verdict.not-yet-valid.text": "Apliecinājums ir īsts, bet tā derīgums vēl nav sācies.",
        "verdict.unknown": "Apliecinājumu pašlaik nevar pilnībā pārbaudīt",
        "verdict.unknown.text": "Daļu pārbaužu nevarēja veikt (piemēram, statusa saraksts nav pieejams), tāpēc "
                                "tas nav apstiprināts. Mēģiniet vēlreiz vēlāk.",
        "reason": "Iemesls",
        "status.revoked.on": "Atsaukts",
        "status.suspended.on": "Apturēts kopš",
        "status.reason": "Iemesls",
        "contact": "Sazinieties ar izsniedzēju",
        "reason.issued-in-error": "Izsniegts kļūdas dēļ",
        "reason.fraud": "Krāpšana vai nepatiesas ziņas",
        "reason.academic-misconduct": "Akadēmiskais negodīgums",
        "reason.superseded": "Aizstāts ar citu apliecinājumu",
        "reason.learner-request": "Pēc izglītojamā lūguma",
        "reason.under-investigation": "Notiek pārbaude",
        "reason.other": "Cits iemesls",
        # the summary card
        "summary": "Kopsavilkums",
        "issuer.recognised": "atpazīts: šī pakalpojuma iestāde",
        "issuer.recognised.trust-list": "atpazīts: uzticamo izsniedzēju sarakstā",
        "issuer.not_recognised": "nav atpazīts: nosaukums ir tikai apliecinājuma apgalvojums",
        "unverified": "Šie dati nav apstiprināti ar derīgu parakstu: neuzskatiet tos par faktiem.",
        "claimed.summary": "Rādīt, ko dokuments apgalvo (nepārbaudīts)",
        "claimed.mark": "nepārbaudīts",
        "checked_at": "Pārbaudīts",
        # details
        "details": "Ko apliecinājums apliecina",
        "group.credential": "Vispārīgā informācija",
        "group.volume": "Apjoms un līmenis",
        "group.outcomes": "Mācīšanās rezultāti",
        "group.assessment": "Novērtēšana",
        "group.learning": "Mācības",
        "group.quality": "Kvalitātes nodrošināšana",
        "group.stackability": "Turpmākās iespējas",
        "group.identifiers": "Identifikatori",
        "field.issuer": "Izsniedzējs",
        "field.title": "Mikrokvalifikācija",
        "field.documentType": "Dokuments",
        "field.programmeType": "Programmas veids",
        "field.learningOpportunityType": "Mācību iespējas veids",
        "field.region": "Reģions",
        "field.learnerName": "Izglītojamais",
        "field.learnerRef": "Izglītojamā numurs",
        "field.awardingBody": "Piešķīrējiestāde",
        "field.country": "Valsts",
        "field.dateOfIssue": "Izdošanas datums",
        "field.ects": "ECTS kredītpunkti",
        "field.hours": "Slodze (stundas)",
        "field.level": "Līmenis",
        "field.learningOutcomes": "Mācīšanās rezultāti",
        "field.assessment": "Novērtēšanas veids",
        "field.assessmentType": "Novērtēšanas metode",
        "field.assessmentMode": "Novērtēšanas forma",
        "field.supervision": "Uzraudzība un identitātes pārbaude",
        "field.grade": "Vērtējums",
        "field.participation": "Dalības veids",
        "field.learningSetting": "Mācību vide",
        "field.learningPeriod": "Mācību laiks",
        "field.languages": "Mācību valoda",
        "field.prerequisites": "Priekšnosacījumi",
        "field.fieldsOfEducation": "Izglītības joma (ISCED-F)",
        "field.qualityAssurance": "Kvalitātes nodrošināšana",
        "field.stackability": "Apvienojamība",
        "field.isPartialQualification": "Daļa no kvalifikācijas",
        "field.partOf": "Ietilpst",
        "field.entitlesTo": "Var dot piekļuvi",
        "field.furtherInformation": "Papildu informācija",
        "field.validFrom": "Derīgs no",
        "field.validUntil": "Derīgs līdz",
        "field.validUntil.none": "bez beigu termiņa",
        "field.credentialId": "Apliecinājuma identifikators",
        "field.issuerId": "Izsniedzēja identifikators (DID)",
        "level.eqf": "EKI {n}. līmenis",
        "missing": "Trūkst obligāto ES elementu",
        "missing.text": "Šajā apliecinājumā nav šo elementu, kas jānorāda katrā ES mikrokvalifikācijā "
                        "(Padomes ieteikums 2022/C 243/02, I pielikums):",
        "warnings": "Brīdinājumi",
        # checks
        "checks": "Veiktās pārbaudes",
        "col.check": "Pārbaude",
        "col.result": "Rezultāts",
        "check.proof": "Paraksts",
        "check.issuer": "Izsniedzēja atslēga",
        "check.format": "Dokuments",
        "check.validity": "Derīguma termiņš",
        "check.status": "Atsaukšana un apturēšana",
        "outcome.ok": "Kārtībā",
        "outcome.failed": "Neizdevās",
        "outcome.unknown": "Nav zināms",
        "outcome.revoked": "Atsaukts",
        "outcome.suspended": "Apturēts",
        "outcome.expired": "Beidzies",
        "outcome.not-yet-valid": "Vēl nav spēkā",
        "outcome.not-checked": "Nav pārbaudīts",
        "why.proof-valid": "Izsniedzēja paraksts atbilst saturam: kopš izsniegšanas nekas nav mainīts.",
        "why.issuer-key-valid": "Parakstījis pats izsniedzējs ar savu publicēto atslēgu.",
        "why.well-formed": "Dokuments ir pilnīgs, un paraksts aptver visu tā saturu.",
        "why.valid-period": "Apliecinājums šodien ir derīgs.",
        "why.no-expiry": "Apliecinājums ir derīgs; tam nav beigu termiņa.",
        "why.not-revoked": "Izsniedzējs to nav ne atsaucis, ne apturējis.",
        "why.not-checked": "Nav pārbaudīts, jo iepriekšēja pārbaude neizdevās.",
        # actions and links
        "actions": "Darbības",
        "action.certificate": "Sertifikāts (PDF)",
        "action.qr_png": "QR kods (PNG)",
        "action.qr_svg": "QR kods (SVG)",
        "action.verify_other": "Pārbaudīt citu apliecinājumu",
        # upload form
        "form.intro": "Augšupielādējiet apliecinājuma failu (.json vai .jsonld) vai ielīmējiet tā saturu. "
                      "Apliecinājums tiek pārbaudīts tāpat kā ar QR kodu; tas netiek saglabāts.",
        "form.file": "Apliecinājuma fails",
        "form.text": "vai ielīmējiet apliecinājuma JSON",
        "form.submit": "Pārbaudīt",
        "form.error": "Kļūda",
        "form.empty": "Izvēlieties failu vai ielīmējiet apliecinājumu.",
        "form.not_json": "Tas nav derīgs JSON dokuments.",
        "form.refused": "Apliecinājumu nevar pārbaudīt",
        # the learner's page
        "learner.heading": "Jūsu mikrokvalifikācija",
        "learner.intro": "Šeit varat lejupielādēt savu parakstīto apliecinājumu un sertifikātu un dalīties ar "
                         "pārbaudes saiti.",
        "learner.status": "Pašreizējais statuss",
        "learner.download": "Lejupielādēt",
                "learner.certificate.lv": "Sertifikāts latviešu valodā (PDF, A4)",
        "learner.certificate.en": "Sertifikāts angļu valodā (PDF, A4)",
        "learner.certificate.text": "Izdrukājams sertifikāts ar QR kodu; QR kods ved uz pārbaudes lapu, kas vienmēr "
                                    "rāda pašreizējo statusu.",
        "learner.file": "Parakstītais apliecinājums (.jsonld fails)",
        "learner.file.text": "Elektroniski parakstīts W3C verificējams apliecinājums. Glabājiet to digitālajā "
                             "makā vai nosūtiet darba devējam: to var pārbaudīt ar jebkuru standarta pārbaudītāju "
                             "vai šī pakalpojuma lapā „Pārbaudīt apliecinājuma failu”.",
        "learner.share": "Dalīties",
        "learner.share.text": "Nosūtiet šo saiti vai parādiet QR kodu darba devējam: tas redzēs, vai "
                              "mikrokvalifikācija ir īsta un derīga.",
        "learner.link": "Pārbaudes saite",
        "learner.private": "Saite uz šo lapu ir personiska: nepublicējiet to. Dalieties ar pārbaudes saiti.",
        "qr.caption": "QR kods pārbaudes saitei",
        "qr.alt": "QR kods, kas ved uz pārbaudes lapu",
        # the PDF certificate
        "cert.learner": "Vārds, uzvārds",
        "cert.title": "Mikrokvalifikācijas nosaukums",
        "cert.verify": "Pārbaudiet derīgumu",
        "cert.verify.text": "Skenējiet QR kodu vai atveriet adresi: pārbaudes lapa rāda, vai apliecinājums ir īsts "
                            "un šobrīd derīgs.",
        "cert.small": "Elektroniski parakstīts W3C verificējams apliecinājums (eddsa-rdfc-2022).",
        "cert.stamp.revoked": "ATSAUKTS",
        "cert.stamp.suspended": "APTURĒTS",
        "cert.stamp.expired": "TERMIŅŠ BEIDZIES",
        "cert.stamp.not-yet-valid": "VĒL NAV SPĒKĀ",
        "cert.stamp.invalid": "NAV DERĪGS",
        "cert.stamp.unknown": "STATUSS NAV ZINĀMS",
        "cert.not_valid": "Šis apliecinājums nav derīgs",
        "cert.banner.unknown": "Izdrukāšanas brīdī statusu nevarēja pārbaudīt: pārbaudiet to ar QR kodu.",
        "cert.printed": "Izveidots",
        "cert.more_outcomes": "… un vēl {n} mācīšanās rezultāti: skatiet pārbaudes lapu.",
        "time.riga": "plkst. {time}",
        "yes": "jā",
        "no": "nē",
    },
    "en": {
        "service": "Micro-credential verification",
        "lang.name": "English",
        "lang.switch": "Language",
        "skip": "Skip to content",
        "footer": "European Learning Model (ELM) · W3C Verifiable Credentials",
        "page.result": "Credential verification",
        "page.form": "Verify a credential file",
        "page.not_found": "Link not valid",
        "not_found.text": "This link is not valid. Check that the whole link was copied, or ask the holder or the "
                          "issuer of the micro-credential for a new link.",
        "verdict.verified": "The credential is genuine and valid",
        "verdict.verified.text": "Signed by its issuer, unchanged since it was issued, valid and not revoked.",
        "verdict.unrecognised-issuer": "Genuine signature, but the issuer is not recognised",
        "verdict.unrecognised-issuer.text": "The credential is signed and valid, but this service does not "
                                            "recognise its issuer (or the name it gives differs from the "
                                            "recognised institution's name): the issuer's name is only the "
                                            "credential's own claim. Check with the institution.",
        "verdict.invalid": "Altered or forged credential",
        "verdict.invalid.text": "Do not rely on this document: its content does not match the issuer's signature. "
                                "It was changed after it was issued, or the issuer it names never issued it.",
        "verdict.invalid.unreadable": "This is not a valid credential",
        "verdict.invalid.unreadable.text": "The document cannot be verified as a credential, so it cannot be "
                                           "trusted.",
        "verdict.revoked": "The credential has been revoked",
        "verdict.revoked.text": "The issuer has revoked this credential; it is no longer valid.",
        "verdict.suspended": "The credential is suspended",
        "verdict.suspended.text": "The issuer has temporarily suspended this credential; it is not valid at "
                                  "present.",
        "verdict.expired": "The credential has expired",
        "verdict.expired.text": "The credential is genuine, but its validity period has ended.",
        "verdict.not-yet-valid": "The credential is not valid yet",
        "verdict.not-yet-valid.text": "The credential is genuine, but its validity period has not started.",
        "verdict.unknown": "The credential cannot be fully verified right now",
        "verdict.unknown.text": "Some checks could not be made (for example the status list is unavailable), so it "
                                "is not confirmed. Please try again later.",
        "reason": "Reason",
        "status.revoked.on": "Revoked on",
        "status.suspended.on": "Suspended since",
        "status.reason": "Reason",
        "contact": "Contact the issuer",
        "reason.issued-in-error": "Issued in error",
        "reason.fraud": "Fraud or misrepresentation",
        "reason.academic-misconduct": "Academic misconduct",
        "reason.superseded": "Superseded by another credential",
        "reason.learner-request": "At the learner's request",
        "reason.under-investigation": "Under investigation",
        "reason.other": "Other",
        "summary": "Summary",
        "issuer.recognised": "recognised: an institution of this service",
        "issuer.recognised.trust-list": "recognised: on the list of trusted issuers",
        "issuer.not_recognised": "not recognised: the name is only the credential's own claim",
        "unverified": "These data are not confirmed by a valid signature: do not take them as facts.",
        "claimed.summary": "Show what the document claims (not verified)",
        "claimed.mark": "not verified",
        "checked_at": "Checked",
        "details": "What the credential certifies",
        "group.credential": "General information",
        "group.volume": "Volume and level",
        "group.outcomes": "Learning outcomes",
        "group.assessment": "Assessment",
        "group.learning": "Learning",
        "group.quality": "Quality assurance",
        "group.stackability": "Further learning",
        "group.identifiers": "Identifiers",
        "field.issuer": "Issuer",
        "field.title": "Micro-credential",
        "field.documentType": "Document",
        "field.programmeType": "Programme type",
        "field.learningOpportunityType": "Type of learning opportunity",
        "field.region": "Region",
        "field.learnerName": "Learner",
        "field.learnerRef": "Learner number",
        "field.awardingBody": "Awarding body",
        "field.country": "Country",
        "field.dateOfIssue": "Date of issue",
        "field.ects": "ECTS credits",
        "field.hours": "Workload (hours)",
        "field.level": "Level",
        "field.learningOutcomes": "Learning outcomes",
        "field.assessment": "Type of assessment",
        "field.assessmentType": "Assessment method",
        "field.assessmentMode": "Mode of assessment",
        "field.supervision": "Supervision and identity verification",
        "field.grade": "Grade",
        "field.participation": "Form of participation",
        "field.learningSetting": "Learning setting",
        "field.learningPeriod": "Learning period",
        "field.languages": "Language of instruction",
        "field.prerequisites": "Prerequisites",
        "field.fieldsOfEducation": "Field of education (ISCED-F)",
        "field.qualityAssurance": "Quality assurance",
        "field.stackability": "Stackability",
        "field.isPartialQualification": "Part of a qualification",
        "field.partOf": "Part of",
        "field.entitlesTo": "May give access to",
        "field.furtherInformation": "Further information",
        "field.validFrom": "Valid from",
        "field.validUntil": "Valid until",
        "field.validUntil.none": "does not expire",
        "field.credentialId": "Credential identifier",
        "field.issuerId": "Issuer identifier (DID)",
        "level.eqf": "EQF level {n}",
        "missing": "Mandatory EU elements missing",
        "missing.text": "This credential lacks these elements, which every EU micro-credential must carry "
                        "(Council Recommendation 2022/C 243/02, Annex I):",
        "warnings": "Warnings",
        "checks": "Checks made",
        "col.check": "Check",
        "col.result": "Result",
        "check.proof": "Signature",
        "check.issuer": "Issuer's key",
        "check.format": "Document",
        "check.validity": "Validity period",
        "check.status": "Revocation and suspension",
        "outcome.ok": "Passed",
        "outcome.failed": "Failed",
        "outcome.unknown": "Unknown",
        "outcome.revoked": "Revoked",
        "outcome.suspended": "Suspended",
        "outcome.expired": "Expired",
        "outcome.not-yet-valid": "Not valid yet",
        "outcome.not-checked": "Not checked",
        "why.proof-valid": "The issuer's signature matches the content: nothing has changed since it was issued.",
        "why.issuer-key-valid": "Signed by the issuer itself, with its published key.",
        "why.well-formed": "The document is complete and the signature covers all of its content.",
        "why.valid-period": "The credential is valid today.",
        "why.no-expiry": "The credential is valid; it does not expire.",
        "why.not-revoked": "The issuer has neither revoked nor suspended it.",
        "why.not-checked": "Not checked, because an earlier check did not pass.",
        "actions": "Actions",
        "action.certificate": "Certificate (PDF)",
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
        "learner.heading": "Your micro-credential",
        "learner.intro": "Download your signed credential and your certificate here, and share the verification "
                         "link.",
        "learner.status": "Current status",
        "learner.download": "Download",
                "learner.certificate.lv": "Certificate in Latvian (PDF, A4)",
        "learner.certificate.en": "Certificate in English (PDF, A4)",
        "learner.certificate.text": "A printable certificate with a QR code; the QR code leads to the verification "
                                    "page, which always shows the current status.",
        "learner.file": "Signed credential (.jsonld file)",
        "learner.file.text": "A digitally signed W3C Verifiable Credential. Keep it in a digital wallet or send it "
                             "to an employer: any standard verifier can check it, and so can this service's page "
                             "“Verify a credential file”.",
        "learner.share": "Share",
        "learner.share.text": "Send this link or show the QR code to an employer: they will see whether the "
                              "micro-credential is genuine and valid.",
        "learner.link": "Verification link",
        "learner.private": "The link to this page is personal: do not publish it. Share the verification link.",
        "qr.caption": "QR code of the verification link",
        "qr.alt": "QR code leading to the verification page",
        "cert.learner": "Name",
        "cert.title": "Title of the micro-credential",
        "cert.verify": "Verify",
        "cert.verify.text": "Scan the QR code or open the address: the verification page shows whether the "
                            "credential is genuine and valid now.",
        "cert.small": "Digitally signed W3C Verifiable Credential (eddsa-rdfc-2022).",
        "cert.stamp.revoked": "REVOKED",
        "cert.stamp.suspended": "SUSPENDED",
        "cert.stamp.expired": "EXPIRED",
        "cert.stamp.not-yet-valid": "NOT VALID YET",
        "cert.stamp.invalid": "NOT VALID",
        "cert.stamp.unknown": "STATUS UNKNOWN",
        "cert.not_valid": "This credential is not valid",
        "cert.banner.unknown": "The status could not be checked when this was printed: check it with the QR code.",
        "cert.printed": "Created",
        "cert.more_outcomes": "… and {n} more learning outcomes: see the verification page.",
        "time.riga": "{time} Riga time",
        "yes": "yes",
        "no": "no",
    },
}


def _ranges(header: str | None) -> list[tuple[str, float, int]]:
    """(primary subtag, q, position) of each language range of an Accept-Language header."""
    out = []
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
        out.append((tag.split("-")[0], q, n))
    return out


def parse_accept_language(header: str | None) -> list[str]:
    """Primary language subtags of an Accept-Language header, best first (q=0 excluded)."""
    return [tag for tag, q, _ in sorted(_ranges(header), key=lambda r: (-r[1], r[2])) if q > 0]


def choose_language(query: str | None, accept_language: str | None) -> str:
    if query in LANGUAGES:
        return query
    if not (accept_language or "").strip():
        return DEFAULT
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag
    refused = {tag for tag, q, _ in _ranges(accept_language) if q <= 0}
    return FALLBACK if FALLBACK not in refused else DEFAULT


def t(lang: str, key: str) -> str:
    return CATALOGUE.get(lang, CATALOGUE[DEFAULT]).get(key) or CATALOGUE["en"].get(key, key)


def translator(lang: str):
    return lambda key: t(lang, key)


# --- dates --------------------------------------------------------------------------------------------------------


def format_date(day: date, lang: str) -> str:
    """"2026. gada 26. novembris" (lv), "26 November 2026" (en)."""
    month = _MONTHS.get(lang, _MONTHS["en"])[day.month - 1]
    return f"{day.year}. gada {day.day}. {month}" if lang == "lv" else f"{day.day} {month} {day.year}"


def format_moment(moment: datetime, lang: str) -> str:
    """A moment in Riga time: "2026. gada 26. novembris, plkst. 13:05" / "26 November 2026, 13:05 Riga time"."""
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    local = moment.astimezone(RIGA)
    return f"{format_date(local.date(), lang)}, {t(lang, 'time.riga').format(time=local.strftime('%H:%M'))}"


def format_when(value: datetime | str | None, lang: str) -> str | None:
    """A credential's date or moment as people read it (see the module docstring); None for nothing, the text
    itself for something that is not an XSD dateTime."""
    if value in (None, ""):
        return None
    moment = parse_xsd(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value)
    utc = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    if utc.time().replace(microsecond=0) in (time(0, 0, 0), time(23, 59, 59)):
        return format_date(utc.date(), lang)
    return format_moment(utc, lang)


from app.texts import wallet as _wallet_texts  # noqa: E402 - the learner page's wallet texts (wallet.*)

for _lang, _texts in _wallet_texts.TEXTS.items():
    CATALOGUE[_lang].update(_texts)
