"""mcred's vocabularies against the EU's own lists (the ELM repository's controlled vocabularies in ../shared):
every EU IRI mcred writes is one the EU minted, with the EU's English label where mcred claims it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache

import pytest

from app.domain import vocab
from tests.conftest import SHARED

CV = SHARED / "elm" / "cv"
XS = "{http://www.w3.org/2001/XMLSchema}"


@cache
def eu_list(name: str) -> dict[str, str]:
    """IRI -> English label (whitespace normalised) of one ELM controlled vocabulary file."""
    tree = ET.parse(CV / name)
    out = {}
    for e in tree.iter(XS + "enumeration"):
        doc = next((d.text for d in e.iter(XS + "documentation") if d.text), "")
        out[e.get("value")] = re.sub(r"\s+", " ", doc).strip()
    return out


# (vocabulary, its EU list, whether mcred's English labels are the EU's)
VOCABULARIES = [
    (vocab.QA_KINDS.values(), "europass-accreditation-types.xsd", True),
    (vocab.ASSESSMENT_TYPES.values(), "europass-learning-assessment-types.xsd", True),
    (vocab.LEARNING_OPPORTUNITY_TYPES.values(), "europass-learning-opportunity-types.xsd", True),
    ([vocab.ENTITLEMENT_TYPE_LEARNING_OPPORTUNITY], "europass-learning-entitlement-types.xsd", True),
    ([vocab.ENTITLEMENT_STATUS_PROSPECTIVE], "europass-learning-entitlement-statuses.xsd", True),
    ([vocab.CONTENT_ENCODING_BASE64], "europass-content-encoding-types.xsd", True),
    (vocab.LEARNING_MODES.values(), "europass-modes.xsd", False),  # "Presential" etc.: compared below
    (vocab.LEARNING_SETTINGS.values(), "europass-learning-setting-types.xsd", True),
    ([vocab.ECTS], "credit-points.xsd", True),
    ([vocab.CREDENTIAL_PROFILE_GENERIC], "europass-credential-types.xsd", True),
    (vocab.EQF_LEVELS.values(), "eqf.xsd", True),
    ([*vocab.LKI_LEVELS.values(), vocab.LKI_FRAMEWORK], "nqf.xsd", True),
    (vocab.ISCED_F.values(), "isced-f.xsd", True),
    (vocab.COUNTRIES.values(), "country.xsd", False),  # mcred says "Türkiye" where the list still says "Turkey"
    ([c for code, c in vocab.REGIONS.items() if code.startswith("LV0")], "nuts.xsd", True),
    ([c for code, c in vocab.REGIONS.items() if code.startswith("LVA_")], "atu.xsd", True),
    ([c for c in vocab.NOTE_SUBJECTS.values() if not c.id.startswith("urn:")], "loq_individuals.xsd", False),
]


@pytest.mark.parametrize("concepts, name, labels", VOCABULARIES, ids=[v[1] for v in VOCABULARIES])
def test_every_eu_concept_is_in_the_eus_list(concepts, name, labels):
    eu = eu_list(name)
    for concept in concepts:
        assert concept.id in eu, f"{concept.id} is not in {name}"
        if labels:
            assert concept.pref_label["en"].casefold() == eu[concept.id].casefold(), concept.id


def test_the_modes_are_the_eus_modes():
    eu = eu_list("europass-modes.xsd")
    assert {c.id: eu[c.id] for c in vocab.LEARNING_MODES.values()} == {
        c.id: c.pref_label["en"] for c in vocab.LEARNING_MODES.values()}


def test_mcred_mints_urn_mcred_concepts_only_where_the_readme_lists_them():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    minted = {c.id for table in (vocab.SUPERVISION, vocab.NOTE_SUBJECTS)
              for c in table.values() if c.id.startswith("urn:mcred:")}
    minted |= {p.concept.id for p in vocab.LV_PROGRAMME_TYPES.values()}
    assert minted and all(iri in readme for iri in minted), sorted(iri for iri in minted if iri not in readme)
