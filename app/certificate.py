"""The certificate: one A4 page (PDF/A-2b, reportlab) an institution prints and signs, or a learner sends.

Made from the same reading as the verification page (app.credential_view) and the institution's letterhead: the
institution's logo, name and postal address at the top, the document type, the learner's name and the
micro-credential's title under plain labels (no gendered participle: "Vārds, uzvārds", not "ir ieguvis(-usi)"),
its volume and level, dates and the Annex I elements that fit, the signatory's line when the institution names one,
the QR code of the verification URL with the URL itself, identifiers in a small footer. Every date is a calendar
date: no clock time is printed. The learner's own reference (student number) is printed only when the institution
asks for it. The content is scaled to fit one page whatever the credential holds. It states no verification result
that could go stale: the QR code leads to the live page. A credential that is not valid when the PDF is made
(revoked, suspended, expired, not valid yet) is stamped so across the page (beneath the text, an opaque light
colour: no transparency) and in a banner; one whose status could not be read gets a banner.

PDF/A-2b (app.pdfa): fonts DejaVu Sans and Serif (Debian's ``fonts-dejavu-core``), embedded and subset, so
Latvian text (ā, č, ē, ģ, ī, ķ, ļ, ņ, š, ū, ž) prints as written; no standard 14 font at all (the canvas starts in
DejaVu Sans); an sRGB output intent; XMP metadata.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from app import i18n, letterhead, pdfa
from app.domain.timefmt import parse_xsd

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"sans": "DejaVuSans.ttf", "sans-bold": "DejaVuSans-Bold.ttf", "serif-bold": "DejaVuSerif-Bold.ttf",
         "mono": "DejaVuSansMono.ttf"}

WIDTH, HEIGHT = A4
MARGIN = 18 * mm
BOTTOM_BLOCK = 64 * mm  # QR code, the verification URL and the small print
QR_TOP = 56 * mm  # the QR code's top edge above the margin (the signature block starts there)
SIGNATURE_BLOCK = 30 * mm  # above it when there is a signatory: half of it to sign in
LOGO_BOX = (52 * mm, 24 * mm)
INK, MUTED, ACCENT, STAMP = colors.HexColor("#1a1a1a"), colors.HexColor("#4a4a4a"), colors.HexColor("#0b3d73"), \
    colors.HexColor("#a00000")
STAMP_LIGHT = colors.Color(0.9, 0.72, 0.72)  # the stamp's 28 % tint, opaque: drawn beneath the text

# the elements printed under the title, in this order (app.credential_view field keys)
FACTS = ("ects", "hours", "level", "dateOfIssue", "validUntil", "learningPeriod", "grade", "programmeType",
         "assessment", "participation", "languages", "qualityAssurance")
DATES = ("dateOfIssue", "validFrom", "validUntil")
IDENTIFIERS = ("credentialId", "issuerId", "learnerRef")  # learnerRef only when the reading kept it
STAMPED = ("revoked", "suspended", "expired", "not-yet-valid")
# what stays readable on one page: longer texts are cut (the verification page has them whole)
MAX_CHARS = 400
MAX_OUTCOMES = 12


@dataclass(frozen=True)
class Letterhead:
    """What the institution prints on its certificates (app.db.models.Institution; nothing of it is signed)."""

    logo: bytes | None = None
    logo_media_type: str | None = None
    address: dict | None = None  # {lv, en}
    signatory_name: str | None = None
    signatory_position: dict | None = None  # {lv, en}

    @classmethod
    def of(cls, inst) -> Letterhead:
        return cls(logo=inst.logo, logo_media_type=inst.logo_media_type, address=inst.address,
                   signatory_name=inst.signatory_name, signatory_position=inst.signatory_position)


def _in(texts: dict | None, lang: str) -> str | None:
    """The text in ``lang``, else in the other language."""
    texts = texts or {}
    return texts.get(lang) or next((v for v in texts.values() if v), None)


def day(value, lang: str) -> str | None:
    """A date or moment as a calendar date, never a clock time: a credential's dates encoded as 00:00:00 or
    23:59:59 UTC are that date (as app.i18n.format_when reads them), any other moment is its date in Riga."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return i18n.format_date(value, lang)
    moment = parse_xsd(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value) if value not in (None, "") else None
    utc = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    day_of = utc.date() if utc.time().replace(microsecond=0) in (time(0, 0, 0), time(23, 59, 59)) else \
        utc.astimezone(i18n.RIGA).date()
    return i18n.format_date(day_of, lang)


