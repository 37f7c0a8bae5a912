"""Problem details (RFC 9457) and the command's refusals in the reader's language: English by default, Latvian when
the request's ``Accept-Language`` prefers it (``mcred``: when the locale is Latvian, ``LANG=lv_LV.UTF-8``).

The service writes its problems in English where they arise (app.errors); ``localize`` gives a problem in Latvian
as the API layer renders it: the title, the detail (a translation of the detail where this catalogue knows its
form, else the Latvian sentence of its problem type, the English detail kept as ``detailEn``) and each refused
field's message (translated where the catalogue knows it, else left in English). The problem's ``type`` URI
(https://mcred.eu/problems/…) names the problem in either language.
"""

from __future__ import annotations

import os
import re

from app.domain.microcredential import MISSING_MESSAGES
from app.i18n import parse_accept_language
from app.texts.verification import MESSAGES as CHECK_MESSAGES

LANGUAGES = ("en", "lv")


def language(accept_language: str | None) -> str:
    """``lv`` when Accept-Language ranks Latvian above English (RFC 9110 section 12.5.4), else ``en``: the API
    stays English by default, a header without either language included."""
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag
    return "en"


def command_language(environ=os.environ) -> str:
    """The command's language from the POSIX locale (LC_ALL, LC_MESSAGES, LANG; LANGUAGE first, as gettext reads
    it): ``lv`` for a Latvian locale, else ``en``."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "lv" if value.split(":")[0].lower().startswith("lv") else "en"
    return "en"


# Titles, by the English title the problem carries (app.errors' classes, Starlette's HTTP errors).
TITLES = {
    "Internal error": "Iekšēja kļūda",
    "Invalid input": "Nederīgi dati",
    "Malformed request": "Nepareizi veidots pieprasījums",
    "JSON-LD document refused": "JSON-LD dokuments noraidīts",
    "Limit exceeded": "Pārsniegts ierobežojums",
    "Authentication required": "Nepieciešama autentifikācija",
    "Forbidden": "Aizliegts",
    "Not found": "Nav atrasts",
    "Not Found": "Nav atrasts",
    "Conflict": "Pretruna ar pašreizējo stāvokli",
    "Unsupported media type": "Neatbalstīts datu veids",
    "Credential not verified": "Pārbaude neizdevās",
    "Remote document unavailable": "Attālais dokuments nav pieejams",
    "Configuration error": "Konfigurācijas kļūda",
    "Service not ready": "Pakalpojums nav gatavs",
    "Too many requests": "Pārāk daudz pieprasījumu",
    "Service busy": "Pakalpojums ir aizņemts",
    "Method Not Allowed": "Metode nav atļauta",
}

# The Latvian sentence of each problem type, when its detail's own form is not in DETAILS below.
TYPES = {
    "internal-error": "Pakalpojumam neizdevās apstrādāt šo pieprasījumu; nekas netika saglabāts.",
    "invalid-input": "Pieprasījuma saturs ir noraidīts; katrs noraidītais lauks norādīts sarakstā errors.",
    "malformed-request": "Pieprasījuma saturu nevar nolasīt kā JSON dokumentu, ko pieņem šis adresāts.",
    "jsonld-refused": "JSON-LD apstrāde dokumentu noraidīja (nezināms konteksts, nedefinēti termini vai nederīgs "
                      "JSON-LD).",
    "unknown-context": "Dokuments izmanto nezināmu JSON-LD kontekstu.",
    "undefined-terms": "Dokumentā ir termini, ko tā JSON-LD konteksts nedefinē: paraksts tos neaptvertu.",
    "invalid-jsonld": "Dokuments nav derīgs JSON-LD.",
    "limit-exceeded": "Pārsniegts ierobežojums, kas aizsargā pakalpojumu no pārāk lieliem vai sarežģītiem "
                      "dokumentiem.",
    "unauthorized": "Nepieciešama derīga API atslēga (galvene Authorization: Bearer …).",
    "forbidden": "Šī darbība nav atļauta.",
    "not-found": "Pieprasītais resurss nav atrasts (vai nepieder šai iestādei).",
    "method-not-allowed": "Šim resursam šī HTTP metode nav atļauta.",
    "conflict": "Pieprasījums ir pretrunā ar pašreizējo stāvokli.",
    "revoked-final": "Atsaukšana ir galīga: atsauktu mikrokvalifikāciju nevar atjaunot.",
    "credential-id-reused": "Šī iestāde šo id jau ir izmantojusi citai mikrokvalifikācijai; izmantojiet jaunu.",
    "idempotency-key-reused": "Šī Idempotency-Key vērtība jau izmantota citam pieprasījumam; jaunam pieprasījumam "
                              "izmantojiet jaunu atslēgu.",
    "institution-profile-incomplete": "Iestādes profilā nav reģistrācijas numura, ko prasa Eiropas digitālo "
                                      "apliecinājumu (EDC) profils: pievienojiet to ar `mcred update-institution "
                                      "SLUG --registration NUMURS`.",
    "unsupported-media-type": "Pieprasījuma saturs nav JSON.",
    "verification-failed": "Pārbaude neizdevās: dokuments nav īsts, ir mainīts vai nav nolasāms.",
    "credential-expired": CHECK_MESSAGES["expired"][0],
    "credential-not-yet-valid": CHECK_MESSAGES["not-yet-valid"][0],
    "credential-revoked": CHECK_MESSAGES["revoked"][0],
    "credential-suspended": CHECK_MESSAGES["suspended"][0],
    "verification-incomplete": CHECK_MESSAGES["verification-incomplete"][0],
    "upstream-unavailable": "Attālo dokumentu (did:web DID dokumentu vai statusa sarakstu) nevarēja nolasīt.",
    "configuration": "Pakalpojums nav iestatīts darbam šādā konfigurācijā.",
    "not-ready": "Pakalpojums pašlaik nevar apkalpot pieprasījumus.",
    "database-unavailable": "Datubāze pašlaik nav pieejama.",
    "database-not-migrated": "Datubāze nav migrēta līdz šai versijai: palaidiet `mcred migrate`.",
    "too-many-requests": "Šis klients ir izlietojis savu pārbaužu darba daļu; mēģiniet vēlreiz pēc Retry-After "
                         "sekundēm.",
    "service-saturated": "Pakalpojums ir aizņemts; mēģiniet vēlreiz pēc Retry-After sekundēm.",
    "file-unreadable": "Failu nevar nolasīt.",
    "file-unwritable": "Failā nevar ierakstīt.",
}
_BY_STATUS = {400: "malformed-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 409: "conflict",
              413: "limit-exceeded", 415: "unsupported-media-type", 422: "invalid-input", 429: "too-many-requests",
              502: "upstream-unavailable", 503: "service-saturated"}

# Details whose form is known: (pattern of the English detail, the Latvian one). The first that matches is used.
DETAILS = [(re.compile(p, re.DOTALL), lv) for p, lv in (
    (r"The micro-credential input has (\d+) problem\(s\): .*",
     "Mikrokvalifikācijas datos ir problēmas ({0}); katra norādīta sarakstā errors."),
    (r"(\d+) of (\d+) micro-credentials were refused; nothing was issued\.",
     "Noraidītas {0} no {1} mikrokvalifikācijām; nekas netika izsniegts."),
    (r"The request parameters are invalid\.", "Pieprasījuma parametri nav derīgi."),
    (r"The credential cannot be issued as it is(?:: .*|\.)",
     "Šo dokumentu nevar izsniegt tādu, kāds tas ir; iemesli norādīti sarakstā errors."),
    (r"The expiration date must be after the date of issue\.", "Derīguma beigu datumam jābūt pēc izdošanas datuma."),
    (r"No batch '(.*)' of this institution\.", "Šai iestādei nav partijas '{0}'."),
    (r"No institution '(.*)'\.?", "Nav iestādes '{0}'."),
    (r"No credential '(.*)' issued by this institution\.", "Šī iestāde nav izsniegusi '{0}'."),
    (r"This download link is not valid\.", "Šī lejupielādes saite nav derīga."),
    (r"This verification link is not valid\.", "Šī pārbaudes saite nav derīga."),
    (r"No such status list\.", "Šāda statusa saraksta nav."),
    (r"Send the institution's API key as `Authorization: Bearer <key>`\.",
     "Sūtiet iestādes API atslēgu galvenē `Authorization: Bearer <atslēga>`."),
    (r"The API key is not valid or has been revoked\.", "API atslēga nav derīga vai ir atsaukta."),
    (r"Cannot read (.*): there is no such file\.", "Nevar nolasīt {0}: šāda faila nav."),
    (r"Cannot read (.*): (.*)\.", "Nevar nolasīt {0}: {1}."),
    (r"Cannot write the log file (.*): (.*)\.", "Nevar rakstīt žurnāla failā {0}: {1}."),
    (r"Cannot write (.*): (.*)\.", "Nevar ierakstīt {0}: {1}."),
    (r"(.*) is not UTF-8 text \(line (\d+)\): save it as \"CSV UTF-8\"\.",
     "{0} nav UTF-8 teksts ({1}. rinda): saglabājiet to kā \"CSV UTF-8\"."),
    # the English lists every column; the Latvian points to the layout instead
    (r"The header of (.*?) is not the cohort layout: (.*?)\. The columns are: .*",
     "Faila {0} galvene neatbilst kohortas izkārtojumam ({1}); kolonnas: README sadaļa \"Issuing from a CSV file\" "
     "un samples/cohort.csv."),
    (r"(.*) has a header but no rows\.", "Failā {0} ir galvene, bet nav rindu."),
    (r"`(.*)` needs a non-empty list of micro-credentials\.", "`{0}` jābūt netukšam mikrokvalifikāciju sarakstam."),
    (r"A request may hold at most (\d+) micro-credentials\.",
     "Pieprasījumā var būt ne vairāk kā {0} mikrokvalifikācijas."),
    (r"This Idempotency-Key was used before with a different request; .*", TYPES["idempotency-key-reused"]),
)]

_LV_MISSING = {
    "learner": "jānorāda izglītojamā identifikācija",
    "learner.givenName": "jānorāda izglītojamā vārds (izglītojamā identifikācijai)",
    "learner.familyName": "jānorāda izglītojamā uzvārds (izglītojamā identifikācijai)",
    "title": "jānorāda mikrokvalifikācijas nosaukums",
    "learningOutcomes": "jānorāda vismaz viens mācīšanās rezultāts",
    "learningOutcomes.text": "jānorāda mācīšanās rezultāta teksts",
    "workload": "jānorāda mācīšanās rezultātu sasniegšanai nepieciešamais darba apjoms: ECTS kredītpunkti un/vai "
                "stundas",
    "eqfLevel": "jānorāda mācīšanās pieredzes līmenis: EKI līmenis no 1 līdz 8",
    "assessment": "jānorāda vērtēšanas veids",
    "assessment.type": "jānorāda vērtēšanas veids",
    "participation": "jānorāda dalības veids mācībās: tiešsaistē (online), klātienē (onsite) vai jaukti (blended)",
    "qualityAssurance": "jānorāda mikrokvalifikācijas kvalitātes nodrošināšanas veids",
    "qualityAssurance.type": "jānorāda mikrokvalifikācijas kvalitātes nodrošināšanas veids",
}
_ANNEX_LV = " (ES Padomes ieteikums 2022/C 243/02, I pielikums)"
# Field messages: exact English -> Latvian, then patterns.
MESSAGES = {en: _LV_MISSING[key] + (_ANNEX_LV if "Annex I" in en else "") for key, en in MISSING_MESSAGES.items()}
MESSAGES.update({
    "is required": "ir obligāts",
    "is not a field of the micro-credential input (check the spelling)":
        "nav mikrokvalifikācijas datu lauks (pārbaudiet rakstību)",
    "must be a whole number from 1 to 8 (EQF level)": "jābūt veselam skaitlim no 1 līdz 8 (EKI līmenis)",
    "must be a whole number from 1 to 8 (LKI (Latvian qualifications framework) level)":
        "jābūt veselam skaitlim no 1 līdz 8 (LKI līmenis)",
    "must not be empty": "nedrīkst būt tukšs",
    'must be a language map such as {"lv": "...", "en": "..."}':
        'jābūt tekstam pa valodām, piemēram, {"lv": "...", "en": "..."}',
    "must be an object": "jābūt objektam",
    "must be a list": "jābūt sarakstam",
    "must be a string": "jābūt teksta virknei",
    "must be a date in the form YYYY-MM-DD": "jābūt datumam formā GGGG-MM-DD",
    "must be a number": "jābūt skaitlim",
    "must be true or false": "jābūt true vai false",
    "must be an e-mail address": "jābūt e-pasta adresei",
    "must be an http(s) URL": "jābūt http(s) adresei",
    "must be an absolute URI such as a DID": "jābūt absolūtam URI, piemēram, DID",
    "must give the text in Latvian ('lv') or English ('en'), or both":
        "teksts jānorāda latviski ('lv'), angliski ('en') vai abās valodās",
    "must be after 'dateOfIssue'": "jābūt pēc 'dateOfIssue'",
    "must be after the date of issue (today, unless 'dateOfIssue' gives the date of issue of a record from before)":
        "jābūt pēc izdošanas datuma (šodienas, ja vien 'dateOfIssue' nenorāda agrāka ieraksta izdošanas datumu)",
    "must be a non-empty list": "jābūt netukšam sarakstam",
    "not UTF-8": "nav UTF-8",
    "not a column of the layout": "nav izkārtojuma kolonna",
    "given twice": "norādīta divreiz",
    "no rows": "nav rindu",
    "there is no such file": "šāda faila nav",
    "must be absent": "nedrīkst būt",
})
MESSAGES.update({en: lv for lv, en in CHECK_MESSAGES.values()})  # a verification's checks
_WORDS = {"greater than": "lielākam par", "at least": "vismaz", "less than": "mazākam par", "at most": "ne vairāk kā"}
PATTERNS = [(re.compile(p, re.DOTALL), lv) for p, lv in (
    (r"must have at least (\d+) item\(s\)", "jābūt vismaz {0} elementiem"),
    (r"must have at most (\d+) items", "jābūt ne vairāk kā {0} elementiem"),
    (r"must be at most (\d+) characters", "jābūt ne garākam par {0} rakstzīmēm"),
    (r"(\S+) is not a calendar date", "{0} nav kalendāra datums"),
    (r"(\S+) is after today \((\S+)\): the date of issue cannot be in the future",
     "{0} ir pēc šodienas ({1}): izdošanas datums nevar būt nākotnē"),
    (r"must be one of (.*)", "jābūt vienai no šīm vērtībām: {0}"),
    (r"must be a type of the EU's list of assessment types \((\S+)\) as the input's schema \(/docs\) codes it, "
     r"e\.g\. '(.*)' or '(.*)'",
     "jābūt vērtēšanas veidam no ES vērtēšanas veidu saraksta ({0}), kā to kodē datu shēma (/docs), piemēram, "
     "'{1}' vai '{2}'"),
    (r"must be (greater than|at least|less than|at most) (-?[\d.]+)", lambda m: f"jābūt {_WORDS[m[1]]} {m[2]}"),
    (r"must be at most (\d+) ECTS credits: .*", "jābūt ne vairāk kā {0} ECTS kredītpunktiem: mikrokvalifikācija "
     "apliecina nelielu mācīšanās apjomu, un 60 ECTS ir viss pilna laika studiju gads"),
    (r"must be at most (\d+) hours \((\d+) ECTS\): .*", "jābūt ne vairāk kā {0} stundām ({1} ECTS): "
     "mikrokvalifikācija apliecina nelielu mācīšanās apjomu, un 60 ECTS ir viss pilna laika studiju gads"),
    (r"unknown country code '(.*)': use an ISO 3166-1 alpha-3 code such as 'LVA' \(the EU's country table, (\S+)\)",
     "nezināms valsts kods '{0}': izmantojiet ISO 3166-1 alpha-3 kodu, piemēram, 'LVA' (ES valstu tabula, {1})"),
    (r"unknown language code '(.*)': use the ISO 639-1 code of a language of the EU's language table \((\S+)\), .*",
     "nezināms valodas kods '{0}': izmantojiet ES valodu tabulas ({1}) valodas ISO 639-1 kodu, piemēram, 'lv' vai "
     "'en'"),
    (r"'(.*)' is not a region code mcred knows: give the NUTS 3 code of a region of Latvia \(e\.g\. LV006 Rīga; "
     r"(\S+)\) or the ATU code of a republic city \(e\.g\. LVA_RP_RIX Rīga; (\S+)\)",
     "'{0}' nav reģiona kods, ko mcred zina: norādiet Latvijas reģiona NUTS 3 kodu (piemēram, LV006 Rīga; {1}) vai "
     "republikas pilsētas ATU kodu (piemēram, LVA_RP_RIX Rīga; {2})"),
    (r"LKI level (\d) contradicts EQF level (\d) \('eqfLevel'\): .*",
     lambda m: f"LKI {m[1]}. līmenis ir pretrunā ar EKI {m[2]}. līmeni ('eqfLevel'): LKI līmeņi atbilst EKI "
               f"līmeņiem viens pret vienu (LKI {m[1]}. līmenis ir EKI {m[1]}. līmenis), tāpēc norādiet abos vienu "
               "līmeni"),
    (r"too many items \(at most (\d+)\)", "pārāk daudz elementu (ne vairāk kā {0})"),
    (r"(\d+) cells, but the header names (\d+) columns \(a '(.)' inside a cell needs quotes\)",
     "{0} šūnas, bet galvene nosauc {1} kolonnas (šūnā esošam '{2}' vajag pēdiņas)"),
)]


def _apply(pattern_list, text: str) -> str | None:
    for pattern, lv in pattern_list:
        match = pattern.fullmatch(text)
        if match:
            return lv(match) if callable(lv) else lv.format(*match.groups())
    return None


def message(text: str, lang: str) -> str:
    """A refused field's message (or a check's) in ``lang``; English where the catalogue does not know it."""
    if lang != "lv" or not isinstance(text, str):
        return text
    return MESSAGES.get(text) or _apply(PATTERNS, text) or text


def detail(text: str, slug: str, status: int, lang: str) -> tuple[str, bool]:
    """(the detail in ``lang``, whether it is a translation of this very detail rather than its type's sentence)."""
    if lang != "lv":
        return text, True
    known = _apply(DETAILS, text or "")
    if known is not None:
        return known, True
    return TYPES.get(slug) or TYPES.get(_BY_STATUS.get(status, "internal-error"), TYPES["internal-error"]), False


def localize(body: dict, lang: str) -> dict:
    """A problem (as app.errors renders it) in ``lang``: English as it is; Latvian as the module docstring says."""
    if lang != "lv":
        return body
    slug = str(body.get("type", "")).rsplit("/", 1)[-1]
    text, exact = detail(body.get("detail", ""), slug, body.get("status", 500), lang)
    out = {**body, "title": TITLES.get(body.get("title"), body.get("title")), "detail": text}
    if not exact:
        out["detailEn"] = body.get("detail")
    if isinstance(body.get("errors"), list):
        out["errors"] = [{**e, "message": message(e.get("message"), lang)} if isinstance(e, dict) else e
                         for e in body["errors"]]
    return out
