"""Texts of the public pages added for sharing and trust (the learner's sharing, the operator, the about page,
neutral checks), in Latvian and English; merged into app.i18n's catalogue. The credential is named by
app.texts.terms placeholders (``{nom}``, ``{Gen}``, ``{masculine|feminine}``)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "lv": {},
    "en": {},
}