@cache
def _fonts() -> dict[str, str]:
    """Register the DejaVu fonts once; their reportlab names by role."""
    names = {}
    for role, file in FONTS.items():
        path = FONT_DIR / file
        if not path.exists():
            raise RuntimeError(f"{path} is missing: install Debian's fonts-dejavu-core for PDF certificates")
        name = "mcred-" + role
        pdfmetrics.registerFont(TTFont(name, str(path)))
        names[role] = name
    return names


def _styles() -> dict[str, ParagraphStyle]:
    f = _fonts()

    def style(name, font, size, **kw):
        return ParagraphStyle(name, fontName=f[font], fontSize=size, leading=kw.pop("leading", size * 1.25),
                              textColor=kw.pop("textColor", INK), **kw)

    return {
        "institution": style("institution", "sans-bold", 15, textColor=ACCENT),
        "address": style("address", "sans", 9, textColor=MUTED),
        "document": style("document", "sans-bold", 10, textColor=MUTED, alignment=TA_CENTER),
        "caption": style("caption", "sans", 9, alignment=TA_CENTER, textColor=MUTED),
        "learner": style("learner", "serif-bold", 28, alignment=TA_CENTER, leading=34),
        "title": style("title", "serif-bold", 19, alignment=TA_CENTER, leading=24, textColor=ACCENT),
        "label": style("label", "sans-bold", 9, textColor=MUTED),
        "value": style("value", "sans", 10),
        "heading": style("heading", "sans-bold", 10, textColor=MUTED, spaceBefore=6),
        "bullet": style("bullet", "sans", 9.5, leftIndent=10, bulletIndent=0, bulletFontName=f["sans"]),
        "verify": style("verify", "sans-bold", 11),
        "verify-text": style("verify-text", "sans", 8.5, textColor=MUTED),
        "url": style("url", "mono", 8, splitLongWords=True),
        "small": style("small", "sans", 6.5, textColor=MUTED, leading=8.5),
        "banner": style("banner", "sans-bold", 10, textColor=colors.white),
        "signatory": style("signatory", "sans-bold", 10, alignment=TA_CENTER),
        "position": style("position", "sans", 9, alignment=TA_CENTER, textColor=MUTED, leading=11),
        "sign-label": style("sign-label", "sans", 8, textColor=MUTED),
    }


def _text(value) -> str:
    if isinstance(value, dict):
        return " ".join(x for x in (value.get("text"), value.get("href")) if x)
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _p(value, style: ParagraphStyle, limit: int = MAX_CHARS, bullet: str | None = None) -> Paragraph:
    text = _text(value)
    text = text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
    return Paragraph(escape(text).replace("\n", "<br/>"), style, bulletText=bullet)


def _dated(fields: dict, summary: dict, lang: str) -> dict:
    """The reading's fields with every date as a calendar date (the reading may show a moment with its time)."""
    out = dict(fields)
    for key in DATES:
        if key in out and summary.get(key):
            out[key] = day(summary[key], lang)
    period = summary.get("learningPeriod")
    if "learningPeriod" in out and isinstance(period, dict):
        out["learningPeriod"] = " – ".join(x for x in (day(period.get("start"), lang), day(period.get("end"), lang))
                                           if x) or out["learningPeriod"]
    return out


def _header(r: dict, lang: str, s: dict, head: Letterhead) -> list:
    """The institution: its logo beside its name and postal address (else its country)."""
    name = _p(r["issuer"]["name"] or r["fields"].get("awardingBody") or "", s["institution"])
    place = _in(head.address, lang) or r["summary"].get("country")
    texts = [name] + ([_p(place, s["address"])] if place else [])
    logo = letterhead.flowable(head.logo, head.logo_media_type, *LOGO_BOX,
                                                       font=s["address"].fontName) if head.logo else None
    if logo is None:
        return texts
    gap = 6 * mm
    logo_width, _ = logo.wrap(*LOGO_BOX)
    table = Table([[logo, texts]], colWidths=[logo_width + gap, WIDTH - 2 * MARGIN - logo_width - gap])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                               ("FONTNAME", (0, 0), (-1, -1), s["address"].fontName)]))  # never the default font
    return [table]


