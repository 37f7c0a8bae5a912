"""An institution's logo on its certificates: accepted as PNG or SVG, limited in bytes and pixels, sanitised before
it is stored, and turned into what reportlab draws.

PNG (ISO/IEC 15948): decoded by Pillow only after its header's dimensions are within the limits (a decompression
bomb is refused before it is inflated), flattened onto white (no alpha channel, so no soft mask: PDF/A without
transparency), scaled down to at most ``PNG_MAX_OUTPUT`` pixels on the long side and re-encoded: text chunks, EXIF,
ICC and every other ancillary chunk are dropped.

SVG (SVG 1.1): parsed with defusedxml (no DTD, no entities, no external references) and rebuilt from an allow-list
of shape, grouping and gradient elements and presentation attributes. What can run or fetch is refused rather than
silently dropped, so the administrator learns why: ``<script>``, ``<foreignObject>``, ``<image>``, event handler
attributes (``on*``), any reference that is not a fragment of the document itself (``href``, ``url(...)``,
``@import``), and text (``<text>``: the PDF's fonts would not be embedded; convert text to paths). Elements and
attributes of other namespaces (an editor's metadata) and unknown ones are dropped. Opacity is dropped, and a
colour with alpha is drawn as its blend onto white (PDF/A without transparency). The result must render with
svglib, which the certificate uses.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET

from app.errors import InvalidInput, LimitExceeded

PNG, SVG = "image/png", "image/svg+xml"
MAX_BYTES = 1024 * 1024  # as uploaded
SVG_MAX_BYTES = 256 * 1024
SVG_MAX_ELEMENTS = 5000
PNG_MAX_SIDE = 5000  # pixels, each side
PNG_MAX_PIXELS = 16_000_000
PNG_MAX_OUTPUT = 800  # pixels on the long side as stored: the logo box (52 mm) printed at about 390 dpi
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SVG_NS, XLINK_NS, XML_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink", \
    "http://www.w3.org/XML/1998/namespace"
ELEMENTS = {"svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
            "linearGradient", "radialGradient", "stop", "clipPath", "style"}
DROPPED_ELEMENTS = {"title", "desc", "metadata"}
REFUSED_ELEMENTS = {"script": "a script", "foreignObject": "a foreignObject element", "image": "an embedded image",
                    "text": "text (convert text to paths)", "iframe": "an iframe", "animate": "an animation",
                    "set": "an animation", "animateTransform": "an animation", "animateMotion": "an animation",
                    "a": "a link", "feImage": "an embedded image", "handler": "a script", "listener": "a script"}
PRESENTATION = {"fill", "fill-rule", "clip-rule", "clip-path", "stroke", "stroke-width", "stroke-linecap",
                "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stop-color",
                "display", "visibility", "color", "transform"}
ATTRIBUTES = PRESENTATION | {"id", "class", "style", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx",
                             "ry", "fx", "fy", "width", "height", "viewBox", "preserveAspectRatio", "points",
                             "offset", "gradientUnits", "gradientTransform", "spreadMethod", "clipPathUnits",
                             "version", "href"}
OPACITY = re.compile(r"\b(?:fill-|stroke-|stop-)?opacity\s*:[^;}]*;?", re.IGNORECASE)
LOCAL_URL = re.compile(r"url\(\s*['\"]?#[A-Za-z_][\w.:-]*['\"]?\s*\)")


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(f"The logo was refused: {message}.", errors=[{"field": "logo", "message": message}])


def sanitise(data: bytes) -> tuple[bytes, str]:
    """The logo as it is stored (clean bytes, media type); InvalidInput or LimitExceeded names what was refused."""
    if len(data) > MAX_BYTES:
        raise LimitExceeded(f"The logo is {len(data)} bytes; at most {MAX_BYTES} are accepted.",
                            errors=[{"field": "logo", "message": "too large"}])
    if data.startswith(PNG_SIGNATURE):
        return _png(data), PNG
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in data[:4096]:
        return _svg(data), SVG
    raise _refuse("it is neither a PNG nor an SVG image")


# --- PNG ----------------------------------------------------------------------------------------------------------


def _png(data: bytes) -> bytes:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            width, height = image.size
            if width > PNG_MAX_SIDE or height > PNG_MAX_SIDE or width * height > PNG_MAX_PIXELS:
                raise LimitExceeded(f"The logo is {width}×{height} pixels; at most {PNG_MAX_SIDE} on each side and "
                                    f"{PNG_MAX_PIXELS} in all are accepted.",
                                    errors=[{"field": "logo", "message": "too many pixels"}])
            if getattr(image, "n_frames", 1) > 1:
                raise _refuse("an animated PNG")
            image.load()
            rgba = image.convert("RGBA")
    except (LimitExceeded, InvalidInput):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise LimitExceeded(f"The logo was refused as a decompression bomb ({exc}).",
                            errors=[{"field": "logo", "message": "decompression bomb"}]) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _refuse(f"the PNG cannot be read ({exc})") from exc
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.thumbnail((PNG_MAX_OUTPUT, PNG_MAX_OUTPUT))
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=True)  # a new image: no chunk of the upload is carried over
    return out.getvalue()


# --- SVG ----------------------------------------------------------------------------------------------------------


def _local_name(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return None, tag


def _external_url(text: str) -> bool:
    """Whether ``text`` holds a ``url(...)`` other than a fragment of this document (``url(#id)``)."""
    return "url(" in re.sub(r"\s+", "", LOCAL_URL.sub("", text))


def _check_css(text: str, where: str) -> None:
    """Style text may refer only to this document's own fragments (``url(#id)``)."""
    lowered = text.lower()
    if "\\" in text or "@" in text or "expression" in lowered or "javascript:" in lowered:
        raise _refuse(f"{where} has CSS escapes, at-rules (@import) or script")
    if _external_url(lowered):
        raise _refuse(f"{where} refers to an external resource (url(...))")


def _clean_style(style: str) -> str:
    """A style attribute's declarations, only presentation properties, opacity dropped."""
    _check_css(style, "a style attribute")
    kept = []
    for declaration in style.split(";"):
        name, sep, value = declaration.partition(":")
        if sep and name.strip().lower() in PRESENTATION:
            kept.append(f"{name.strip().lower()}:{value.strip()}")
    return ";".join(kept)


def _clean(element: ET.Element, counter: list[int]) -> ET.Element | None:
    counter[0] += 1
    if counter[0] > SVG_MAX_ELEMENTS:
        raise LimitExceeded(f"The logo has more than {SVG_MAX_ELEMENTS} elements.",
                            errors=[{"field": "logo", "message": "too many elements"}])
    ns, name = _local_name(element.tag) if isinstance(element.tag, str) else (None, "")
    if name in REFUSED_ELEMENTS:
        raise _refuse(f"the SVG contains {REFUSED_ELEMENTS[name]}")
    if ns != SVG_NS or name not in ELEMENTS:
        return None
    clean = ET.Element(f"{{{SVG_NS}}}{name}")
    for key, value in element.attrib.items():
        attr_ns, attr = _local_name(key)
        if attr.lower().startswith("on"):
            raise _refuse(f"the SVG has an event handler ({attr})")
        if attr == "href" and attr_ns in (None, XLINK_NS):
            if not value.strip().startswith("#"):
                raise _refuse(f"the SVG refers to an external resource ({value[:80]})")
            clean.set(f"{{{XLINK_NS}}}href", value.strip())
            continue
        if attr_ns not in (None,) or attr not in ATTRIBUTES:
            continue
        if _external_url(value.lower()):
            raise _refuse(f"the SVG refers to an external resource ({value[:80]})")
        if attr == "style":
            value = _clean_style(value)
        clean.set(attr, value)
    if name == "style":
        _check_css(element.text or "", "a style element")
        clean.text = OPACITY.sub("", element.text or "")
    for child in element:
        kept = _clean(child, counter)
        if kept is not None:
            clean.append(kept)
    return clean


def _svg(data: bytes) -> bytes:
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    if len(data) > SVG_MAX_BYTES:
        raise LimitExceeded(f"The SVG logo is {len(data)} bytes; at most {SVG_MAX_BYTES} are accepted.",
                            errors=[{"field": "logo", "message": "too large"}])
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _refuse(f"the SVG has a DTD or entities ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise _refuse(f"the SVG is not well-formed XML ({exc})") from exc
    if _local_name(root.tag) != (SVG_NS, "svg"):
        raise _refuse("the document is not an SVG image (root element svg in the SVG namespace)")
    clean = _clean(root, [0])
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    out = ET.tostring(clean, encoding="utf-8", xml_declaration=True)
    drawing = svg_drawing(out)
    if drawing is None or not drawing.width or not drawing.height:
        raise _refuse("the SVG does not render (give it a width and height or a viewBox)")
    return out


def svg_drawing(data: bytes):
    """A sanitised SVG as a reportlab Drawing (svglib), or None."""
    import logging

    from svglib.svglib import svg2rlg

    logging.getLogger("svglib").setLevel(logging.ERROR)
    try:
        return svg2rlg(io.BytesIO(data))
    except Exception:  # svglib raises many kinds on odd input; the logo is then refused (or left out)
        return None


def _opaque(node) -> None:
    """Every colour of a drawing made opaque (PDF/A without transparency): a colour with alpha (rgba(), #rrggbbaa,
    ``transparent``) becomes its blend onto white, a fully transparent one none; opacities become 1."""
    from reportlab.lib.colors import Color

    for attr in ("fillColor", "strokeColor"):
        colour = getattr(node, attr, None)
        if isinstance(colour, Color) and colour.alpha < 1:
            a = colour.alpha
            setattr(node, attr, None if a <= 0 else Color(*(a * c + 1 - a for c in colour.rgb())))
    for attr in ("fillOpacity", "strokeOpacity"):
        if getattr(node, attr, None) is not None:
            setattr(node, attr, 1)
    for child in getattr(node, "contents", None) or []:
        _opaque(child)


def flowable(data: bytes, media_type: str, max_width: float, max_height: float, font: str):
    """The logo scaled to fit ``max_width`` × ``max_height`` points (aspect kept), as a platypus flowable; None
    when it cannot be drawn. ``font``: the drawing's initial font (an embedded one: never a standard 14 font)."""
    if media_type == PNG:
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image as PdfImage

        width, height = ImageReader(io.BytesIO(data)).getSize()
        scale = min(max_width / width, max_height / height)
        return PdfImage(io.BytesIO(data), width=width * scale, height=height * scale)
    if media_type == SVG:
        drawing = svg_drawing(data)
        if drawing is None or not drawing.width or not drawing.height:
            return None
        scale = min(max_width / drawing.width, max_height / drawing.height)
        drawing.initialFontName = font
        _opaque(drawing)
        drawing.scale(scale, scale)
        drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
        return drawing
    return None
