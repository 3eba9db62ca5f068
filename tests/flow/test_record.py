"""The signed decision record: tagged PDF/A-3a, embedded evidence, a verify not fooled."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
from io import BytesIO
from itertools import count
from pathlib import Path

import yaml
from syrupy.assertion import SnapshotAssertion

from bwvdisclose.answers import load_answers
from bwvdisclose.case import Actor, fold
from bwvdisclose.cases import Cases, Intake, current_values
from bwvdisclose.engine import evaluate
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.load import resolve_policy_folder
from bwvdisclose.record.build import (
    EVENTS_FILE,
    POLICY_FILE,
    RENDER_FILE,
    attachments_for,
    record_html,
)
from bwvdisclose.record.check import check_record
from bwvdisclose.record.html import templates_dir, templates_used
from bwvdisclose.record.pdf import render_pdf
from bwvdisclose.record.pdfa import pdfa_problems
from bwvdisclose.record.seal import seal_with
from bwvdisclose.record.verify import extract_attachments
from bwvdisclose.store.folder import FolderStore
from bwvdisclose.trust.keys import load_identity
from bwvdisclose.trust.paths import TrustChecker
from tests.conftest import (
    CRITERIA,
    DEMO_CA,
    POLICY_2020_1,
    TestAuthority,
    explained,
    roots,
    shipped_approval,
)
from tests.flow.conftest import DEMO, FIXED, PASS, PASS_ENV, Keys, Signed, run


def test_verify_passes(signed: Signed, test_ca: TestAuthority) -> None:
    code, out, err = run(
        "verify", str(signed.pdf), "--trust", str(test_ca.pem), "--trust", str(DEMO_CA)
    )
    assert code == 0, out + err
    assert out.endswith("verified\n")
    assert "FAIL" not in out


def test_pdfsig_reports_the_signature_valid(signed: Signed) -> None:
    out = subprocess.run(
        ["pdfsig", str(signed.pdf)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out


def test_pdfa_3a_with_associated_source_files(signed: Signed) -> None:
    data = signed.pdf.read_bytes()
    info = subprocess.run(
        ["pdfinfo", "-meta", str(signed.pdf)], capture_output=True, text=True
    ).stdout
    assert re.search(r"pdfaid:part(>|=\")3", info) and re.search(
        r"pdfaid:conformance(>|=\")A", info
    )
    files = extract_attachments(data)
    assert set(files) == {EVENTS_FILE, POLICY_FILE, RENDER_FILE}
    render = json.loads(files[RENDER_FILE])
    assert render["custom_templates"] is False
    assert render["templates_sha256"] == templates_used().sha256
    log = (signed.store / signed.case_id / "events.jsonl").read_bytes()
    assert log.startswith(files[EVENTS_FILE])  # the log as it stood, byte for byte
    from pyhanko.pdf_utils.reader import PdfFileReader

    specs = [ref.get_object() for ref in PdfFileReader(BytesIO(data)).root["/AF"]]
    assert [(s["/UF"], s["/AFRelationship"]) for s in specs] == [
        (EVENTS_FILE, "/Source"),
        (POLICY_FILE, "/Source"),
        (RENDER_FILE, "/Source"),
    ]


def _structure(data: bytes) -> list[str]:
    """The structure tree's element types, in document (reading) order."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    found: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, dict):
            if "/S" in node:
                found.append(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfFileReader(BytesIO(data)).root["/StructTreeRoot"])
    return found


