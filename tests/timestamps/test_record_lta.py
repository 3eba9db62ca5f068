"""Records sealed with a time-stamping authority: PAdES B-LTA, checked independently."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from bwvdisclose.signing import load_cert_pem
from tests.pki import TestPki

from .conftest import Sealed, ok, run, trust


def test_verify_names_the_timestamps_and_passes_offline(sealed: Sealed, pki: TestPki) -> None:
    out = ok(run("verify", str(sealed.pdf), *trust(pki)))
    assert "ok   the PDF signature is valid and covers the whole file" in out
    assert "ok   the PDF's signer (Amy Ward) chains to a trust root" in out
    assert re.search(r"ok   the seal's timestamp proves it was signed by 20\d\d-\d\d-\d\d ", out)
    assert "ok   1 archive timestamp (PAdES B-LTA), the latest at " in out
    assert out.rstrip().endswith(f"{sealed.pdf}: verified")


def test_verify_needs_no_network(sealed: Sealed, pki: TestPki) -> None:
    """With the TSA, OCSP responder and CRLs stopped, the record still verifies."""
    pki.stop()
    try:
        out = ok(run("verify", str(sealed.pdf), *trust(pki)))
    finally:
        pki.serve()
    assert out.rstrip().endswith("verified")


def test_an_unrelated_root_does_not_trust_it(sealed: Sealed, tmp_path: Path) -> None:
    from bwvdisclose.trust.ca import make_test_ca

    other = make_test_ca(tmp_path / "other", b"pw", name="Someone Else's CA")
    result = run("verify", str(sealed.pdf), "--trust", str(other))
    assert result.exit_code == 3, result.output
    assert "NOT TRUSTED the PDF seal by Amy Ward is not trusted" in result.stdout
    assert "FAIL" not in result.stdout


def test_pdfsig_reports_the_seal_valid_and_lists_the_archive_timestamp(sealed: Sealed) -> None:
    out = subprocess.run(["pdfsig", str(sealed.pdf)], capture_output=True, text=True).stdout
    seal, stamp = out.split("Signature #2:")
    assert "Signature Validation: Signature is Valid." in seal
    assert "Signer Certificate Common Name: Amy Ward" in seal
    assert "Signature Field Name: ArchiveTimestamp1" in stamp
    assert "Total document signed" in stamp


def test_pyhanko_validator_reports_lta(sealed: Sealed, pki: TestPki) -> None:
    """pyHanko's own CLI (fetching live while the services run) with the TEST root."""
    command = [
        str(Path(__import__("sys").executable).parent / "pyhanko"), "sign", "validate",
        *trust(pki), "--trust-replace", str(sealed.pdf),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "DecisionRecordSignature:" in done.stdout
        and ":INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,EXTENDED_WITH_LTA_UPDATES,"
        "ACCEPTABLE_MODIFICATIONS"
        in done.stdout
    ), done.stdout


def _revisions(pdf: bytes) -> list[bytes]:
    """The file as it stood at each %%EOF: every incremental revision."""
    ends = [m.end() for m in re.finditer(rb"%%EOF\r?\n?", pdf)]
    return [pdf[:end] for end in ends]


def test_info_agrees_with_xmp_in_every_revision(sealed: Sealed) -> None:
    """PDF/A: the Info dictionary and the XMP agree after the seal, the DSS and each timestamp."""
    revisions = _revisions(sealed.pdf.read_bytes())
    assert len(revisions) == 3  # rendered; sealed; DSS with the document timestamp
    assert "/DSS" in PdfFileReader(BytesIO(revisions[-1]), strict=False).root
    for data in revisions:
        reader = PdfFileReader(BytesIO(data), strict=False)
        info = reader.trailer_view["/Info"]
        raw = reader.root["/Metadata"].get_object().data
        xmp = ET.fromstring(raw.split(b"?>", 1)[1].rsplit(b"<?", 1)[0])
        attrs: dict[str, str] = {}
        for desc in xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
            attrs.update(desc.attrib)  # simple properties as attributes or as elements
            attrs.update({c.tag: c.text for c in desc if c.text and c.text.strip()})
        producer = attrs.get("{http://ns.adobe.com/pdf/1.3/}Producer")
        assert producer == str(info["/Producer"]), (producer, info["/Producer"])
        assert attrs.get("{http://ns.adobe.com/xap/1.0/}CreatorTool") == str(info["/Creator"])
        assert attrs.get("{http://www.aiim.org/pdfa/ns/id/}part") == "3"
        if "/ModDate" in info:
            mod = str(info["/ModDate"])  # D:YYYYMMDDHHmmSS...
            stamp = attrs["{http://ns.adobe.com/xap/1.0/}ModifyDate"]
            assert stamp.replace("-", "").replace(":", "").replace("T", "")[:14] == mod[2:16]


def test_the_record_in_the_case_folder_is_the_same(sealed: Sealed, pki: TestPki) -> None:
    stored = next((sealed.case.store / sealed.case.case_id / "records").glob("*.pdf"))
    assert stored.read_bytes() == sealed.pdf.read_bytes()
    ok(run("audit", "verify", "--store", str(sealed.case.store)))
    assert load_cert_pem(pki.root_pem)
