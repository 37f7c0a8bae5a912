"""Controlled vocabularies mcred accepts, as European Learning Model (ELM 3) concepts (skos:Concept).

EU Council Recommendation 2022/C 243/02 on micro-credentials, Annex I, names the elements a micro-credential
carries; ELM 3 expresses the coded ones as concepts of EU controlled vocabularies (data.europa.eu/snb/... and the
Publications Office authority tables). Every concept here is rendered the way the official EU sample
micro-credential (Sample-MC-Annex1) renders it: ``{"id", "type": "Concept", "inScheme": {...}, "prefLabel": {...}}``
plus ``notation`` where the sample has one. Labels are given in Latvian and English, the languages people read.

Where the concept IRIs come from (every EU IRI below is one the EU minted: tests/test_vocab.py checks each against
the copies of the ELM controlled vocabularies in ../shared/data/elm/cv, which this module never reads at run time):
- EQF levels, ISCED-F 2013 fields, ECTS, learning settings, modes of learning and assessment, assessment types,
  learning opportunity types, accreditation types, entitlement types and statuses, content encodings, the
  "Generic" credential profile: the ELM controlled vocabularies (data.europa.eu/snb/...), ELM repository
  xsd/loq/cv/*.xsd. English labels are the EU's; Latvian labels are mcred's translations.
- Latvian qualifications framework (LKI, "LQF" in the EU Qualifications Dataset Register): the QDR concepts
  "LQF Level 1".."LQF Level 8" of framework c_ac40cadc "Latvian Qualifications Framework", from the ELM repository
  file xsd/loq/cv/nqf.xsd (scheme http://data.europa.eu/snb/qdr/25831c2, the scheme the EU sample uses for NQF).
- Languages, countries, administrative territorial units (ATU) and file types: the EU Publications Office
  authority tables; NUTS regions: Eurostat's NUTS (data.europa.eu/nuts), as copied into the ELM repository.
- Note subjects: the EU "qualification topics" (ELM repository xsd/loq/cv/loq_individuals.xsd), which the EU
  publishes without a concept scheme IRI, so these concepts carry none.
- Supervision and identity verification: only "unsupervised without ID verification" (c598449d64) is confirmed by
  the EU sample; the Europass list of methods of supervision and verification is not among the ELM repository's
  vocabulary files, so the Council Recommendation's three other values carry mcred IRIs
  (urn:mcred:supervision-verification:...) rather than guessed EU IRIs: a verifier must never see an EU IRI that
  the EU did not mint. Replace them once the EU IRIs are confirmed.
- urn:mcred: concepts only where the EU has none (README, "Vocabularies"): the three supervision values above,
  the note subject "further information", and the Latvian programme types (LV_PROGRAMME_TYPES). Older mcred credentials used further urn:mcred: concepts; LEGACY keeps their labels so they
  still read well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Concept:
    """One skos:Concept of a controlled vocabulary, with its scheme and its lv/en labels."""

    id: str
    scheme: str | None  # None: the EU publishes the concept without a scheme IRI (note subjects)
    pref_label: Mapping[str, str] = field(default_factory=dict)
    notation: str | None = None

    def to_elm(self) -> dict:
        """The concept as an ELM JSON-LD node, shaped like the EU sample's concepts."""
        node: dict = {"id": self.id, "type": "Concept"}
        if self.scheme:
            node["inScheme"] = {"id": self.scheme, "type": "ConceptScheme"}
        if self.notation:
            node["notation"] = self.notation
        node["prefLabel"] = dict(self.pref_label)
        return node

    def label(self, lang: str = "lv") -> str:
        return pick_label(self.pref_label, lang)


def pick_label(labels: Mapping[str, str], lang: str = "lv") -> str:
    """The label in ``lang``, else English, else Latvian, else any: a reader always gets some text."""
    for key in (lang, "en", "lv"):
        if labels.get(key):
            return labels[key]
    return next(iter(labels.values()), "")


def _freeze(d: dict) -> Mapping:
    return MappingProxyType(d)


# --- credential profile --------------------------------------------------------------------------------------
# ELM's credential-type vocabulary has no micro-credential profile (Generic, Learning Activity, Qualification
# Award, Diploma Supplement, Learning Entitlement); the EU micro-credential sample uses "Generic", so do we.
CREDENTIAL_SCHEME = "http://data.europa.eu/snb/credential/25831c2"
CREDENTIAL_PROFILE_GENERIC = Concept(
    "http://data.europa.eu/snb/credential/e34929035b", CREDENTIAL_SCHEME, _freeze({"en": "Generic", "lv": "Vispārīgs"})
)

# --- EQF levels 1-8 ------------------------------------------------------------------------------------------
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
EQF_LEVELS: Mapping[int, Concept] = _freeze(
    {
        n: Concept(f"http://data.europa.eu/snb/eqf/{n}", EQF_SCHEME, _freeze({"en": f"Level {n}", "lv": f"{n}. līmenis"}))
        for n in range(1, 9)
    }
)

