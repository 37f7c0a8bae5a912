"""Institution logos are sanitised before they are stored: PNG re-encoded (metadata stripped, alpha flattened,
bombs refused before they are inflated), SVG rebuilt from an allow-list (scripts, external references, event
handlers, DTDs and entities refused; editors' metadata and opacity dropped), both limited in bytes and pixels."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from app import letterhead
from app.errors import InvalidInput, LimitExceeded

SVG_NS = b'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(body: bytes, attrs: bytes = b'width="100" height="50"') -> bytes:
    return b"<svg " + SVG_NS + b" " + attrs + b">" + body + b"</svg>"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with one tiny compressed row behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (letterhead.PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_png_is_re_encoded_without_its_metadata_and_alpha():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret-author-name")
    buf = io.BytesIO()
    Image.new("RGBA", (400, 200), (200, 0, 0, 0)).save(buf, format="PNG", pnginfo=info)
    clean, media_type = letterhead.sanitise(buf.getvalue())
    assert media_type == "image/png"
    assert b"secret-author-name" not in clean and b"tEXt" not in clean
    image = Image.open(io.BytesIO(clean))
    assert image.mode == "RGB" and image.size == (400, 200)
    assert image.getpixel((0, 0)) == (255, 255, 255)  # transparent became white: no soft mask in the PDF


def test_a_large_png_is_scaled_down_and_a_bomb_is_refused_before_it_is_inflated():
    buf = io.BytesIO()
    Image.new("RGB", (3000, 1500), (0, 0, 255)).save(buf, format="PNG")
    clean, _ = letterhead.sanitise(buf.getvalue())
    assert Image.open(io.BytesIO(clean)).size == (letterhead.PNG_MAX_OUTPUT, letterhead.PNG_MAX_OUTPUT // 2)
    for width, height in ((6000, 10), (4000, 4500), (100_000, 100_000)):
        with pytest.raises(LimitExceeded):
            letterhead.sanitise(png_header_only(width, height))
    with pytest.raises(LimitExceeded, match="bytes"):
        letterhead.sanitise(letterhead.PNG_SIGNATURE + b"\0" * letterhead.MAX_BYTES)
    with pytest.raises(InvalidInput, match="cannot be read"):
        letterhead.sanitise(letterhead.PNG_SIGNATURE + b"broken")


@pytest.mark.parametrize("body, reason", [
    (b"<script>alert(1)</script>", "script"),
    (b'<g><script xlink:href="https://evil.example/x.js"/></g>', "script"),
    (b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>', "foreignObject"),
    (b'<image xlink:href="https://evil.example/tracker.png" width="1" height="1"/>', "image"),
    (b'<use xlink:href="https://evil.example/logo.svg#a"/>', "external"),
    (b'<use href="file:///etc/passwd"/>', "external"),
    (b'<rect width="1" height="1" fill="url(https://evil.example/p)"/>', "external"),
    (b'<rect width="1" height="1" style="fill: url( \'http://evil.example/p\' )"/>', "external"),
    (b"<style>@import url(https://evil.example/x.css);</style>", "at-rules"),
    (b"<style>rect{fill:u\\72l(https://evil.example/p)}</style>", "escapes"),
    (b'<rect width="1" height="1" onclick="steal()"/>', "event handler"),
    (b"<text>Universit\xc4\x81te</text>", "text"),
])
def test_an_svg_that_could_run_or_fetch_something_is_refused(body, reason):
    with pytest.raises(InvalidInput, match=reason):
        letterhead.sanitise(svg(body))


def test_an_svg_with_a_dtd_or_entities_is_refused():
    for document in (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]>' + svg(b"<g>&a;</g>"),
                     b'<!DOCTYPE svg SYSTEM "http://evil.example/svg.dtd">' + svg(b"")):
        with pytest.raises(InvalidInput, match="DTD"):
            letterhead.sanitise(document)
    with pytest.raises(InvalidInput, match="not an SVG"):
        letterhead.sanitise(b'<svg xmlns="http://example.org/not-svg"/>')


def test_an_svg_keeps_its_shapes_and_loses_editor_metadata_and_opacity():
    document = (b'<?xml version="1.0"?><!-- made with an editor -->'
                b'<svg ' + SVG_NS + b' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="100"'
                b' height="50" viewBox="0 0 100 50" inkscape:version="1.3"><title>Logo</title><metadata>x</metadata>'
                b'<inkscape:grid/><defs><linearGradient id="g"><stop offset="0" stop-color="#0b3d73"/>'
                b'<stop offset="1" stop-color="#a00000" stop-opacity="0.2"/></linearGradient></defs>'
                b'<style>.c{fill:#0b8040;fill-opacity:0.5}</style>'
                b'<rect width="100" height="50" fill="url(#g)" opacity="0.5"/>'
                b'<circle class="c" cx="25" cy="25" r="20" style="stroke:#000;stroke-opacity:.3;behavior:x"/>'
                b'<use xlink:href="#g"/></svg>')
    clean, media_type = letterhead.sanitise(document)
    assert media_type == "image/svg+xml"
    for gone in (b"inkscape", b"<title", b"metadata", b"made with", b"opacity", b"behavior"):
        assert gone not in clean, gone
    for kept in (b"<rect", b"<circle", b'fill="url(#g)"', b"stroke:#000", b".c{fill:#0b8040", b'href="#g"'):
        assert kept in clean, kept
    drawing = letterhead.svg_drawing(clean)
    assert drawing.width == 2 * drawing.height > 0  # svglib reads px as 0.75 pt


def test_an_svg_is_limited_in_bytes_and_elements():
    with pytest.raises(LimitExceeded, match="bytes"):
        letterhead.sanitise(svg(b"<g/>" * (letterhead.SVG_MAX_BYTES // 4)))
    with pytest.raises(LimitExceeded, match="elements"):
        letterhead.sanitise(svg(b'<rect width="1" height="1"/>' * (letterhead.SVG_MAX_ELEMENTS + 1)))
    with pytest.raises(InvalidInput, match="neither a PNG nor an SVG"):
        letterhead.sanitise(b"GIF89a\x01\x00\x01\x00")
