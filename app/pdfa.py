"""PDF/A-2b (ISO 19005-2, conformance level B) from reportlab: what a document needs beyond embedded fonts.

- An output intent (ISO 19005-2 section 6.2.3): ``/OutputIntents`` in the catalog with ``/S /GTS_PDFA1`` and an
  sRGB ICC profile (made by Little CMS through Pillow's ImageCms), so the device RGB colours are defined.
- XMP metadata (section 6.6): the catalog's ``/Metadata`` stream, uncompressed, with ``pdfaid:part`` 2 and
  ``pdfaid:conformance`` B, the document and instance IDs, and every document information entry that has an XMP
  equivalent with the same value (title, author, subject, creator tool, producer, creation and modification date).
  The information dictionary carries nothing without one (no empty Keywords, no Trapped).
- The rest is the caller's: every font embedded (reportlab's TrueType subsets with FontFile2; never a standard 14
  font, so the canvas's initial font must be an embedded one), no transparency (no alpha, no soft masks), no
  encryption, no JavaScript, no annotations. reportlab already writes a binary header comment and the trailer ID.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import XMP, PDFArray, PDFDictionary, PDFInfo, PDFName, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas


@cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile (Little CMS's built-in sRGB, via Pillow)."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _pdf_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%S+00'00'")


def _xmp_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class _Info(PDFInfo):
    """The document information dictionary with only entries that XMP repeats, dated ``moment``."""

    def __init__(self, moment: datetime):
        super().__init__()
        self.moment = moment

    def format(self, document):
        entries = {"Title": self.title, "Author": self.author, "Subject": self.subject, "Creator": self.creator,
                   "Producer": self.producer}
        fields = {k: PDFString(v) for k, v in entries.items() if v}
        fields["CreationDate"] = fields["ModDate"] = PDFString(_pdf_date(self.moment))
        return PDFDictionary(fields).format(document)


def xmp_packet(info: PDFInfo, moment: datetime, document_id: str, instance_id: str, lang: str) -> str:
    """The XMP packet saying what ``info`` says, and that this is PDF/A-2b."""
    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    described = ["<dc:format>application/pdf</dc:format>",
                 f"<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>"]
    if info.title:
        described.append(f"<dc:title>{alt(info.title)}</dc:title>")
    if info.author:
        described.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(info.author)}</rdf:li></rdf:Seq></dc:creator>")
    if info.subject:
        described.append(f"<dc:description>{alt(info.subject)}</dc:description>")
    when = _xmp_date(moment)
    described += [f"<xmp:CreateDate>{when}</xmp:CreateDate>", f"<xmp:ModifyDate>{when}</xmp:ModifyDate>",
                  f"<xmp:MetadataDate>{when}</xmp:MetadataDate>"]
    if info.creator:
        described.append(f"<xmp:CreatorTool>{escape(info.creator)}</xmp:CreatorTool>")
    described += [f"<pdf:Producer>{escape(info.producer)}</pdf:Producer>",
                  f"<xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>",
                  f"<xmpMM:InstanceID>{instance_id}</xmpMM:InstanceID>",
                  "<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>"]
    body = "\n   ".join(described)
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '  <rdf:Description rdf:about=""\n'
            '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
            '    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"\n'
            '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"\n'
            '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
            f'   {body}\n'
            '  </rdf:Description>\n'
            ' </rdf:RDF>\n'
            '</x:xmpmeta>\n'
            '<?xpacket end="w"?>')


class _Metadata(XMP):
    """The XMP stream without a Filter entry (ISO 19005-2 section 6.6.2.1: readable by any XMP reader)."""

    def format(self, document):
        filters, document.defaultStreamFilters = document.defaultStreamFilters, None
        try:
            return super().format(document)
        finally:
            document.defaultStreamFilters = filters


def canvas_maker(moment: datetime, document_key: str, lang: str):
    """A reportlab Canvas class (for ``BaseDocTemplate.build(canvasmaker=...)``) whose document is PDF/A-2b
    apart from what is drawn on it. ``document_key`` names the document across renditions (its XMP DocumentID is
    derived from it; every rendition has its own InstanceID)."""
    document_id = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, document_key)}"
    instance_id = f"uuid:{uuid.uuid4()}"

    class PdfaCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            doc = self._doc
            old = doc.info
            doc.info = _Info(moment)
            doc.info.producer, doc.info.creator = old.producer, old.creator
            metadata = _Metadata(creator=lambda _: xmp_packet(doc.info, moment, document_id, instance_id,
                                                               lang).encode())
            profile = PDFStream(PDFDictionary({"N": 3}), srgb_profile())
            intent = PDFDictionary({"Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
                                    "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
                                    "Info": PDFString("sRGB IEC61966-2.1"),
                                    "DestOutputProfile": doc.Reference(profile)})
            catalog = doc.Catalog
            catalog.Metadata = metadata
            catalog.OutputIntents = PDFArray([intent])
            catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "OutputIntents"]

    return PdfaCanvas