# --- Latvian qualifications framework (LKI) levels 1-8, as QDR concepts ----------------------------------------
QDR_SCHEME = "http://data.europa.eu/snb/qdr/25831c2"
LKI_FRAMEWORK = Concept(
    "http://data.europa.eu/snb/qdr/c_ac40cadc",
    QDR_SCHEME,
    _freeze({"en": "Latvian Qualifications Framework", "lv": "Latvijas kvalifikāciju ietvarstruktūra"}),
)
_LKI_IDS = {
    1: "c_41bf3e8a",
    2: "c_f1f60c76",
    3: "c_138c123b",
    4: "c_14b672c3",
    5: "c_7493dd0e",
    6: "c_a828cd20",
    7: "c_a61cdeca",
    8: "c_a6744590",
}
LKI_LEVELS: Mapping[int, Concept] = _freeze(
    {
        n: Concept(
            f"http://data.europa.eu/snb/qdr/{code}",
            QDR_SCHEME,
            _freeze({"en": f"LQF Level {n}", "lv": f"LKI {n}. līmenis"}),
        )
        for n, code in _LKI_IDS.items()
    }
)

# --- ECTS --------------------------------------------------------------------------------------------------------
EDUCATION_CREDIT_SCHEME = "http://data.europa.eu/snb/education-credit/25831c2"
ECTS = Concept(
    "http://data.europa.eu/snb/education-credit/6fcec5c5af",
    EDUCATION_CREDIT_SCHEME,
    _freeze({"en": "European Credit Transfer System", "lv": "Eiropas kredītpunktu pārneses sistēma"}),
)

# --- mode of learning and assessment (form of participation, assessment mode) ----------------------------------
LEARNING_ASSESSMENT_SCHEME = "http://data.europa.eu/snb/learning-assessment/25831c2"
LEARNING_MODES: Mapping[str, Concept] = _freeze(
    {
        "online": Concept(
            "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
            LEARNING_ASSESSMENT_SCHEME,
            _freeze({"en": "Online", "lv": "Tiešsaistē"}),
        ),
        # ELM calls in-person learning "Presential"; the friendly input calls it "onsite" as the Recommendation does.
        "onsite": Concept(
            "http://data.europa.eu/snb/learning-assessment/9191af2ed9",
            LEARNING_ASSESSMENT_SCHEME,
            _freeze({"en": "Presential", "lv": "Klātienē"}),
        ),
        "blended": Concept(
            "http://data.europa.eu/snb/learning-assessment/e92d221e4d",
            LEARNING_ASSESSMENT_SCHEME,
            _freeze({"en": "Blended", "lv": "Jaukta (tiešsaistē un klātienē)"}),
        ),
    }
)

# --- learning setting ------------------------------------------------------------------------------------------
LEARNING_SETTING_SCHEME = "http://data.europa.eu/snb/learning-setting/25831c2"
LEARNING_SETTINGS: Mapping[str, Concept] = _freeze(
    {
        "formal": Concept(
            "http://data.europa.eu/snb/learning-setting/6fd4685715",
            LEARNING_SETTING_SCHEME,
            _freeze({"en": "formal learning", "lv": "formālā izglītība"}),
        ),
        "non-formal": Concept(
            "http://data.europa.eu/snb/learning-setting/e207a81fc7",
            LEARNING_SETTING_SCHEME,
            _freeze({"en": "non-formal learning", "lv": "neformālā izglītība"}),
        ),
    }
)

# --- supervision and identity verification during assessment (Annex I, optional element) -----------------------
SUPERVISION_SCHEME = "http://data.europa.eu/snb/supervision-verification/25831c2"
MCRED_SUPERVISION_SCHEME = "urn:mcred:supervision-verification"
SUPERVISION: Mapping[str, Concept] = _freeze(
    {
        "unsupervised-no-id-verification": Concept(
            "http://data.europa.eu/snb/supervision-verification/c598449d64",
            SUPERVISION_SCHEME,
            _freeze({"en": "Unsupervised without ID Verification", "lv": "Bez uzraudzības un bez identitātes pārbaudes"}),
        ),
        "supervised-no-id-verification": Concept(
            "urn:mcred:supervision-verification:supervised-no-id-verification",
            MCRED_SUPERVISION_SCHEME,
            _freeze({"en": "Supervised without ID verification", "lv": "Uzraudzīts bez identitātes pārbaudes"}),
        ),
        "supervised-online-id-verification": Concept(
            "urn:mcred:supervision-verification:supervised-online-id-verification",
            MCRED_SUPERVISION_SCHEME,
            _freeze(
                {
                    "en": "Supervised online with ID verification",
                    "lv": "Uzraudzīts tiešsaistē ar identitātes pārbaudi",
                }
            ),
        ),
        "supervised-onsite-id-verification": Concept(
            "urn:mcred:supervision-verification:supervised-onsite-id-verification",
            MCRED_SUPERVISION_SCHEME,
            _freeze(
                {"en": "Supervised onsite with ID verification", "lv": "Uzraudzīts klātienē ar identitātes pārbaudi"}
            ),
        ),
    }
)

# --- ESCO skills ---------------------------------------------------------------------------------------------------
ESCO_SKILL_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"

