"""What a learner shares and what a shared link shows (issue 19): LinkedIn's "Add to profile" link, the Open Graph
and Twitter card tags of the public pages, and their picture (a PNG card the service draws).

- LinkedIn: the documented add-to-profile URL (https://addtoprofile.linkedin.com/, "Add certification"):
  ``https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=…&organizationName=…&issueYear=…
  &issueMonth=…&expirationYear=…&expirationMonth=…&certUrl=…&certId=…`` (months 1–12). LinkedIn opens the member's
  "Licenses & certifications" form filled in; nothing is sent to LinkedIn until the learner saves it.
- Open Graph (https://ogp.org/) and Twitter cards (``summary_large_image``): the title, the institution and a
  picture of 1200×630 pixels. A preview is kept by the site that fetched it, so it states no verdict that could
  go stale ("open the link to check it now"); a credential that is revoked, suspended or not authentic gets its
  verdict as the title and the service's own picture, not the credential's.
- The picture: drawn with Pillow in DejaVu Sans (Debian's ``fonts-dejavu-core``, as the PDF certificate), so
  Latvian letters show; no status on it for the same reason.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from PIL import Image, ImageDraw, ImageFont

from app.domain.timefmt import parse_xsd
from app.domain.verification.results import EXPIRED, VERIFIED

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
# the verdicts under which the learner's page invites sharing (a genuine credential of the institution it names;
# an expired one stays a genuine record, and LinkedIn shows its expiry)
SHAREABLE = frozenset({VERIFIED, EXPIRED})
CARD_SIZE = (1200, 630)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
INK, ACCENT, MUTED = (26, 26, 26), (31, 58, 96), (74, 74, 74)


def linkedin_url(r: dict, *, verification_url: str, credential_id: str | None) -> str | None:
    """LinkedIn's add-to-profile link for the reading ``r`` (app.credential_view.reading), or None when the
    credential is not one to share (see SHAREABLE) or has no title or issuer to name."""
    summary = r.get("summary") or {}
    title, issuer = summary.get("title"), r["issuer"].get("name")
    if r["verdict"] not in SHAREABLE or not r["authentic"] or not title or not issuer:
        return None
    params = {"startTask": "CERTIFICATION_NAME", "name": title, "organizationName": issuer}
    for prefix, value in (("issue", summary.get("dateOfIssue") or summary.get("validFrom")),
                          ("expiration", summary.get("validUntil"))):
        moment = parse_xsd(value) if isinstance(value, str) else None
        if moment is not None:
            params[f"{prefix}Year"], params[f"{prefix}Month"] = str(moment.year), str(moment.month)
    params["certUrl"] = verification_url
    if credential_id:
        params["certId"] = credential_id
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def share_tags(*, title: str, description: str, url: str, image: str, image_alt: str, site_name: str,
               lang: str) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of each Open Graph and Twitter card ``<meta>`` tag of a page."""
    og = {"og:type": "website", "og:site_name": site_name, "og:title": title, "og:description": description,
          "og:url": url, "og:locale": {"lv": "lv_LV", "en": "en_GB"}.get(lang, "en_GB"), "og:image": image,
          "og:image:type": "image/png", "og:image:width": str(CARD_SIZE[0]),
          "og:image:height": str(CARD_SIZE[1]), "og:image:alt": image_alt}
    twitter = {"twitter:card": "summary_large_image", "twitter:title": title, "twitter:description": description,
               "twitter:image": image, "twitter:image:alt": image_alt}
    return [("property", k, v) for k, v in og.items()] + [("name", k, v) for k, v in twitter.items()]


@lru_cache(maxsize=16)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        raise RuntimeError(f"{path} is missing: install Debian's fonts-dejavu-core for the share picture")
    return ImageFont.truetype(str(path), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels, at most ``max_lines`` (the last one cut with "…")."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;: ") + "…"
    out = []
    for line in lines:  # a single word wider than the card
        while draw.textlength(line, font=font) > width and len(line) > 1:
            line = line[:-2] + "…"
        out.append(line)
    return out


def card_png(*, kicker: str, title: str, lines: list[str], footer: str, corner: str) -> bytes:
    """A 1200×630 picture: ``kicker`` (the document type) above the ``title``, a few ``lines`` (the institution,
    the learner), and at the bottom ``footer`` (where to check it) and ``corner`` (the service's operator)."""
    width, height = CARD_SIZE
    image = Image.new("RGB", CARD_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 23, height), fill=ACCENT)
    draw.rectangle((24, height - 96, width, height), fill=(234, 241, 251))
    left, text_width, y = 80, width - 160, 64
    if kicker:
        draw.text((left, y), kicker.upper(), font=_font(True, 30), fill=ACCENT)
        y += 56
    for size in (64, 56, 48, 42):
        font = _font(True, size)
        wrapped = _wrap(draw, title, font, text_width, 3)
        if not wrapped[-1].endswith("…") or size == 42:
            break
    for line in wrapped:
        draw.text((left, y), line, font=font, fill=INK)
        y += int(size * 1.2)
    y += 24
    for line in lines:
        if y > height - 150:
            break
        for part in _wrap(draw, line, _font(False, 34), text_width, 1):
            draw.text((left, y), part, font=_font(False, 34), fill=MUTED)
            y += 46
    small = _font(False, 26)
    footer = _wrap(draw, footer, small, text_width // 2, 1)[0] if footer else ""
    draw.text((left, height - 64), footer, font=small, fill=ACCENT)
    room = text_width - int(draw.textlength(footer, font=small)) - 48
    corner = _wrap(draw, corner, small, room, 1)[0] if corner else ""
    if corner:
        draw.text((width - 60 - draw.textlength(corner, font=small), height - 64), corner, font=small, fill=MUTED)
    buf = io.BytesIO()
    image.save(buf, format="PNG")  # optimize=True costs about 5 times as long for 5 % less
    return buf.getvalue()


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url