def _content(r: dict, lang: str, s: dict, head: Letterhead) -> list:
    t = i18n.translator(lang)
    fields = _dated(r["fields"], r["summary"], lang)
    flow = _header(r, lang, s, head)
    flow += [Spacer(0, 2 * mm), HRFlowable(width="100%", thickness=1.2, color=ACCENT), Spacer(0, 9 * mm),
             _p((fields.get("documentType") or t("field.title")).upper(), s["document"]), Spacer(0, 7 * mm),
             _p(t("cert.learner"), s["caption"]), Spacer(0, 1.5 * mm),
             _p(fields.get("learnerName") or "", s["learner"]), Spacer(0, 5 * mm),
             _p(t("cert.title"), s["caption"]), Spacer(0, 1.5 * mm),
             _p(fields.get("title") or "", s["title"]), Spacer(0, 8 * mm)]
    rows = [[_p(t(f"field.{key}"), s["label"]), _p(fields[key], s["value"])] for key in FACTS if key in fields]
    if rows:
        table = Table(rows, colWidths=[52 * mm, WIDTH - 2 * MARGIN - 52 * mm])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -2), 0.4,
                                                                             colors.HexColor("#c9c9c9")),
                                   ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("FONTNAME", (0, 0), (-1, -1), s["value"].fontName)]))
        flow.append(table)
    outcomes = fields.get("learningOutcomes") or []
    if outcomes:
        flow.append(_p(t("field.learningOutcomes"), s["heading"]))
        flow += [_p(o, s["bullet"], bullet="•") for o in outcomes[:MAX_OUTCOMES]]
        if len(outcomes) > MAX_OUTCOMES:
            flow.append(_p(t("cert.more_outcomes").format(n=len(outcomes) - MAX_OUTCOMES), s["bullet"]))
    return flow


def _draw_signature(canvas, r: dict, lang: str, s: dict, head: Letterhead, y: float) -> None:
    """On the left the date of issue, labelled beneath; on the right a line to sign on (the space above it), the
    signatory's name and position beneath."""
    t = i18n.translator(lang)
    line_y = y + SIGNATURE_BLOCK / 2
    issued = day(r["summary"].get("dateOfIssue"), lang) or r["fields"].get("dateOfIssue")
    if issued:
        para = _p(issued, s["value"])
        para.wrap(70 * mm, 10 * mm)
        para.drawOn(canvas, MARGIN, line_y + 1 * mm)
        label = _p(t("field.dateOfIssue"), s["sign-label"])
        _, h = label.wrap(70 * mm, 10 * mm)
        label.drawOn(canvas, MARGIN, line_y - 1.5 * mm - h)
    width = 75 * mm
    x = WIDTH - MARGIN - width
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(x, line_y, x + width, line_y)
    top = line_y - 1.5 * mm
    for text, style in ((head.signatory_name, s["signatory"]), (_in(head.signatory_position, lang), s["position"])):
        if text:
            para = _p(text, style, limit=200)
            _, h = para.wrap(width, 12 * mm)
            top -= h
            para.drawOn(canvas, x, top)