# --- note subjects ------------------------------------------------------------------------------------------------
# ELM 3 has no property for "type of quality assurance" (when no accreditation stands behind it) or "integration/
# stackability options" as text; its place for such statements is additionalNote (a Note), whose dc:subject says
# what the note is about. The EU's qualification topics name the first two; "further information" has no EU topic.
QUALIFICATION_TOPIC = "http://data.europa.eu/snb/qualification-topics#"
MCRED_NOTE_SUBJECT_SCHEME = "urn:mcred:note-subject"
NOTE_SUBJECTS: Mapping[str, Concept] = _freeze(
    {
        "quality-assurance": Concept(
            QUALIFICATION_TOPIC + "accreditation-and-quality-assurance",
            None,
            _freeze({"en": "Accreditation and quality assurance", "lv": "Akreditācija un kvalitātes nodrošināšana"}),
        ),
        "stackability": Concept(
            QUALIFICATION_TOPIC + "pathways",
            None,
            _freeze({"en": "Pathways", "lv": "Tālākās izglītības ceļi"}),
        ),
        "further-information": Concept(
            "urn:mcred:note-subject:further-information",
            MCRED_NOTE_SUBJECT_SCHEME,
            _freeze({"en": "Further information", "lv": "Papildu informācija"}),
        ),
    }
)

# --- quality assurance: EU accreditation types -----------------------------------------------------------------
# ELM's Accreditation ("the quality assurance or licensing of an organisation or a qualification") carries the
# named QA body (accrediting agent); its dc:type must come from the EDC accreditation types.
ACCREDITATION_SCHEME = "http://data.europa.eu/snb/accreditation/25831c2"
QA_KINDS: Mapping[str, Concept] = _freeze(
    {
        "institutional": Concept(
            "http://data.europa.eu/snb/accreditation/bb4618238e",
            ACCREDITATION_SCHEME,
            _freeze({"en": "Institutional Quality Assurance", "lv": "Institucionālā kvalitātes nodrošināšana"}),
        ),
        "programme": Concept(
            "http://data.europa.eu/snb/accreditation/820101cba6",
            ACCREDITATION_SCHEME,
            _freeze({"en": "Program Quality Assurance", "lv": "Programmas kvalitātes nodrošināšana"}),
        ),
    }
)

# --- assessment types (the EDC list of assessment types; the free-text type of assessment stays the title) ------
ASSESSMENT_TYPE_SCHEME = "http://data.europa.eu/snb/assessment/25831c2"
_ASSESSMENT_TYPES = {
    # input code: (EU id, EU English label, Latvian label)
    "peer-assessment": ("19a2e5e671", "peer assessment", "savstarpējā vērtēšana"),
    "marked-assignment": ("2939dae15f", "marked assignment", "vērtēts uzdevums"),
    "continuous-evaluation": ("3484bd7e51", "continuous evaluation", "pastāvīgā vērtēšana"),
    "portfolio": ("4f03b91c0e", "portfolio", "portfolio"),
    "group-performance": ("56539a6507", "group performance", "grupas sniegums"),
    "practical-assessment": ("6a4db9f11d", "practical assessment", "praktiskais pārbaudījums"),
    "written-examination": ("6e6cb2cc78", "written examination", "rakstisks eksāmens"),
    "level-of-attendance": ("7331eb4762", "level of attendance", "apmeklējums"),
    "project-work": ("795dac4096", "project work", "projekta darbs"),
    "peer-review": ("812e3b0ae1", "peer review", "savstarpējā recenzēšana"),
    "quiz": ("b1b68f6735", "quiz", "tests"),
    "problem-based-learning": ("c4256a2726", "problem based learning", "problēmbalstīta mācīšanās"),
    "oral-examination": ("d30284d7df", "oral examination", "mutisks eksāmens"),
    "artefact-assessment": ("de4d165a6c", "artefact assessment", "darba (artefakta) vērtēšana"),
}
ASSESSMENT_TYPES: Mapping[str, Concept] = _freeze(
    {
        code: Concept(f"http://data.europa.eu/snb/assessment/{eu}", ASSESSMENT_TYPE_SCHEME, _freeze({"en": en, "lv": lv}))
        for code, (eu, en, lv) in _ASSESSMENT_TYPES.items()
    }
)

# --- learning opportunity types (the ones the Latvian programme types map to) -----------------------------------
LEARNING_OPPORTUNITY_SCHEME = "http://data.europa.eu/snb/learning-opportunity/25831c2"
LEARNING_OPPORTUNITY_TYPES: Mapping[str, Concept] = _freeze(
    {
        "programme-module": Concept(
            "http://data.europa.eu/snb/learning-opportunity/0f7dac46ca",
            LEARNING_OPPORTUNITY_SCHEME,
            _freeze({"en": "Programme module", "lv": "Studiju programmas modulis"}),
        ),
        # the type the EU's own micro-credential sample uses
        "short-learning-programme": Concept(
            "http://data.europa.eu/snb/learning-opportunity/74a4a268e8",
            LEARNING_OPPORTUNITY_SCHEME,
            _freeze({"en": "Short learning programme", "lv": "Īsa mācību programma"}),
        ),
    }
)

