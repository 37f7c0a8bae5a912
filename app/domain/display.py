"""The picture of a micro-credential that ELM's DisplayParameter carries (EDC "individual display" of one language).

The EDC application profile requires every credential to carry, per display language, at least one page image
(DisplayParameter -> IndividualDisplay -> DisplayDetail -> MediaObject, base64 content). mcred draws that page as
SVG: plain text that needs no font files and no rasterizer, so the same input always gives the same bytes, and a
browser shows it as an ``<img src="data:image/svg+xml;base64,...">``. The wallet or viewer supplies the fonts, so
Latvian letters display as they are. Pure: strings in, bytes out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 842, 595  # A4 landscape in points
_MARGIN = 56
_WRAP = 70  # characters per line of a value; the page has room for about this many in the value column

LABELS = {
    "lv": {"learner": "Izglītojamais", "awardingBody": "Piešķīrējiestāde", "dateOfIssue": "Izdošanas datums",
           "level": "Līmenis", "workload": "Slodze", "eqf": "EKI", "lki": "LKI", "ects": "ECTS", "hours": "st."},
    "en": {"learner": "Learner", "awardingBody": "Awarding body", "dateOfIssue": "Date of issue",
           "level": "Level", "workload": "Workload", "eqf": "EQF", "lki": "LQF", "ects": "ECTS", "hours": "h"},
}


def _text(x: int, y: int, value: str, size: int, weight: str = "normal") -> str:
    return (f'<text x="{x}" y="{y}" font-family="sans-serif" font-size="{size}" font-weight="{weight}">'
            f"{escape(value)}</text>")


def page_svg(heading: str, subheading: str, title: str, rows: Sequence[tuple[str, str]]) -> bytes:
    """One page: the document's name, the credential's title and (label, value) rows, as UTF-8 SVG."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">',
        f'<rect x="8" y="8" width="{WIDTH - 16}" height="{HEIGHT - 16}" fill="#ffffff" stroke="#1f3a60" '
        'stroke-width="4"/>',
        _text(_MARGIN, 84, heading, 30, "bold"),
        _text(_MARGIN, 114, subheading, 18),
    ]
    y = 170
    for line in textwrap.wrap(title, 48)[:3]:
        parts.append(_text(_MARGIN, y, line, 26, "bold"))
        y += 34
    y += 20
    for label, value in rows:
        lines = textwrap.wrap(value, _WRAP)[:3] or [""]
        parts.append(_text(_MARGIN, y, label, 16, "bold"))
        for line in lines:
            parts.append(_text(_MARGIN + 200, y, line, 16))
            y += 24
        y += 8
    parts.append("</svg>")
    return "\n".join(parts).encode("utf-8")