def _draw_qr(canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """The QR code's modules as filled rectangles (vector: sharp at any print size), runs merged per row."""
    cell = size / len(matrix)
    canvas.setFillColor(colors.black)
    for row_n, row in enumerate(matrix):
        top = y + size - (row_n + 1) * cell
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                canvas.rect(x + start * cell, top, (col - start) * cell, cell, stroke=0, fill=1)
            else:
                col += 1


def render(r: dict, *, lang: str, verification_url: str, qr_matrix: list[list[bool]], now: datetime,
           head: Letterhead | None = None) -> bytes:
    """The certificate of reading ``r`` (app.credential_view.reading) as PDF/A-2b bytes: exactly one A4 page.
    ``now``: when it is made (the footer's date, the metadata's moment); ``head``: the institution's letterhead."""
    t = i18n.translator(lang)
    s = _styles()
    f = _fonts()
    head = head or Letterhead()
    verdict = r["verdict"]
    stamp = t(f"cert.stamp.{verdict}") if verdict in STAMPED else None
    banner = None
    if stamp:
        facts = "; ".join(f"{label}: {value}" for label, value in r.get("status_facts_dated", r["status_facts"]))
        banner = f"{stamp} · {t('cert.not_valid')}" + (f" · {facts}" if facts else "")
    elif verdict == "unknown":
        banner = t("cert.banner.unknown")
    signed = bool(head.signatory_name or _in(head.signatory_position, lang))
    bottom_block = QR_TOP + SIGNATURE_BLOCK if signed else BOTTOM_BLOCK

    def beneath(canvas, doc):
        if stamp:  # across the page, beneath the content
            canvas.saveState()
            canvas.setFillColor(STAMP_LIGHT)
            canvas.translate(WIDTH / 2, HEIGHT / 2)
            canvas.rotate(math.degrees(math.atan2(HEIGHT, WIDTH)))
            diagonal = math.hypot(WIDTH, HEIGHT) * 0.8
            size = min(110, diagonal / pdfmetrics.stringWidth(stamp, f["sans-bold"], 1))
            canvas.setFont(f["sans-bold"], size)
            canvas.drawCentredString(0, -size / 3, stamp)
            canvas.restoreState()

    def bottom(canvas, doc):
        canvas.saveState()
        qr_size = 40 * mm
        qr_y = MARGIN + 14 * mm
        _draw_qr(canvas, qr_matrix, MARGIN - 3 * mm, qr_y, qr_size)  # the QR's quiet zone reaches into the margin
        text_x = MARGIN + qr_size + 2 * mm
        text_w = WIDTH - MARGIN - text_x
        y = qr_y + qr_size - 6 * mm
        for text, style in ((t("cert.verify"), s["verify"]), (t("cert.verify.text"), s["verify-text"]),
                            (verification_url, s["url"])):
            para = _p(text, style, limit=len(text))
            _, h = para.wrap(text_w, qr_size)
            y -= h
            para.drawOn(canvas, text_x, y)
            y -= 2 * mm
        if signed:
            _draw_signature(canvas, r, lang, s, head, MARGIN + QR_TOP)
        fields = r["fields"]
        small = [f"{t('field.' + key)}: {fields[key]}" for key in IDENTIFIERS if key in fields] + \
            [t("cert.small"), f"{t('cert.printed')}: {day(now, lang)}"]
        small_text = " · ".join(small)
        para = _p(small_text, s["small"], limit=len(small_text))
        _, h = para.wrap(WIDTH - 2 * MARGIN, 14 * mm)
        para.drawOn(canvas, MARGIN, MARGIN + 12 * mm - h)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.roundRect(9 * mm, 9 * mm, WIDTH - 18 * mm, HEIGHT - 18 * mm, 3 * mm, stroke=1, fill=0)
        if banner_para:
            canvas.setFillColor(STAMP)
            canvas.rect(MARGIN, HEIGHT - MARGIN - banner_h, WIDTH - 2 * MARGIN, banner_h, stroke=0, fill=1)
            banner_para.drawOn(canvas, MARGIN + 3 * mm, HEIGHT - MARGIN - banner_h + 2 * mm)
        canvas.restoreState()

    banner_para, banner_h = None, 0.0
    if banner:
        banner_para = _p(banner, s["banner"])
        banner_h = banner_para.wrap(WIDTH - 2 * MARGIN - 6 * mm, 30 * mm)[1] + 4 * mm
    buf = io.BytesIO()
    top = HEIGHT - MARGIN - (banner_h + 5 * mm if banner else 0)
    frame = Frame(MARGIN, MARGIN + bottom_block, WIDTH - 2 * MARGIN, top - MARGIN - bottom_block,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    fields = r["fields"]
    doc = BaseDocTemplate(buf, pagesize=A4, title=" · ".join(x for x in (fields.get("title"), fields.get("learnerName"))
                                                             if x) or t("field.title"),
                          author=r["issuer"]["name"] or "", subject=fields.get("documentType") or t("field.title"),
                          creator="mcred", lang=lang, initialFontName=f["sans"], enforceColorSpace="rgb")
    doc.addPageTemplates([PageTemplate(id="certificate", frames=[frame], onPage=beneath, onPageEnd=bottom)])
    canvas_maker = pdfa.canvas_maker(now, f"{verification_url}#{lang}", lang)
    doc.build([KeepInFrame(frame._aW, frame._aH, _content(r, lang, s, head), mode="shrink")],
              canvasmaker=canvas_maker)
    return buf.getvalue()