# --- learning entitlements (stackability: what the micro-credential gives access to) ---------------------------
ENTITLEMENT_TYPE_LEARNING_OPPORTUNITY = Concept(
    "http://data.europa.eu/snb/entitlement/64aad92881",
    "http://data.europa.eu/snb/entitlement/25831c2",
    _freeze({"en": "learning opportunity", "lv": "mācību iespēja"}),
)
# "prospective": the holder may claim it (e.g. recognition in a programme), it is not yet granted.
ENTITLEMENT_STATUS_PROSPECTIVE = Concept(
    "http://data.europa.eu/snb/entitlement-status/5b8d6b34fb",
    "http://data.europa.eu/snb/entitlement-status/25831c2",
    _freeze({"en": "prospective", "lv": "iespējama"}),
)

# --- the credential's display image (ELM DisplayParameter): an SVG, base64-encoded, as the EU sample does JPEG ---
CONTENT_ENCODING_BASE64 = Concept(
    "http://data.europa.eu/snb/encoding/6146cde7dd",
    "http://data.europa.eu/snb/encoding/25831c2",
    _freeze({"en": "base64"}),
)
FILE_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/file-type"
FILE_TYPE_SVG = Concept(f"{FILE_TYPE_SCHEME}/SVG", FILE_TYPE_SCHEME, _freeze({"en": "SVG"}), notation="file-type")

# --- Latvian programme types and the documents they end in (the EU has no vocabulary for national types) -------
# From the national workshop that opened the Latvian qualifications framework (LKI) to micro-credentials through
# five kinds of existing programmes. Each is recorded twice in a credential: the EU learning opportunity type that
# fits, and this national concept; the document type names the document the programme ends in.
# The documents (names in lv/en); a credential names its document in its DisplayParameter title.
LV_DOCUMENT_TYPES: Mapping[str, Mapping[str, str]] = _freeze(
    {
        "aii-certificate": _freeze({"lv": "Augstskolas (AII) apliecība", "en": "Higher education institution certificate"}),
        "state-recognised-certificate": _freeze(
            {"lv": "Valsts atzīta apliecība", "en": "State-recognised certificate (apliecība)"}),
        "state-recognised-teacher-certificate": _freeze(
            {"lv": "Valsts atzīts sertifikāts", "en": "State-recognised certificate (sertifikāts)"}),
    }
)
# The document of a credential issued without a programme type: the Recommendation's own term.
MICRO_CREDENTIAL_DOCUMENT = _freeze({"lv": "Mikrokvalifikācija", "en": "Micro-credential"})


@dataclass(frozen=True)
class ProgrammeType:
    """A Latvian programme type and what its document normally carries (the workshop's table).

    ``ects`` and ``lki``: "required" (the document states it; its absence is refused) or "optional".
    ``qa``: "accredited" (quality assurance is in place: an accreditation with its body is required),
    "optional", or "usually-none" (the Recommendation still requires the type of quality assurance).
    """

    code: str
    concept: Concept
    opportunity: Concept
    document: Mapping[str, str]
    ects: str
    lki: str
    lki_max: int
    qa: str


LV_PROGRAMME_TYPE_SCHEME = "urn:mcred:lv-programme-type"
# Professional further education leads to LKI levels 1 to 4 today (Vocational Education Law); raise this when
# the framework opens higher levels to it.
LKI_MAX_PROFESSIONAL_FURTHER_EDUCATION = 4


def _programme(code: str, lv: str, en: str, opportunity: str, document: str, ects: str, lki: str, qa: str,
               lki_max: int = 8) -> ProgrammeType:
    concept = Concept(f"{LV_PROGRAMME_TYPE_SCHEME}:{code}", LV_PROGRAMME_TYPE_SCHEME, _freeze({"lv": lv, "en": en}))
    return ProgrammeType(code, concept, LEARNING_OPPORTUNITY_TYPES[opportunity], LV_DOCUMENT_TYPES[document],
                         ects, lki, lki_max, qa)


LV_PROGRAMME_TYPES: Mapping[str, ProgrammeType] = _freeze(
    {
        p.code: p
        for p in (
            _programme("study-course", "Studiju kurss, modulis vai moduļu kopa",
                       "Study course, module or set of modules (higher education)",
                       "programme-module", "aii-certificate", ects="required", lki="optional", qa="accredited"),
            _programme("professional-further-education", "Profesionālās tālākizglītības programma",
                       "Professional further education programme", "short-learning-programme",
                       "state-recognised-certificate", ects="optional", lki="required", qa="optional",
                       lki_max=LKI_MAX_PROFESSIONAL_FURTHER_EDUCATION),
            _programme("professional-development", "Profesionālās pilnveides programma",
                       "Professional development programme", "short-learning-programme",
                       "state-recognised-certificate", ects="optional", lki="optional", qa="optional"),
            _programme("teacher-professional-development",
                       "Pedagogu profesionālās kompetences pilnveides programma",
                       "Teachers' professional competence development programme", "short-learning-programme",
                       "state-recognised-teacher-certificate", ects="optional", lki="optional", qa="optional"),
            _programme("non-formal", "Neformālās izglītības programma", "Non-formal education programme",
                       "short-learning-programme", "aii-certificate", ects="optional", lki="optional",
                       qa="usually-none"),
        )
    }
)

