"""Texts of the public pages for sharing and trust (the operator, the about page, checks that do not apply, the
learner's sharing), in Latvian and English; merged into app.i18n's catalogue. The credential is named by
app.texts.terms placeholders (``{nom}``, ``{Gen}``, ``{masculine|feminine}``); ``{operator}`` is the operator's
name (app.config.Settings.operator)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "lv": {
        # who vouches: the operator on every page, in the badge, and the about page
        "footer.operator": "Pakalpojuma uzturētājs",
        "footer.operator.none": "Pakalpojuma uzturētājs nav norādīts",
        "footer.contact": "Kontakts",
        "about.link": "Par pakalpojumu un atpazītajām iestādēm",
        "issuer.recognised.operator": "atpazīts: iestāde reģistrēta šajā pakalpojumā ({operator})",
        "issuer.recognised.trust-list.operator": "atpazīts: uzticamo izsniedzēju sarakstā ({operator})",
        "about.title": "Par pakalpojumu",
        "about.intro": "Šis pakalpojums izsniedz un pārbauda mikrokvalifikācijas kā elektroniski parakstītus W3C "
                       "verificējamos apliecinājumus (Eiropas mācīšanās modelis, ELM). Pārbaudes lapa sauc "
                       "izsniedzēju par atpazītu tikai tad, ja tas ir kāda no šeit uzskaitītajām iestādēm: par tām "
                       "galvo pakalpojuma uzturētājs.",
        "about.operator": "Pakalpojuma uzturētājs",
        "about.operator.none": "Pakalpojuma uzturētājs nav norādīts.",
        "about.homepage": "Tīmekļa vietne",
        "about.contact": "Kontakts",
        "about.institutions": "Šī pakalpojuma iestādes",
        "about.institutions.text": "Iestādes, kas izsniedz mikrokvalifikācijas šajā pakalpojumā; katrai ir sava "
                                   "parakstīšanas atslēga un identifikators (DID).",
        "about.trust_list": "Uzticamo izsniedzēju saraksts",
        "about.trust_list.text": "Citi izsniedzēji, kurus atzīst pakalpojuma uzturētājs: to mikrokvalifikācijas "
                                 "izsniegtas citur, bet šeit tās var pārbaudīt.",
        "about.none": "Nav neviena.",
        "about.col.name": "Nosaukums",
        "about.col.did": "Identifikators (DID)",
        "about.col.homepage": "Tīmekļa vietne",
        # checks that could not be made or do not apply: neither a pass nor a failure
        "outcome.no-status": "Neattiecas",
        "outcome.issuer-unbound": "Nav piesaistīts",
        "why.no-status": "{Dat} nav statusa ieraksta: izsniedzējs to nevar ne atsaukt, ne apturēt, tāpēc "
                         "atsaukšanu nav ko pārbaudīt. Tas nav ne apstiprinājums, ne kļūda.",
        "why.issuer-unbound": "Izsniedzējs nav norādīts ar DID, tāpēc nevar pārbaudīt, vai paraksta atslēga pieder "
                              "tam: izsniedzēja nosaukums ir tikai {paša|pašas} {gen} apgalvojums.",
        "checks.neutral": "Pārbaude neattiecas vai nav veikta: tas nav ne apstiprinājums, ne kļūda.",
        # what the learner shares, and what a shared link shows
        "learner.linkedin": "Pievienot LinkedIn profilam",
        "learner.linkedin.text": "Atver LinkedIn ar aizpildītu ierakstu sadaļā „Licenses & certifications”: "
                                 "nosaukums, iestāde, datumi, identifikators un pārbaudes saite. Pirms saglabāšanas "
                                 "varat visu pārbaudīt.",
        "learner.notice.revoked": "Iestāde šo {acc} ir atsaukusi: {tas|tā} vairs nav {derīgs|derīga}. Nedalieties ar "
                                  "to un neuzrādiet to kā derīgu.",
        "learner.notice.suspended": "Iestāde {šī|šīs} {gen} darbību ir uz laiku apturējusi: šobrīd {tas|tā} nav "
                                    "{derīgs|derīga}. Kamēr darbība ir apturēta, nedalieties ar to.",
        "learner.notice.other": "Šobrīd {nom} nav {apstiprināts|apstiprināta} kā {derīgs|derīga}, tāpēc šeit nav "
                                "saišu dalīšanai. Skatiet pārbaudes lapu.",
        "learner.notice.contact": "Ja jums ir jautājumi vai uzskatāt, ka tā ir kļūda, sazinieties ar iestādi",
        "learner.notice.email": "E-pasts",
        "learner.notice.homepage": "Tīmekļa vietne",
        "og.check": "Atveriet saiti, lai pārbaudītu, vai {nom} ir {īsts|īsta} un šobrīd {derīgs|derīga}.",
        "card.verify": "Pārbaudiet: {host}",
        "card.service.text": "Pārbaudiet, vai mikrokvalifikācija ir īsta un derīga.",
    },
    "en": {
        "footer.operator": "Operated by",
        "footer.operator.none": "Operator not configured",
        "footer.contact": "Contact",
        "about.link": "About this service and the recognised institutions",
        "issuer.recognised.operator": "recognised: an institution registered with {operator}",
        "issuer.recognised.trust-list.operator": "recognised: on the list of trusted issuers of {operator}",
        "about.title": "About this service",
        "about.intro": "This service issues and verifies micro-credentials as digitally signed W3C Verifiable "
                       "Credentials (European Learning Model, ELM). A verification page calls an issuer recognised "
                       "only when it is one of the institutions listed here: the operator of the service vouches "
                       "for them.",
        "about.operator": "Operator",
        "about.operator.none": "The operator of this service is not configured.",
        "about.homepage": "Website",
        "about.contact": "Contact",
        "about.institutions": "Institutions of this service",
        "about.institutions.text": "Institutions issuing micro-credentials through this service, each with its own "
                                   "signing key and identifier (DID).",
        "about.trust_list": "Trusted issuers",
        "about.trust_list.text": "Other issuers the operator recognises: their micro-credentials are issued "
                                 "elsewhere and can be verified here.",
        "about.none": "None.",
        "about.col.name": "Name",
        "about.col.did": "Identifier (DID)",
        "about.col.homepage": "Website",
        "outcome.no-status": "Does not apply",
        "outcome.issuer-unbound": "Not bound",
        "why.no-status": "The {nom} has no status entry: its issuer can neither revoke nor suspend it, so there is "
                         "no revocation to check. This is neither a pass nor a failure.",
        "why.issuer-unbound": "The issuer is not named by a DID, so it cannot be checked that the signing key is "
                              "its own: the issuer's name is only the {nom}'s own claim.",
        "checks.neutral": "The check does not apply or was not made: neither a pass nor a failure.",
        "learner.linkedin": "Add to LinkedIn profile",
        "learner.linkedin.text": "Opens LinkedIn with the “Licenses & certifications” entry filled in: the name, "
                                 "the institution, the dates, the identifier and the verification link. You can "
                                 "check everything before you save it.",
        "learner.notice.revoked": "Your institution has revoked this {nom}: it is no longer valid. Do not share it "
                                  "or present it as valid.",
        "learner.notice.suspended": "Your institution has temporarily suspended this {nom}: it is not valid at "
                                    "present. Do not share it while it is suspended.",
        "learner.notice.other": "The {nom} is not confirmed as valid at present, so this page offers nothing to "
                                "share. See the verification page.",
        "learner.notice.contact": "If you have questions or believe this is a mistake, contact the institution",
        "learner.notice.email": "E-mail",
        "learner.notice.homepage": "Website",
        "og.check": "Open the link to check that the {nom} is genuine and valid now.",
        "card.verify": "Check it: {host}",
        "card.service.text": "Check that a micro-credential is genuine and valid.",
    },
}
