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
from functools import lru_cache
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


@lru_cache(maxsize=4096)
def _wrap(text: str, width: int) -> tuple[str, ...]:
    """textwrap.wrap, remembered: a cohort's pages repeat all their lines but the learner's (pure, bounded)."""
    return tuple(textwrap.wrap(text, width))


def _text(x: int, y: int, value: str) -> str:
    return f'<text x="{x}" y="{y}">{escape(value)}</text>'


def page_svg(heading: str, subheading: str, title: str, rows: Sequence[tuple[str, str]]) -> bytes:
    """One page: the document's name, the credential's title and (label, value) rows, as UTF-8 SVG.

    Compact: the font of each kind of line is given once, on a group (SVG 1.1 section 6.4: presentation
    attributes are inherited), not on every line, and nothing but the drawing is written (no indentation, no
    comments): the picture travels in every copy of the credential, base64-encoded, and is signed with it."""
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
         'font-family="sans-serif">'),
        (f'<rect x="8" y="8" width="{WIDTH - 16}" height="{HEIGHT - 16}" fill="#fff" stroke="#1f3a60" '
         'stroke-width="4"/>'),
        f'<g font-weight="bold"><g font-size="30">{_text(_MARGIN, 84, heading)}</g>',
    ]
    y, titles = 170, []
    for line in _wrap(title, 48)[:3]:
        titles.append(_text(_MARGIN, y, line))
        y += 34
    parts.append(f'<g font-size="26">{"".join(titles)}</g>')
    y += 20
    labels, values = [], []
    for label, value in rows:
        lines = _wrap(value, _WRAP)[:3] or ("",)
        labels.append(_text(_MARGIN, y, label))
        for line in lines:
            values.append(_text(_MARGIN + 200, y, line))
            y += 24
        y += 8
    parts.append(f'<g font-size="16">{"".join(labels)}</g></g>')
    if subheading:
        parts.append(f'<g font-size="18">{_text(_MARGIN, 114, subheading)}</g>')
    parts.append(f'<g font-size="16">{"".join(values)}</g></svg>')
    return "".join(parts).encode("utf-8")