# --- regions of Latvia (the region of the issuer, ELM Location spatialCode) --------------------------------------
# NUTS 3 regions (Eurostat, data.europa.eu/nuts; names are Latvian in every language) and the ATU republic cities
# (Publications Office "atu" table, English labels; mcred's Latvian ones). The ATU table's Latvian municipalities
# (novadi) are the 110 dissolved by the 2021 administrative-territorial reform, so they are left out: the NUTS 3
# regions cover every place in Latvia.
NUTS_SCHEME = "http://data.europa.eu/nuts"
ATU_SCHEME = "http://publications.europa.eu/resource/authority/atu"
_NUTS_LV = {"LV003": "Kurzeme", "LV005": "Latgale", "LV006": "Rīga", "LV007": "Pierīga", "LV008": "Vidzeme",
            "LV009": "Zemgale"}
_ATU_LV_CITIES = {"LVA_RP_DGV": "Daugavpils", "LVA_RP_JGA": "Jelgava", "LVA_RP_JPS": "Jēkabpils",
                  "LVA_RP_ZJA": "Jūrmala", "LVA_RP_LPX": "Liepāja", "LVA_RP_REZ": "Rēzekne", "LVA_RP_RIX": "Rīga",
                  "LVA_RP_VEN": "Ventspils", "LVA_RP_VIE": "Valmiera"}
REGIONS: Mapping[str, Concept] = _freeze(
    {
        **{code: Concept(f"http://data.europa.eu/nuts/code/{code}", NUTS_SCHEME, _freeze({"lv": name, "en": name}),
                         notation=code) for code, name in _NUTS_LV.items()},
        **{code: Concept(f"{ATU_SCHEME}/{code}", ATU_SCHEME,
                         _freeze({"en": f"Republic city of {name}", "lv": f"{name} (republikas pilsēta)"}),
                         notation="atu") for code, name in _ATU_LV_CITIES.items()},
    }
)
REGION_COUNTRY = "LVA"  # every region above is in Latvia

# --- concepts older mcred credentials carry (read, never written) ------------------------------------------------
LEGACY: tuple[Concept, ...] = (
    Concept("urn:mcred:note-subject:quality-assurance", MCRED_NOTE_SUBJECT_SCHEME,
            _freeze({"en": "Type of quality assurance", "lv": "Kvalitātes nodrošināšanas veids"})),
    Concept("urn:mcred:note-subject:stackability", MCRED_NOTE_SUBJECT_SCHEME,
            _freeze({"en": "Integration and stackability options", "lv": "Integrēšanas un apvienošanas iespējas"})),
    Concept("urn:mcred:accreditation-type:quality-assurance", "urn:mcred:accreditation-type",
            _freeze({"en": "Quality assurance", "lv": "Kvalitātes nodrošināšana"})),
)
# note subjects that mean "type of quality assurance" / "stackability", old and new
QA_NOTE_SUBJECTS = frozenset({NOTE_SUBJECTS["quality-assurance"].id, "urn:mcred:note-subject:quality-assurance"})
STACKABILITY_NOTE_SUBJECTS = frozenset({NOTE_SUBJECTS["stackability"].id, "urn:mcred:note-subject:stackability"})

# --- languages (EU authority table "language") ------------------------------------------------------------------
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
_LANGUAGES = {
    # ISO 639-1: (authority code, English, Latvian)
    "bg": ("BUL", "Bulgarian", "bulgāru valoda"),
    "cs": ("CES", "Czech", "čehu valoda"),
    "da": ("DAN", "Danish", "dāņu valoda"),
    "de": ("DEU", "German", "vācu valoda"),
    "el": ("ELL", "Greek", "grieķu valoda"),
    "en": ("ENG", "English", "angļu valoda"),
    "es": ("SPA", "Spanish", "spāņu valoda"),
    "et": ("EST", "Estonian", "igauņu valoda"),
    "fi": ("FIN", "Finnish", "somu valoda"),
    "fr": ("FRA", "French", "franču valoda"),
    "ga": ("GLE", "Irish", "īru valoda"),
    "hr": ("HRV", "Croatian", "horvātu valoda"),
    "hu": ("HUN", "Hungarian", "ungāru valoda"),
    "it": ("ITA", "Italian", "itāļu valoda"),
    "lt": ("LIT", "Lithuanian", "lietuviešu valoda"),
    "lv": ("LAV", "Latvian", "latviešu valoda"),
    "mt": ("MLT", "Maltese", "maltiešu valoda"),
    "nl": ("NLD", "Dutch", "nīderlandiešu valoda"),
    "pl": ("POL", "Polish", "poļu valoda"),
    "pt": ("POR", "Portuguese", "portugāļu valoda"),
    "ro": ("RON", "Romanian", "rumāņu valoda"),
    "sk": ("SLK", "Slovak", "slovāku valoda"),
    "sl": ("SLV", "Slovenian", "slovēņu valoda"),
    "sv": ("SWE", "Swedish", "zviedru valoda"),
    # beyond the EU official languages: neighbours and frequent languages of instruction
    "ru": ("RUS", "Russian", "krievu valoda"),
    "uk": ("UKR", "Ukrainian", "ukraiņu valoda"),
    "be": ("BEL", "Belarusian", "baltkrievu valoda"),
    "no": ("NOR", "Norwegian", "norvēģu valoda"),
    "is": ("ISL", "Icelandic", "islandiešu valoda"),
    "tr": ("TUR", "Turkish", "turku valoda"),
    "zh": ("ZHO", "Chinese", "ķīniešu valoda"),
    "ja": ("JPN", "Japanese", "japāņu valoda"),
    "ar": ("ARA", "Arabic", "arābu valoda"),
}
LANGUAGES: Mapping[str, Concept] = _freeze(
    {
        code: Concept(f"{LANGUAGE_SCHEME}/{auth}", LANGUAGE_SCHEME, _freeze({"en": en, "lv": lv}), notation="language")
        for code, (auth, en, lv) in _LANGUAGES.items()
    }
)

