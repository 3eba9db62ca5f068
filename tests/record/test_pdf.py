"""render_pdf: PDF/A-3a identification, associated source files, fonts, page furniture."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from bwvdisclose.record.pdf import Attachment
from bwvdisclose.record.verify import extract_attachments

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def _reader(pdf: bytes) -> Any:
    return PdfFileReader(BytesIO(pdf), strict=True)


@pytest.fixture(params=["rendered", "sealed"])
def record(request: pytest.FixtureRequest) -> bytes:
    data: bytes = request.getfixturevalue(request.param)
    return data


def test_pdfa_3a_identification_in_xmp(record: bytes) -> None:
    assert record.startswith(b"%PDF-1.7\n")
    root = _reader(record).root
    xmp = ET.fromstring(root["/Metadata"].get_object().data.split(b"?>", 1)[1].rsplit(b"<?", 1)[0])
    ids = {
        key: value
        for desc in xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
        for key, value in desc.attrib.items()
        if key.startswith(PDFAID)
    }
    assert ids == {f"{PDFAID}part": "3", f"{PDFAID}conformance": "A"}
    assert "/Version" not in root  # nothing may claim PDF 2.0 inside a PDF/A-3 file


def test_srgb_output_intent(record: bytes) -> None:
    (intent,) = _reader(record).root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and len(profile.data) > 100


def test_info_agrees_with_xmp_after_sealing(sealed: bytes) -> None:
    reader = _reader(sealed)
    info = reader.trailer["/Info"].get_object()
    xmp = reader.root["/Metadata"].get_object().data.decode()
    assert f'pdf:Producer="{info["/Producer"]}"' in xmp
    assert f'xmp:CreatorTool="{info["/Creator"]}"' in xmp
    assert f">{info['/Title']}</rdf:li>" in xmp
    created = re.fullmatch(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z", info["/CreationDate"])
    assert created, info["/CreationDate"]
    assert 'xmp:CreateDate="{}-{}-{}T{}:{}:{}'.format(*created.groups()) in xmp


def test_attachments_round_trip_byte_identical(
    record: bytes, attachments: list[Attachment]
) -> None:
    assert extract_attachments(record) == {a.name: a.data for a in attachments}


def test_every_embedded_file_is_an_associated_source(
    record: bytes, attachments: list[Attachment]
) -> None:
    root = _reader(record).root
    specs = [ref.get_object() for ref in root["/AF"]]
    assert [s["/UF"] for s in specs] == [a.name for a in attachments]  # once each, in order
    for spec, item in zip(specs, attachments, strict=True):
        assert spec["/AFRelationship"] == "/Source"
        assert spec["/Desc"] == item.description
        stream = spec["/EF"]["/F"].get_object()
        assert stream["/Subtype"] == "/" + item.mime_type
        assert stream["/Params"]["/Size"] == len(item.data)


def test_dejavu_fonts_are_embedded(sealed_file: Path) -> None:
    out = subprocess.run(["pdffonts", str(sealed_file)], capture_output=True, text=True, check=True)
    fonts = out.stdout.splitlines()[2:]
    assert fonts and all("DejaVu" in line for line in fonts)
    assert all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), out.stdout


def test_every_page_has_marking_and_page_x_of_y(sealed_file: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(sealed_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.rstrip("\f").split("\f")
    assert 5 <= len(pages) <= 8
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2, number
        assert f"Page {number} of {len(pages)}" in page
        assert "Decision record BWV-2026-0042" in page
