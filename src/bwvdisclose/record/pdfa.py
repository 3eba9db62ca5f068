"""What PDF/A-3a asks of a record's catalog and metadata, checked on the finished bytes.

veraPDF is not available here, so the parts a signature can break are checked directly:
the XMP says part 3, conformance A; the document is tagged (MarkInfo, a structure tree)
with a language and its title shown; and every entry of the Info dictionary has the
same value in the XMP, as PDF/A requires (an incremental signature rewrites both).
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any
from xml.etree import ElementTree

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
# Info key -> (XMP property, whether it is a date)
INFO_TO_XMP = {
    "/Title": ("dc:title", False),
    "/Author": ("dc:creator", False),
    "/Subject": ("dc:description", False),
    "/Keywords": ("pdf:Keywords", False),
    "/Creator": ("xmp:CreatorTool", False),
    "/Producer": ("pdf:Producer", False),
    "/CreationDate": ("xmp:CreateDate", True),
    "/ModDate": ("xmp:ModifyDate", True),
}


def pdfa_problems(data: bytes) -> list[str]:
    """Everything found wrong (empty when the record is tagged PDF/A-3a with agreeing metadata)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(data), strict=False)
    root = reader.root
    problems: list[str] = []
    meta = root.get("/Metadata")
    if meta is None:
        return ["no XMP metadata stream"]
    xmp = _properties(meta.get_object().data)
    if (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) != ("3", "A"):
        problems.append("the XMP does not say PDF/A-3a (pdfaid part 3, conformance A)")
    mark = root.get("/MarkInfo")
    if mark is None or not bool(mark.get_object().get("/Marked", False)):
        problems.append("not tagged: /MarkInfo /Marked is not true")
    if "/StructTreeRoot" not in root:
        problems.append("not tagged: no structure tree")
    if not str(root.get("/Lang", "")):
        problems.append("no document language (/Lang)")
    prefs = root.get("/ViewerPreferences")
    if prefs is None or not bool(prefs.get_object().get("/DisplayDocTitle", False)):
        problems.append("the title is not shown in place of the file name (DisplayDocTitle)")
    info = reader.trailer_view.get("/Info")
    for key, value in (info.get_object() if info is not None else {}).items():
        if key not in INFO_TO_XMP:
            continue
        name, is_date = INFO_TO_XMP[key]
        shown = xmp.get(name)
        if shown is None or not _same(str(value), shown, is_date):
            problems.append(f"Info {key} ({str(value)[:60]!r}) and XMP {name} ({shown!r}) differ")
    return problems


def _properties(xml: bytes) -> dict[str, str]:
    """The XMP's simple properties, as `prefix:name` -> text (attribute or element form)."""
    found: dict[str, str] = {}
    names = {uri: prefix for prefix, uri in NS.items()}
    tree = ElementTree.fromstring(xml)
    for desc in tree.iter(f"{{{NS['rdf']}}}Description"):
        for attr, value in desc.attrib.items():
            _put(found, names, attr, value)
        for child in desc:
            texts = [li.text or "" for li in child.iter(f"{{{NS['rdf']}}}li")]
            _put(found, names, child.tag, texts[0] if texts else (child.text or ""))
    return found


def _put(found: dict[str, str], names: dict[str, str], tag: str, value: str) -> None:
    match = re.fullmatch(r"\{(.+)\}(.+)", tag)
    if match and match.group(1) in names:
        found[f"{names[match.group(1)]}:{match.group(2)}"] = value


def _same(info: str, xmp: str, is_date: bool) -> bool:
    if not is_date:
        return info == xmp
    return bool(_pdf_date(info) == _xmp_date(xmp))


def _pdf_date(text: str) -> Any:
    m = re.fullmatch(r"D:(\d{14})(Z|[+-]\d\d'?\d\d'?)?", text.strip())
    if not m:
        return text
    when = dt.datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
    tz = (m.group(2) or "Z").replace("'", "")
    offset = dt.timedelta(0) if tz == "Z" else _offset(tz)
    return when.replace(tzinfo=dt.timezone(offset))


def _offset(tz: str) -> dt.timedelta:
    sign = -1 if tz[0] == "-" else 1
    return sign * dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5]))


def _xmp_date(text: str) -> Any:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