# --- countries (EU authority table "country", ISO 3166-1 alpha-3) ------------------------------------------------
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
_COUNTRIES = {
    # EU member states
    "AUT": ("Austria", "Austrija"),
    "BEL": ("Belgium", "Beļģija"),
    "BGR": ("Bulgaria", "Bulgārija"),
    "HRV": ("Croatia", "Horvātija"),
    "CYP": ("Cyprus", "Kipra"),
    "CZE": ("Czechia", "Čehija"),
    "DNK": ("Denmark", "Dānija"),
    "EST": ("Estonia", "Igaunija"),
    "FIN": ("Finland", "Somija"),
    "FRA": ("France", "Francija"),
    "DEU": ("Germany", "Vācija"),
    "GRC": ("Greece", "Grieķija"),
    "HUN": ("Hungary", "Ungārija"),
    "IRL": ("Ireland", "Īrija"),
    "ITA": ("Italy", "Itālija"),
    "LVA": ("Latvia", "Latvija"),
    "LTU": ("Lithuania", "Lietuva"),
    "LUX": ("Luxembourg", "Luksemburga"),
    "MLT": ("Malta", "Malta"),
    "NLD": ("Netherlands", "Nīderlande"),
    "POL": ("Poland", "Polija"),
    "PRT": ("Portugal", "Portugāle"),
    "ROU": ("Romania", "Rumānija"),
    "SVK": ("Slovakia", "Slovākija"),
    "SVN": ("Slovenia", "Slovēnija"),
    "ESP": ("Spain", "Spānija"),
    "SWE": ("Sweden", "Zviedrija"),
    # EEA/EFTA
    "ISL": ("Iceland", "Islande"),
    "LIE": ("Liechtenstein", "Lihtenšteina"),
    "NOR": ("Norway", "Norvēģija"),
    "CHE": ("Switzerland", "Šveice"),
    # neighbours and frequent partners
    "GBR": ("United Kingdom", "Apvienotā Karaliste"),
    "UKR": ("Ukraine", "Ukraina"),
    "BLR": ("Belarus", "Baltkrievija"),
    "RUS": ("Russia", "Krievija"),
    "MDA": ("Moldova", "Moldova"),
    "GEO": ("Georgia", "Gruzija"),
    "TUR": ("Türkiye", "Turcija"),
    "USA": ("United States", "Amerikas Savienotās Valstis"),
    "CAN": ("Canada", "Kanāda"),
}
COUNTRIES: Mapping[str, Concept] = _freeze(
    {
        code: Concept(f"{COUNTRY_SCHEME}/{code}", COUNTRY_SCHEME, _freeze({"en": en, "lv": lv}), notation="country")
        for code, (en, lv) in _COUNTRIES.items()
    }
)