def test_tagged_for_a_screen_reader(signed: Signed) -> None:
    """Tagged: yes; language, title; headings in the order the page shows them; tables tagged."""
    info = subprocess.run(["pdfinfo", str(signed.pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    data = signed.pdf.read_bytes()
    assert pdfa_problems(data) == []
    kinds = _structure(data)
    for kind in ("/Document", "/H1", "/H2", "/H3", "/Table", "/THead", "/TH", "/TD", "/L", "/LI"):
        assert kind in kinds, kind
    headings = [k for k in kinds if re.fullmatch(r"/H[1-3]", k)]
    html = record_html(
        fold(FolderStore(signed.store).read(signed.case_id)),
        FolderStore(signed.store).read(signed.case_id),
        load_policy(POLICY_2020_1),
        [],
        FIXED,
    )
    assert headings == [f"/{m.upper()}" for m in re.findall(r"<(h[1-3])[ >]", html)]


def test_the_seal_keeps_info_and_xmp_in_agreement(signed: Signed, keys: Keys) -> None:
    """pyHanko's default incremental signature breaks the agreement; ours keeps it (and says so)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    data = signed.pdf.read_bytes()
    assert pdfa_problems(data) == []
    pdf = render_pdf("<html lang='en-GB'><title>t</title><p>x</p></html>", templates_dir(), [], "t")
    assert pdfa_problems(pdf) == []
    signer = signers.SimpleSigner.load_pkcs12(keys.p12("amy-ward"), passphrase=PASS.encode())
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="S"),
        signer=signer,
    )
    problems = pdfa_problems(out.getvalue())
    assert any("/Producer" in p for p in problems), problems
    identity = load_identity(Path(keys.p12("amy-ward")), PASS.encode())
    assert pdfa_problems(seal_with(pdf, identity, reason="r", location="l", name="n")) == []


def test_every_page_is_marked_and_numbered(signed: Signed) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(signed.pdf), "-"], capture_output=True, text=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 4
    for n, page in enumerate(pages, 1):
        assert page.count("OFFICIAL-SENSITIVE") == 2, n
        assert f"Page {n} of {len(pages)}" in page


def test_rendering_is_logged_with_the_file_hash(signed: Signed) -> None:
    events = [
        json.loads(x)
        for x in (signed.store / signed.case_id / "events.jsonl").read_text().splitlines()
    ]
    rendered = events[-1]
    assert rendered["type"] == "record_rendered"
    filed = signed.store / signed.case_id / "records" / rendered["file"]
    assert hashlib.sha256(filed.read_bytes()).hexdigest() == rendered["sha256"]
    assert filed.read_bytes() == signed.pdf.read_bytes()
    assert oct(filed.stat().st_mode & 0o777) == "0o600"


def test_any_changed_byte_fails(signed: Signed, test_ca: TestAuthority) -> None:
    data = signed.pdf.read_bytes()
    trust = roots(test_ca.pem, DEMO_CA)
    assert check_record(data, trust).ok
    step = max(1, len(data) // 37)
    for position in range(0, len(data), step):
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        assert not check_record(bytes(flipped), trust).ok, position


def test_a_tampered_embedded_log_fails_even_when_resealed(
    signed: Signed, keys: Keys, test_ca: TestAuthority
) -> None:
    """Someone with the key re-renders the record from an edited log: the chain check catches it."""
    from bwvdisclose.case import fold

    store = FolderStore(signed.store)
    events = store.read(signed.case_id)
    state = fold(events)
    log = (signed.store / signed.case_id / "events.jsonl").read_bytes()
    log = log[: log.index(b'"type":"record_rendered"')].rsplit(b"\n", 1)[0] + b"\n"
    edited = log.replace(b"Protesters' faces visible throughout", b"No faces visible at all, none")
    assert edited != log
    policy = load_policy()
    attachments = attachments_for(edited, resolve_policy_folder(None))
    html = record_html(state, events, policy, attachments, FIXED)
    pdf = render_pdf(html, templates_dir(), attachments, "tampered")
    identity = load_identity(Path(keys.p12("amy-ward")), PASS.encode())
    sealed = seal_with(pdf, identity, reason="r", location="l", name="n")
    result = check_record(sealed, roots(test_ca.pem, DEMO_CA))
    assert not result.ok
    assert any(
        "embedded log: event" in text and "hash does not match" in text for _, text in result.lines
    )


def test_record_with_someone_elses_key_is_refused(tmp_path: Path, keys: Keys) -> None:
    from tests.flow.conftest import decide, new_case, sign_all

    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    sign_all(store, keys, case_id)
    code, _, err = run(
        "record",
        case_id,
        "--key",
        keys.p12("sam-okafor"),
        "--passphrase-env",
        PASS_ENV,
        "--store",
        str(store),
    )
    assert code == 1
    assert "signed by the decision maker (Amy Ward); this key is someone else's" in err


def test_out_must_not_overwrite(signed: Signed, keys: Keys) -> None:
    code, _, err = run(
        "record",
        signed.case_id,
        "--key",
        keys.p12("amy-ward"),
        "--passphrase-env",
        PASS_ENV,
        "--out",
        str(signed.pdf),
        "--store",
        str(signed.store),
    )
    assert code == 1 and "already exists" in err


# --- what a reviewer reads: the rendered HTML, for two outcomes ----------------------------


def _notes(cases: Cases, case_id: str, outcome: str) -> dict[str, str]:
    values = current_values(cases.state(case_id))
    rec = evaluate(cases.policy, values)
    return {c: f"Done: {c}" for c in cases.decision_conditions(rec, values, outcome)}


def _fixed_case(
    tmp_path: Path,
    keys: Keys,
    answers_file: Path,
    outcome: str,
    why: str,
    course: str | None = None,
) -> str:
    ticks = count()
    store = FolderStore(tmp_path / "s", clock=lambda: FIXED + dt.timedelta(seconds=next(ticks)))
    policy = load_policy(POLICY_2020_1)
    cases = Cases(store, policy)
    officer = Actor(name="PC Jane Smith", role="duty officer", number="PC1234")
    intake = Intake(
        "CAD 1/21NOV",
        dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC),
        "Whitehall <b>SW1</b>",
        ["BWV-1"],
    )
    case_id = cases.open(officer, intake)
    cases.apply(case_id, officer, explained(policy, load_answers(answers_file, policy)), None)
    cases.recompute(case_id, officer)
    publishing = outcome != "do_not_publish"
    cases.decide(
        case_id,
        Actor(name="Amy Ward", role="decision maker", number="4711"),
        outcome,
        why,
        review_by="2027-02-19" if publishing else None,
        notes=_notes(cases, case_id, outcome),
        now=FIXED,
        course=course,
        approval=shipped_approval(policy),
    )
    identity = load_identity(Path(keys.p12("amy-ward")), PASS.encode())
    checker = TrustChecker(roots(*os.environ["BWVDISCLOSE_TRUST"].split(os.pathsep)))
    cases.sign(case_id, identity, "decision_maker", checker, FIXED)
    state = cases.state(case_id)
    events = store.read(case_id)
    attachments = attachments_for(b"{}\n", resolve_policy_folder(POLICY_2020_1))
    html = record_html(state, events, policy, attachments, FIXED)
    html = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<approved at>", html)
    return re.sub(r"[0-9a-f]{64}|[0-9a-f]{16}…", "<hash>", html)


def test_record_html_publish_with_redactions(
    tmp_path: Path, keys: Keys, snapshot: SnapshotAssertion
) -> None:
    html = _fixed_case(tmp_path, keys, DEMO, "publish_with_redactions", "")
    assert "Whitehall &lt;b&gt;SW1&lt;/b&gt;" in html  # user text is escaped, never markup
    assert html == snapshot


def test_record_html_departure_do_not_publish(
    tmp_path: Path, keys: Keys, snapshot: SnapshotAssertion
) -> None:
    html = _fixed_case(
        tmp_path, keys, DEMO, "do_not_publish", "Family asked us not to <script>alert(1)</script>"
    )
    assert "departs from the recommendation" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert html == snapshot


def test_record_html_do_not_publish_recommended(
    tmp_path: Path, keys: Keys, snapshot: SnapshotAssertion
) -> None:
    """No exception met, viral claims: do not publish, and a context statement is chosen."""
    example = CRITERIA / "met-bwv-2020" / "examples" / "02-viral-context-statement.yaml"
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(yaml.safe_load(example.read_text())["answers"]))
    html = _fixed_case(tmp_path, keys, answers, "do_not_publish", "", "context_statement")
    assert "Decision: Do not publish</div>" in html
    assert "<tr><td>Context statement without footage</td><td>yes</td>" in html
    plain = _fixed_case(tmp_path / "plain", keys, answers, "do_not_publish", "")
    assert "<tr><td>Context statement without footage</td><td>no</td>" in plain
    assert html == snapshot
