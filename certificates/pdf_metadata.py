"""Incremental updates whose document information and XMP metadata still say the same.

The credential and the seal are added to a rendered PDF as incremental updates, with pyHanko's
writer. pyHanko stamps each update in both places, but apart: the document information's
producer becomes "WeasyPrint …; pyHanko …" while the XMP producer becomes "pyHanko …" alone, and
the clock is read once for each modification date, so the two may differ by a second. PDF/A
asks for the two to be equivalent, and a reader may show either. This writer stamps the update
once, from one moment, and writes the same producer and date into both; it also names the
document's language (the catalogue's /Lang) in the XMP as dc:language (decision 0017).
"""

from datetime import datetime

import tzlocal
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import model, xmp_xml

DC_LANGUAGE = model.ExpandedName(ns=model.NS["dc"], local_name="language")


class MetadataKeepingWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, with the document information and the XMP updated together."""

    def _update_meta(self) -> None:
        # pyHanko's own hook, called once when the update is written.
        if "/Info" not in self.trailer or "/Metadata" not in self.root:
            return super()._update_meta()
        moment = datetime.now(tz=tzlocal.get_localzone()).replace(microsecond=0)
        info = self.trailer["/Info"]
        producer = str(info.get("/Producer", ""))
        if model.VENDOR not in producer:
            producer = f"{producer}; {model.VENDOR}" if producer else model.VENDOR
        info["/Producer"] = generic.TextStringObject(producer)
        info["/ModDate"] = generic.pdf_date(moment)
        self.mark_update(self.trailer.raw_get("/Info"))

        fields = {name: value for structure in self.root["/Metadata"].xmp for name, value in structure}
        fields[model.PDF_PRODUCER] = model.XmpValue(producer)
        fields[model.XMP_MODDATE] = model.XmpValue(moment.isoformat())
        if "/Lang" in self.root:
            language = model.XmpValue(str(self.root["/Lang"]))
            fields[DC_LANGUAGE] = model.XmpValue(model.XmpArray.unordered([language]))
        self.root["/Metadata"] = self.add_object(xmp_xml.MetadataStream.from_xmp([model.XmpStructure(fields)]))
        self.update_root()