# --- ISCED-F 2013 fields of education and training ---------------------------------------------------------------
ISCED_F_SCHEME = "http://data.europa.eu/snb/isced-f/25831c2"
# Broad fields (2 digits) with Latvian labels; narrow (3) and detailed (4) fields in English (UNESCO ISCED-F 2013).
_ISCED_BROAD_LV = {
    "00": "Vispārīgas programmas un kvalifikācijas",
    "01": "Izglītība",
    "02": "Māksla un humanitārās zinātnes",
    "03": "Sociālās zinātnes, žurnālistika un informācija",
    "04": "Uzņēmējdarbība, administrēšana un tiesības",
    "05": "Dabaszinātnes, matemātika un statistika",
    "06": "Informācijas un komunikācijas tehnoloģijas (IKT)",
    "07": "Inženierzinātnes, ražošana un būvniecība",
    "08": "Lauksaimniecība, mežsaimniecība, zivsaimniecība un veterinārija",
    "09": "Veselības aprūpe un sociālā labklājība",
    "10": "Pakalpojumi",
}
_ISCED_EN = {
    "00": "Generic programmes and qualifications",
    "001": "Basic programmes and qualifications",
    "0011": "Basic programmes and qualifications",
    "002": "Literacy and numeracy",
    "0021": "Literacy and numeracy",
    "003": "Personal skills and development",
    "0031": "Personal skills and development",
    "01": "Education",
    "011": "Education",
    "0111": "Education science",
    "0112": "Training for pre-school teachers",
    "0113": "Teacher training without subject specialisation",
    "0114": "Teacher training with subject specialisation",
    "0119": "Education not elsewhere classified",
    "018": "Inter-disciplinary programmes and qualifications involving education",
    "0188": "Inter-disciplinary programmes and qualifications involving education",
    "02": "Arts and humanities",
    "021": "Arts",
    "0211": "Audio-visual techniques and media production",
    "0212": "Fashion, interior and industrial design",
    "0213": "Fine arts",
    "0214": "Handicrafts",
    "0215": "Music and performing arts",
    "0219": "Arts not elsewhere classified",
    "022": "Humanities (except languages)",
    "0221": "Religion and theology",
    "0222": "History and archaeology",
    "0223": "Philosophy and ethics",
    "0229": "Humanities (except languages) not elsewhere classified",
    "023": "Languages",
    "0231": "Language acquisition",
    "0232": "Literature and linguistics",
    "0239": "Languages not elsewhere classified",
    "028": "Inter-disciplinary programmes and qualifications involving arts and humanities",
    "0288": "Inter-disciplinary programmes and qualifications involving arts and humanities",
    "029": "Arts and humanities not elsewhere classified",
    "0299": "Arts and humanities not elsewhere classified",
    "03": "Social sciences, journalism and information",
    "031": "Social and behavioural sciences",
    "0311": "Economics",
    "0312": "Political sciences and civics",
    "0313": "Psychology",
    "0314": "Sociology and cultural studies",
    "0319": "Social and behavioural sciences not elsewhere classified",
    "032": "Journalism and information",
    "0321": "Journalism and reporting",
    "0322": "Library, information and archival studies",
    "0329": "Journalism and information not elsewhere classified",
    "038": "Inter-disciplinary programmes and qualifications involving social sciences, journalism and information",
    "0388": "Inter-disciplinary programmes and qualifications involving social sciences, journalism and information",
    "039": "Social sciences, journalism and information not elsewhere classified",
    "0399": "Social sciences, journalism and information not elsewhere classified",
    "04": "Business, administration and law",
    "041": "Business and administration",
    "0411": "Accounting and taxation",
    "0412": "Finance, banking and insurance",
    "0413": "Management and administration",
    "0414": "Marketing and advertising",
    "0415": "Secretarial and office work",
    "0416": "Wholesale and retail sales",
    "0417": "Work skills",
    "0419": "Business and administration not elsewhere classified",
    "042": "Law",
    "0421": "Law",
    "048": "Inter-disciplinary programmes and qualifications involving business, administration and law",
    "0488": "Inter-disciplinary programmes and qualifications involving business, administration and law",
    "049": "Business, administration and law not elsewhere classified",
    "0499": "Business, administration and law not elsewhere classified",
    "05": "Natural sciences, mathematics and statistics",
    "051": "Biological and related sciences",
    "0511": "Biology",
    "0512": "Biochemistry",
    "0519": "Biological and related sciences not elsewhere classified",
    "052": "Environment",
    "0521": "Environmental sciences",
    "0522": "Natural environments and wildlife",
    "0529": "Environment not elsewhere classified",
    "053": "Physical sciences",
    "0531": "Chemistry",
    "0532": "Earth sciences",
    "0533": "Physics",
    "0539": "Physical sciences not elsewhere classified",
    "054": "Mathematics and statistics",
    "0541": "Mathematics",
    "0542": "Statistics",
    "058": "Inter-disciplinary programmes and qualifications involving natural sciences, mathematics and statistics",
    "0588": "Inter-disciplinary programmes and qualifications involving natural sciences, mathematics and statistics",
    "059": "Natural sciences, mathematics and statistics not elsewhere classified",
    "0599": "Natural sciences, mathematics and statistics not elsewhere classified",
    "06": "Information and Communication Technologies (ICTs)",
    "061": "Information and Communication Technologies (ICTs)",
    "0611": "Computer use",
    "0612": "Database and network design and administration",
    "0613": "Software and applications development and analysis",
    "0619": "Information and communication technologies not elsewhere classified",
    "068": "Inter-disciplinary programmes and qualifications involving Information and Communication Technologies (ICTs)",
    "0688": "Inter-disciplinary programmes and qualifications involving Information and Communication Technologies (ICTs)",
    "07": "Engineering, manufacturing and construction",
    "071": "Engineering and engineering trades",
    "0711": "Chemical engineering and processes",
    "0712": "Environmental protection technology",
    "0713": "Electricity and energy",
    "0714": "Electronics and automation",
    "0715": "Mechanics and metal trades",
    "0716": "Motor vehicles, ships and aircraft",
    "0719": "Engineering and engineering trades not elsewhere classified",
    "072": "Manufacturing and processing",
    "0721": "Food processing",
    "0722": "Materials (glass, paper, plastic and wood)",
    "0723": "Textiles (clothes, footwear and leather)",
    "0724": "Mining and extraction",
    "0729": "Manufacturing and processing not elsewhere classified",
    "073": "Architecture and construction",
    "0731": "Architecture and town planning",
    "0732": "Building and civil engineering",
    "078": "Inter-disciplinary programmes and qualifications involving engineering, manufacturing and construction",
    "0788": "Inter-disciplinary programmes and qualifications involving engineering, manufacturing and construction",
    "079": "Engineering, manufacturing and construction not elsewhere classified",
    "0799": "Engineering, manufacturing and construction not elsewhere classified",
    "08": "Agriculture, forestry, fisheries and veterinary",
    "081": "Agriculture",
    "0811": "Crop and livestock production",
    "0812": "Horticulture",
    "0819": "Agriculture not elsewhere classified",
    "082": "Forestry",
    "0821": "Forestry",
    "083": "Fisheries",
    "0831": "Fisheries",
    "084": "Veterinary",
    "0841": "Veterinary",
    "088": "Inter-disciplinary programmes and qualifications involving agriculture, forestry, fisheries and veterinary",
    "0888": "Inter-disciplinary programmes and qualifications involving agriculture, forestry, fisheries and veterinary",
    "089": "Agriculture, forestry, fisheries and veterinary not elsewhere classified",
    "0899": "Agriculture, forestry, fisheries and veterinary not elsewhere classified",
    "09": "Health and welfare",
    "091": "Health",
    "0911": "Dental studies",
    "0912": "Medicine",
    "0913": "Nursing and midwifery",
    "0914": "Medical diagnostic and treatment technology",
    "0915": "Therapy and rehabilitation",
    "0916": "Pharmacy",
    "0917": "Traditional and complementary medicine and therapy",
    "0919": "Health not elsewhere classified",
    "092": "Welfare",
    "0921": "Care of the elderly and of disabled adults",
    "0922": "Child care and youth services",
    "0923": "Social work and counselling",
    "0929": "Welfare not elsewhere classified",
    "098": "Inter-disciplinary programmes and qualifications involving health and welfare",
    "0988": "Inter-disciplinary programmes and qualifications involving health and welfare",
    "099": "Health and welfare not elsewhere classified",
    "0999": "Health and welfare not elsewhere classified",
    "10": "Services",
    "101": "Personal services",
    "1011": "Domestic services",
    "1012": "Hair and beauty services",
    "1013": "Hotel, restaurants and catering",
    "1014": "Sports",
    "1015": "Travel, tourism and leisure",
    "1019": "Personal services not elsewhere classified",
    "102": "Hygiene and occupational health services",
    "1021": "Community sanitation",
    "1022": "Occupational health and safety",
    "1029": "Hygiene and occupational health services not elsewhere classified",
    "103": "Security services",
    "1031": "Military and defence",
    "1032": "Protection of persons and property",
    "1039": "Security services not elsewhere classified",
    "104": "Transport services",
    "1041": "Transport services",
    "108": "Inter-disciplinary programmes and qualifications involving services",
    "1088": "Inter-disciplinary programmes and qualifications involving services",
    "109": "Services not elsewhere classified",
    "1099": "Services not elsewhere classified",
    # ISCED-F also has 99/999/9999 "Field unknown": left out on purpose, an issuer always knows the field it
    # teaches, and "unknown" on a credential tells a reader nothing.
}
ISCED_F: Mapping[str, Concept] = _freeze(
    {
        code: Concept(
            f"http://data.europa.eu/snb/isced-f/{code}",
            ISCED_F_SCHEME,
            _freeze({"en": en, **({"lv": _ISCED_BROAD_LV[code]} if code in _ISCED_BROAD_LV else {})}),
        )
        for code, en in _ISCED_EN.items()
    }
)


