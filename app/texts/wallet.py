"""The learner page's "Add to a wallet" texts (OpenID4VCI), in Latvian and English; merged into app.i18n's
catalogue under ``wallet.*``."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "lv": {
        "wallet.heading": "Pievienot makam",
        "wallet.text": "Digitālais maks (piemēram, Eiropas digitālās identitātes maks vai cits OpenID4VCI maks) "
                       "glabā jūsu apliecinājumus tālrunī, un no tā varat tos uzrādīt darba devējam. Maks saņem "
                       "parakstītu apliecinājuma kopiju, kas piesaistīta maka atslēgai; ja iestāde apliecinājumu "
                       "atsauc, atsaukta ir arī kopija.",
        "wallet.scan": "Noskenējiet QR kodu ar maka lietotni vai, ja maks ir šajā ierīcē, atveriet saiti.",
        "wallet.link": "Atvērt makā šajā ierīcē",
        "wallet.qr.alt": "QR kods apliecinājuma pievienošanai makam",
        "wallet.expires": "Piedāvājums derīgs līdz",
        "wallet.once": "Piedāvājumu var izmantot vienu reizi, vienā makā.",
        "wallet.tx.institution": "Maks prasīs kodu: to jums atsevišķi nosūtīja iestāde (piemēram, e-pastā vai "
                                 "īsziņā).",
        "wallet.tx.new": "Maks prasīs šo kodu",
        "wallet.tx.new.hint": "Kods redzams tikai tagad. Ievadiet to makā; nerādiet to kopā ar QR kodu citiem.",
        "wallet.state.locked": "Piedāvājums ir bloķēts: pārāk daudz reižu ievadīts nepareizs kods. Izveidojiet "
                               "jaunu piedāvājumu.",
        "wallet.state.picked-up": "Šis piedāvājums jau ir izmantots: apliecinājums ir makā. Citam makam "
                                  "izveidojiet jaunu piedāvājumu.",
        "wallet.state.expired": "Piedāvājuma derīguma termiņš ir beidzies. Izveidojiet jaunu piedāvājumu.",
        "wallet.state.withdrawn": "Iestāde šo piedāvājumu ir atsaukusi. Varat izveidot jaunu piedāvājumu.",
        "wallet.state.none": "Apliecinājumam vēl nav piedāvājuma makam.",
        "wallet.new": "Izveidot jaunu piedāvājumu",
        "wallet.new.text": "Piemēram, citam makam vai ja tālrunis ir pazudis. Iepriekšējais piedāvājums vairs "
                           "nebūs derīgs.",
        "wallet.unavailable": "Šo apliecinājumu nevar pievienot makam.",
    },
    "en": {
        "wallet.heading": "Add to a wallet",
        "wallet.text": "A digital wallet (such as an EU Digital Identity Wallet or another OpenID4VCI wallet) keeps "
                       "your credentials on your phone, and you can show them to an employer from it. The wallet "
                       "receives a signed copy of the credential bound to the wallet's key; if the institution "
                       "revokes the credential, the copy is revoked too.",
        "wallet.scan": "Scan the QR code with your wallet app or, if the wallet is on this device, open the link.",
        "wallet.link": "Open in a wallet on this device",
        "wallet.qr.alt": "QR code to add the credential to a wallet",
        "wallet.expires": "The offer is valid until",
        "wallet.once": "The offer can be used once, by one wallet.",
        "wallet.tx.institution": "The wallet will ask for a code: your institution sent it to you separately (by "
                                 "e-mail or text message, for instance).",
        "wallet.tx.new": "The wallet will ask for this code",
        "wallet.tx.new.hint": "The code is shown only now. Type it into the wallet; do not show it to others "
                              "together with the QR code.",
        "wallet.state.locked": "The offer is locked: a wrong code was entered too many times. Make a new offer.",
        "wallet.state.picked-up": "This offer has been used: the credential is in a wallet. Make a new offer for "
                                  "another wallet.",
        "wallet.state.expired": "The offer has expired. Make a new offer.",
        "wallet.state.withdrawn": "The institution has withdrawn this offer. You can make a new offer.",
        "wallet.state.none": "There is no wallet offer for this credential yet.",
        "wallet.new": "Make a new offer",
        "wallet.new.text": "For another wallet, for instance, or if your phone is lost. The previous offer will no "
                           "longer work.",
        "wallet.unavailable": "This credential cannot be added to a wallet.",
    },
}