# --- reverse look-ups (reading credentials) --------------------------------------------------------------------


def eqf_level_of(concept_id: object) -> int | None:
    """The EQF level number of an EQF concept IRI (http://data.europa.eu/snb/eqf/N), else None."""
    prefix = "http://data.europa.eu/snb/eqf/"
    if isinstance(concept_id, str) and concept_id.startswith(prefix):
        tail = concept_id[len(prefix):]
        if tail.isdigit() and 1 <= int(tail) <= 8:
            return int(tail)
    return None


def country_code_of(concept_id: object) -> str | None:
    """The ISO alpha-3 code of a country authority IRI, else None."""
    prefix = COUNTRY_SCHEME + "/"
    if isinstance(concept_id, str) and concept_id.startswith(prefix):
        return concept_id[len(prefix):]
    return None


def concept_by_id(concept_id: object) -> Concept | None:
    """Any concept of this module, looked up by its IRI (for labels in languages a credential lacks)."""
    return _BY_ID.get(concept_id) if isinstance(concept_id, str) else None


_BY_ID: dict[str, Concept] = {
    c.id: c
    for table in (EQF_LEVELS, LKI_LEVELS, LEARNING_MODES, LEARNING_SETTINGS, SUPERVISION, LANGUAGES, COUNTRIES, ISCED_F,
                  NOTE_SUBJECTS, QA_KINDS, ASSESSMENT_TYPES, LEARNING_OPPORTUNITY_TYPES, REGIONS)
    for c in table.values()
}
_BY_ID.update({p.concept.id: p.concept for p in LV_PROGRAMME_TYPES.values()})
_BY_ID.update({c.id: c for c in (ECTS, CREDENTIAL_PROFILE_GENERIC, LKI_FRAMEWORK, ENTITLEMENT_TYPE_LEARNING_OPPORTUNITY,
                                 ENTITLEMENT_STATUS_PROSPECTIVE, *LEGACY)})


def programme_type_of(concept_id: object) -> ProgrammeType | None:
    """The Latvian programme type of a national programme type concept IRI, else None."""
    return next((p for p in LV_PROGRAMME_TYPES.values() if p.concept.id == concept_id), None)
